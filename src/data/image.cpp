// Image (uint8 HWC or f32 CHW pixels between loading and batching) and SampleRng, the per-sample generator.
// Not transforms (transforms*.cpp) nor datasets.
#include <cnn/dataset.h>

#include <cmath>
#include <cstring>

namespace cnn {

void Image::reset_bytes(int64_t h, int64_t w, int64_t c) {
  CNN_CHECK(h >= 0 && w >= 0 && c > 0, "Image: invalid size {} x {} x {} (height x width x channels)", h, w, c);
  format = ImageFormat::u8_hwc;
  height = h;
  width = w;
  channels = c;
  bytes.resize(static_cast<size_t>(h * w * c));
}

void Image::reset_values(int64_t c, int64_t h, int64_t w) {
  CNN_CHECK(h >= 0 && w >= 0 && c > 0, "Image: invalid size {} x {} x {} (channels x height x width)", c, h, w);
  format = ImageFormat::f32_chw;
  height = h;
  width = w;
  channels = c;
  values.resize(static_cast<size_t>(h * w * c));
}

Image Image::from_tensor(const Tensor& chw) {
  CNN_CHECK(chw.defined() && chw.dim() == 3, "Image::from_tensor: expected a tensor [C, H, W], got {}",
            chw.defined() ? fmt::format("{}", chw.shape()) : std::string("an undefined tensor"));
  const Tensor t = chw.to(DType::f32).contiguous();
  Image image;
  image.reset_values(t.size(0), t.size(1), t.size(2));
  std::memcpy(image.values.data(), t.data<float>(), image.values.size() * sizeof(float));
  return image;
}

Image Image::from_bytes(int64_t h, int64_t w, int64_t c, std::vector<uint8_t> data) {
  CNN_CHECK(static_cast<int64_t>(data.size()) == h * w * c,
            "Image::from_bytes: expected {} x {} x {} = {} bytes, got {}", h, w, c, h * w * c, data.size());
  Image image;
  image.reset_bytes(h, w, c);
  image.bytes = std::move(data);
  return image;
}

void Image::write_chw(float* out) const {
  if (!is_bytes()) {
    std::memcpy(out, values.data(), values.size() * sizeof(float));
    return;
  }
  const int64_t plane = height * width;
  const uint8_t* src = bytes.data();
  if (channels == 1) {
    for (int64_t p = 0; p < plane; ++p) out[p] = static_cast<float>(src[p]) / 255.0f;
    return;
  }
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < channels; ++c) out[c * plane + p] = static_cast<float>(src[p * channels + c]) / 255.0f;
}

Tensor Image::to_tensor() const {
  Tensor t = Tensor::empty(shape());
  write_chw(t.data<float>());
  return t;
}

namespace {

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

SampleRng::SampleRng(uint64_t seed, int64_t epoch, int64_t index) {
  // Each key part passes through splitmix64 before the next is mixed in, so nearby keys give unrelated streams.
  uint64_t x = seed;
  x = splitmix64(x) ^ static_cast<uint64_t>(epoch);
  x = splitmix64(x) ^ static_cast<uint64_t>(index);
  for (uint64_t& s : s_) s = splitmix64(x);
}

uint64_t SampleRng::next_u64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double SampleRng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

int64_t SampleRng::randint(int64_t low, int64_t high) {
  CNN_CHECK(high > low, "SampleRng::randint: expected high > low, got [{}, {})", low, high);
  const auto range = static_cast<uint64_t>(high - low);
  // Rejection keeps every value equally likely: drop the top partial copy of the range.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t v = next_u64();
  while (v >= limit) v = next_u64();
  return low + static_cast<int64_t>(v % range);
}

double SampleRng::normal() {
  const double u1 = 1.0 - uniform(), u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace cnn

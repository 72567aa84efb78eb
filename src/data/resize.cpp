// Resizing as PIL does it (and so torchvision on PIL images): bilinear is a separable triangle filter widened when
// shrinking (antialiased), horizontal pass then vertical, in 8-bit fixed point for bytes; nearest picks
// floor((i + 0.5) * in / out). Not rotation (rotate.cpp) nor the random parameters (transforms.cpp).
#include <cnn/transforms_functional.h>

#include <cmath>

namespace cnn::transforms {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;  // PIL's fixed point for 8-bit images

// The filter taps of one output pixel: the first source index and its weights.
struct Taps {
  std::vector<int64_t> first, count;  // per output pixel
  std::vector<double> weights;        // ksize per output pixel
  int64_t ksize = 0;
};

// PIL's precompute_coeffs for the bilinear (triangle) filter, support 1, over the whole input [0, in).
void bilinear_taps(int64_t in, int64_t out, Taps& t) {
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;
  t.ksize = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  t.first.assign(static_cast<size_t>(out), 0);
  t.count.assign(static_cast<size_t>(out), 0);
  t.weights.assign(static_cast<size_t>(out * t.ksize), 0.0);
  for (int64_t o = 0; o < out; ++o) {
    const double center = (static_cast<double>(o) + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    const int64_t xmin = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t xmax = std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in) - xmin;
    double* k = t.weights.data() + o * t.ksize;
    double total = 0.0;
    for (int64_t x = 0; x < xmax; ++x) {
      const double d = std::abs((static_cast<double>(x + xmin) - center + 0.5) * ss);
      k[x] = d < 1.0 ? 1.0 - d : 0.0;
      total += k[x];
    }
    for (int64_t x = 0; x < xmax; ++x)
      if (total != 0.0) k[x] /= total;
    t.first[static_cast<size_t>(o)] = xmin;
    t.count[static_cast<size_t>(o)] = xmax;
  }
}

uint8_t clip8(int64_t v) {
  if (v >= (int64_t{1} << kPrecisionBits << 8)) return 255;
  if (v <= 0) return 0;
  return static_cast<uint8_t>(v >> kPrecisionBits);
}

// One separable pass along an axis: n lines of `in` elements (element step `step`, line step `line`) become n
// lines of `out` elements, written with the same layout rules into dst.
template <class T>
void filter_pass(const T* src, T* dst, const Taps& t, int64_t lines, int64_t out, int64_t src_step, int64_t src_line,
                 int64_t dst_step, int64_t dst_line) {
  std::vector<int32_t> fixed;
  if constexpr (std::is_same_v<T, uint8_t>) {
    fixed.resize(t.weights.size());
    for (size_t i = 0; i < fixed.size(); ++i) {
      const double w = t.weights[i] * static_cast<double>(1 << kPrecisionBits);
      fixed[i] = static_cast<int32_t>(w < 0 ? w - 0.5 : w + 0.5);
    }
  }
  for (int64_t l = 0; l < lines; ++l) {
    const T* s = src + l * src_line;
    T* d = dst + l * dst_line;
    for (int64_t o = 0; o < out; ++o) {
      const int64_t first = t.first[static_cast<size_t>(o)], count = t.count[static_cast<size_t>(o)];
      if constexpr (std::is_same_v<T, uint8_t>) {
        const int32_t* k = fixed.data() + o * t.ksize;
        int64_t acc = int64_t{1} << (kPrecisionBits - 1);
        for (int64_t x = 0; x < count; ++x) acc += int64_t{s[(first + x) * src_step]} * k[x];
        d[o * dst_step] = clip8(acc);
      } else {
        const double* k = t.weights.data() + o * t.ksize;
        double acc = 0.0;
        for (int64_t x = 0; x < count; ++x) acc += static_cast<double>(s[(first + x) * src_step]) * k[x];
        d[o * dst_step] = static_cast<T>(acc);
      }
    }
  }
}

// Bilinear resize of one buffer: horizontal pass over every row (and channel), then vertical.
template <class T>
void bilinear(std::vector<T>& buf, std::vector<T>& spare, bool hwc, int64_t h, int64_t w, int64_t c, int64_t oh,
              int64_t ow) {
  Taps taps;
  if (ow != w) {
    bilinear_taps(w, ow, taps);
    spare.resize(static_cast<size_t>(h * ow * c));
    for (int64_t k = 0; k < c; ++k)
      if (hwc)
        filter_pass(buf.data() + k, spare.data() + k, taps, h, ow, c, w * c, c, ow * c);
      else
        filter_pass(buf.data() + k * h * w, spare.data() + k * h * ow, taps, h, ow, 1, w, 1, ow);
    buf.swap(spare);
    w = ow;
  }
  if (oh != h) {
    bilinear_taps(h, oh, taps);
    spare.resize(static_cast<size_t>(oh * w * c));
    for (int64_t k = 0; k < c; ++k)
      if (hwc)
        filter_pass(buf.data() + k, spare.data() + k, taps, w, oh, w * c, c, w * c, c);
      else
        filter_pass(buf.data() + k * h * w, spare.data() + k * oh * w, taps, w, oh, w, 1, w, 1);
    buf.swap(spare);
  }
}

template <class T>
void nearest(std::vector<T>& buf, std::vector<T>& spare, bool hwc, int64_t h, int64_t w, int64_t c, int64_t oh,
             int64_t ow) {
  spare.resize(static_cast<size_t>(oh * ow * c));
  const double sy = static_cast<double>(h) / static_cast<double>(oh),
               sx = static_cast<double>(w) / static_cast<double>(ow);
  for (int64_t y = 0; y < oh; ++y) {
    const int64_t r = std::min<int64_t>(static_cast<int64_t>((static_cast<double>(y) + 0.5) * sy), h - 1);
    for (int64_t x = 0; x < ow; ++x) {
      const int64_t col = std::min<int64_t>(static_cast<int64_t>((static_cast<double>(x) + 0.5) * sx), w - 1);
      for (int64_t k = 0; k < c; ++k) {
        const int64_t src = hwc ? (r * w + col) * c + k : (k * h + r) * w + col;
        const int64_t dst = hwc ? (y * ow + x) * c + k : (k * oh + y) * ow + x;
        spare[static_cast<size_t>(dst)] = buf[static_cast<size_t>(src)];
      }
    }
  }
  buf.swap(spare);
}

}  // namespace

ImageSize resize_output_size(int64_t height, int64_t width, int64_t shorter_side, std::optional<int64_t> max_size) {
  CNN_CHECK(shorter_side > 0, "Resize: expected a positive size, got {}", shorter_side);
  const int64_t short_side = std::min(height, width), long_side = std::max(height, width);
  if (short_side == shorter_side) return {height, width};
  int64_t new_short = shorter_side;
  auto new_long = static_cast<int64_t>(static_cast<double>(shorter_side * long_side) / static_cast<double>(short_side));
  if (max_size) {
    CNN_CHECK(*max_size > shorter_side, "Resize: max_size ({}) must be larger than the requested size ({})", *max_size,
              shorter_side);
    if (new_long > *max_size) {
      new_short = static_cast<int64_t>(static_cast<double>(*max_size * new_short) / static_cast<double>(new_long));
      new_long = *max_size;
    }
  }
  return width <= height ? ImageSize{new_long, new_short} : ImageSize{new_short, new_long};
}

void resize(Image& image, ImageSize size, Interpolation interpolation) {
  CNN_CHECK(size.height > 0 && size.width > 0, "resize: expected a positive size, got {} x {}", size.height,
            size.width);
  CNN_CHECK(image.height > 0 && image.width > 0, "resize: cannot resize an empty image {}", image.shape());
  const int64_t h = image.height, w = image.width, c = image.channels;
  if (size.height == h && size.width == w) return;
  const bool hwc = image.is_bytes();
  if (interpolation == Interpolation::nearest) {
    if (hwc)
      nearest(image.bytes, image.spare_bytes, true, h, w, c, size.height, size.width);
    else
      nearest(image.values, image.spare_values, false, h, w, c, size.height, size.width);
  } else if (hwc) {
    bilinear(image.bytes, image.spare_bytes, true, h, w, c, size.height, size.width);
  } else {
    bilinear(image.values, image.spare_values, false, h, w, c, size.height, size.width);
  }
  image.height = size.height;
  image.width = size.width;
}

void resized_crop(Image& image, const CropBox& box, ImageSize size, Interpolation interpolation) {
  crop(image, box);
  resize(image, size, interpolation);
}

}  // namespace cnn::transforms

// Colour adjustments with torchvision's tensor semantics (functional_tensor.py): brightness, contrast, saturation
// as blends computed in float32 and clamped (bytes are then truncated, as .to(torch.uint8) does), hue through
// torchvision's float32 RGB <-> HSV. Not the random factors (ColorJitter in transforms.cpp).
#include <cnn/transforms_functional.h>

#include <cmath>

namespace cnn::transforms {

namespace {

// Pixel p's channel k, read and written as float in the image's own units (0..255 for bytes, 0..1 for floats).
struct Pixels {
  Image& im;
  int64_t plane;
  float get(int64_t p, int64_t k) const {
    return im.is_bytes() ? static_cast<float>(im.bytes[static_cast<size_t>(p * im.channels + k)])
                         : im.values[static_cast<size_t>(k * plane + p)];
  }
  // Clamps to [0, bound], then truncates to an integer for bytes.
  void set(int64_t p, int64_t k, float v) const {
    if (im.is_bytes())
      im.bytes[static_cast<size_t>(p * im.channels + k)] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
    else
      im.values[static_cast<size_t>(k * plane + p)] = std::clamp(v, 0.0f, 1.0f);
  }
};

// torchvision's rgb_to_grayscale of one pixel (truncated to an integer for bytes).
float gray(const Pixels& px, int64_t p) {
  if (px.im.channels == 1) return px.get(p, 0);
  const float g = 0.2989f * px.get(p, 0) + 0.587f * px.get(p, 1) + 0.114f * px.get(p, 2);
  return px.im.is_bytes() ? std::trunc(g) : g;
}

// img * ratio + other * (1 - ratio), `other` given per pixel (or constant).
template <class Other>
void blend(Image& image, double factor, Other other) {
  Pixels px{image, image.height * image.width};
  const auto ratio = static_cast<float>(factor), rest = static_cast<float>(1.0 - factor);
  for (int64_t p = 0; p < px.plane; ++p) {
    const float o = other(px, p);
    for (int64_t k = 0; k < image.channels; ++k) px.set(p, k, ratio * px.get(p, k) + rest * o);
  }
}

void check_channels(const Image& image, const char* what) {
  CNN_CHECK(image.channels == 1 || image.channels == 3, "{}: expected an image with 1 or 3 channels, got {}", what,
            image.shape());
}

// torchvision's _rgb2hsv and _hsv2rgb on one pixel, in float32 and in the same order of operations.
void rgb_to_hsv(float r, float g, float b, float& h, float& s, float& v) {
  const float maxc = std::max(r, std::max(g, b)), minc = std::min(r, std::min(g, b));
  const bool eqc = maxc == minc;
  const float cr = maxc - minc;
  s = cr / (eqc ? 1.0f : maxc);
  const float div = eqc ? 1.0f : cr;
  const float rc = (maxc - r) / div, gc = (maxc - g) / div, bc = (maxc - b) / div;
  const float hr = maxc == r ? bc - gc : 0.0f;
  const float hg = maxc == g && maxc != r ? 2.0f + rc - bc : 0.0f;
  const float hb = maxc != g && maxc != r ? 4.0f + gc - rc : 0.0f;
  h = std::fmod((hr + hg + hb) / 6.0f + 1.0f, 1.0f);
  v = maxc;
}

void hsv_to_rgb(float h, float s, float v, float& r, float& g, float& b) {
  const float i = std::floor(h * 6.0f);
  const float f = h * 6.0f - i;
  const int sector = ((static_cast<int>(i) % 6) + 6) % 6;
  const float p = std::clamp(v * (1.0f - s), 0.0f, 1.0f);
  const float q = std::clamp(v * (1.0f - s * f), 0.0f, 1.0f);
  const float t = std::clamp(v * (1.0f - s * (1.0f - f)), 0.0f, 1.0f);
  const float table[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
  r = table[sector][0];
  g = table[sector][1];
  b = table[sector][2];
}

}  // namespace

void adjust_brightness(Image& image, double factor) {
  CNN_CHECK(factor >= 0.0, "adjust_brightness: expected a non-negative factor, got {}", factor);
  blend(image, factor, [](const Pixels&, int64_t) { return 0.0f; });
}

void adjust_contrast(Image& image, double factor) {
  CNN_CHECK(factor >= 0.0, "adjust_contrast: expected a non-negative factor, got {}", factor);
  check_channels(image, "adjust_contrast");
  Pixels px{image, image.height * image.width};
  double sum = 0.0;
  for (int64_t p = 0; p < px.plane; ++p) sum += gray(px, p);
  const auto mean = static_cast<float>(sum / static_cast<double>(std::max<int64_t>(px.plane, 1)));
  blend(image, factor, [mean](const Pixels&, int64_t) { return mean; });
}

void adjust_saturation(Image& image, double factor) {
  CNN_CHECK(factor >= 0.0, "adjust_saturation: expected a non-negative factor, got {}", factor);
  check_channels(image, "adjust_saturation");
  if (image.channels == 1) return;
  blend(image, factor, [](const Pixels& px, int64_t p) { return gray(px, p); });
}

void adjust_hue(Image& image, double factor) {
  CNN_CHECK(factor >= -0.5 && factor <= 0.5, "adjust_hue: expected a factor in [-0.5, 0.5], got {}", factor);
  check_channels(image, "adjust_hue");
  if (image.channels == 1) return;
  Pixels px{image, image.height * image.width};
  const bool bytes = image.is_bytes();
  const auto shift = static_cast<float>(factor);
  for (int64_t p = 0; p < px.plane; ++p) {
    float rgb[3];
    for (int64_t k = 0; k < 3; ++k) rgb[k] = bytes ? px.get(p, k) / 255.0f : px.get(p, k);
    float h, s, v;
    rgb_to_hsv(rgb[0], rgb[1], rgb[2], h, s, v);
    h = std::fmod(h + shift, 1.0f);
    if (h < 0.0f) h += 1.0f;
    hsv_to_rgb(h, s, v, rgb[0], rgb[1], rgb[2]);
    for (int64_t k = 0; k < 3; ++k) px.set(p, k, bytes ? rgb[k] * 255.0f : rgb[k]);
  }
}

}  // namespace cnn::transforms

// Rotation about the image centre as PIL's Image.rotate (what torchvision's F.rotate calls for PIL images): the
// inverse affine map of each output pixel centre, nearest or bilinear sampling, `fill` outside the source.
// Not the random angle (transforms.cpp).
#include <cnn/transforms_functional.h>

#include <cmath>

#include "data/remap.h"

namespace cnn::transforms {

namespace {

// Python's round(v, 15), which PIL applies to the matrix so that 90-degree turns are exact.
double round15(double v) { return std::round(v * 1e15) / 1e15; }

template <class T>
void rotate_typed(std::vector<T>& buf, std::vector<T>& spare, bool hwc, int64_t h, int64_t w, int64_t c,
                  const double m[6], Interpolation interpolation, T fill) {
  spare.resize(buf.size());
  const detail::Layout lay = detail::layout_of(hwc, h, w, c);
  const T* src = buf.data();
  auto at = [&](int64_t y, int64_t x, int64_t k) { return src[y * lay.sy + x * lay.sx + k * lay.sc]; };
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      const double px = static_cast<double>(x) + 0.5, py = static_cast<double>(y) + 0.5;
      double xin = m[0] * px + m[1] * py + m[2], yin = m[3] * px + m[4] * py + m[5];
      T* out = spare.data() + y * lay.sy + x * lay.sx;
      const bool inside = xin >= 0.0 && xin < static_cast<double>(w) && yin >= 0.0 && yin < static_cast<double>(h);
      if (!inside) {
        for (int64_t k = 0; k < c; ++k) out[k * lay.sc] = fill;
        continue;
      }
      if (interpolation == Interpolation::nearest) {
        const auto xi = static_cast<int64_t>(xin), yi = static_cast<int64_t>(yin);
        for (int64_t k = 0; k < c; ++k) out[k * lay.sc] = at(yi, xi, k);
        continue;
      }
      xin -= 0.5;
      yin -= 0.5;
      const auto x0 = static_cast<int64_t>(std::floor(xin)), y0 = static_cast<int64_t>(std::floor(yin));
      const double dx = xin - static_cast<double>(x0), dy = yin - static_cast<double>(y0);
      const int64_t xa = std::clamp<int64_t>(x0, 0, w - 1), xb = std::clamp<int64_t>(x0 + 1, 0, w - 1);
      const int64_t ya = std::clamp<int64_t>(y0, 0, h - 1);
      const bool below = y0 + 1 >= 0 && y0 + 1 < h;
      for (int64_t k = 0; k < c; ++k) {
        const double top = at(ya, xa, k) + (at(ya, xb, k) - static_cast<double>(at(ya, xa, k))) * dx;
        const double bottom =
            below ? at(y0 + 1, xa, k) + (at(y0 + 1, xb, k) - static_cast<double>(at(y0 + 1, xa, k))) * dx : top;
        const double v = top + (bottom - top) * dy;
        if constexpr (std::is_same_v<T, uint8_t>)
          out[k * lay.sc] = static_cast<uint8_t>(std::clamp(v, 0.0, 255.0));  // PIL truncates
        else
          out[k * lay.sc] = static_cast<T>(v);
      }
    }
  buf.swap(spare);
}

}  // namespace

void rotate(Image& image, double degrees, Interpolation interpolation, double fill) {
  const double turned = std::fmod(std::fmod(degrees, 360.0) + 360.0, 360.0);
  if (turned == 0.0 || image.numel() == 0) return;
  const double a = -turned * M_PI / 180.0;
  double m[6] = {round15(std::cos(a)), round15(std::sin(a)), 0.0, round15(-std::sin(a)), round15(std::cos(a)), 0.0};
  const double cx = static_cast<double>(image.width) / 2.0, cy = static_cast<double>(image.height) / 2.0;
  m[2] = m[0] * -cx + m[1] * -cy + cx;
  m[5] = m[3] * -cx + m[4] * -cy + cy;
  const int64_t h = image.height, w = image.width, c = image.channels;
  if (image.is_bytes())
    rotate_typed(image.bytes, image.spare_bytes, true, h, w, c, m, interpolation, detail::fill_as<uint8_t>(fill));
  else
    rotate_typed(image.values, image.spare_values, false, h, w, c, m, interpolation, detail::fill_as<float>(fill));
}

}  // namespace cnn::transforms

// Internal to src/data: remap(), the one loop behind crops, pads and flips for both image formats.
// Not public API: transforms_functional.h is.
#pragma once

#include <cnn/dataset.h>

#include <algorithm>
#include <cmath>

namespace cnn::transforms::detail {

/// Element strides of pixel (y, x, c): HWC for bytes, CHW for floats.
struct Layout {
  int64_t sy, sx, sc;
};
inline Layout layout_of(bool hwc, int64_t h, int64_t w, int64_t c) {
  return hwc ? Layout{w * c, c, 1} : Layout{w, 1, h * w};
}

/// A fill value in the element type: bytes are rounded and clamped to 0..255.
template <class T>
T fill_as(double fill) {
  if constexpr (std::is_same_v<T, uint8_t>) return static_cast<uint8_t>(std::clamp(std::lround(fill), 0L, 255L));
  return static_cast<T>(fill);
}

template <class T, class RowOf, class ColOf>
void remap_typed(std::vector<T>& buf, std::vector<T>& spare, bool hwc, int64_t h, int64_t w, int64_t c, int64_t oh,
                 int64_t ow, RowOf row_of, ColOf col_of, T fill) {
  spare.resize(static_cast<size_t>(oh * ow * c));
  const Layout in = layout_of(hwc, h, w, c), out = layout_of(hwc, oh, ow, c);
  const T* src = buf.data();
  T* dst = spare.data();
  for (int64_t y = 0; y < oh; ++y) {
    const int64_t r = row_of(y);
    for (int64_t x = 0; x < ow; ++x) {
      const int64_t col = col_of(x);
      T* o = dst + y * out.sy + x * out.sx;
      if (r < 0 || col < 0) {
        for (int64_t k = 0; k < c; ++k) o[k * out.sc] = fill;
      } else {
        const T* s = src + r * in.sy + col * in.sx;
        for (int64_t k = 0; k < c; ++k) o[k * out.sc] = s[k * in.sc];
      }
    }
  }
  buf.swap(spare);
}

/// Replaces `image` by the oh x ow image whose pixel (y, x) is source pixel (row_of(y), col_of(x)), or `fill`
/// where either is -1. Reuses the image's spare buffer.
template <class RowOf, class ColOf>
void remap(Image& image, int64_t oh, int64_t ow, RowOf row_of, ColOf col_of, double fill) {
  const int64_t h = image.height, w = image.width, c = image.channels;
  if (image.is_bytes())
    remap_typed(image.bytes, image.spare_bytes, true, h, w, c, oh, ow, row_of, col_of, fill_as<uint8_t>(fill));
  else
    remap_typed(image.values, image.spare_values, false, h, w, c, oh, ow, row_of, col_of, fill_as<float>(fill));
  image.height = oh;
  image.width = ow;
}

}  // namespace cnn::transforms::detail

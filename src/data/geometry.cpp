// The deterministic geometric image functions (pad, crop, pad_crop, center_crop, flips) and the tensor-side
// ones (to_tensor, normalize, erase), as torchvision.transforms.functional. Not resampling (resize.cpp, rotate.cpp).
#include <cnn/transforms_functional.h>

#include "data/remap.h"

namespace cnn::transforms {

using detail::remap;

namespace {

// Where coordinate i (possibly outside [0, n)) reads from under a padding mode, as numpy.pad; -1: the fill value.
int64_t source_index(int64_t i, int64_t n, PaddingMode mode) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case PaddingMode::constant:
      return -1;
    case PaddingMode::edge:
      return std::clamp<int64_t>(i, 0, n - 1);
    case PaddingMode::reflect: {
      if (n == 1) return 0;
      const int64_t period = 2 * n - 2;
      const int64_t k = ((i % period) + period) % period;
      return k < n ? k : period - k;
    }
    case PaddingMode::symmetric: {
      const int64_t period = 2 * n;
      const int64_t k = ((i % period) + period) % period;
      return k < n ? k : period - 1 - k;
    }
  }
  return -1;
}

}  // namespace

Padding Padding::from(const std::vector<int64_t>& p) {
  for (int64_t v : p) CNN_CHECK(v >= 0, "padding: expected non-negative values, got [{}]", fmt::join(p, ", "));
  if (p.empty()) return {};
  if (p.size() == 1) return {p[0], p[0], p[0], p[0]};
  if (p.size() == 2) return {p[0], p[1], p[0], p[1]};
  CNN_CHECK(p.size() == 4,
            "padding: expected 1, 2 (left/right, top/bottom) or 4 (left, top, right, bottom) values, got [{}]",
            fmt::join(p, ", "));
  return {p[0], p[1], p[2], p[3]};
}

void to_tensor(Image& image) {
  CNN_CHECK(image.is_bytes(),
            "ToTensor: the image is already a float tensor {}\nHINT: ToTensor must come once, before Normalize and "
            "RandomErasing",
            image.shape());
  image.values.resize(static_cast<size_t>(image.numel()));
  image.write_chw(image.values.data());
  image.format = ImageFormat::f32_chw;
}

void normalize(Image& image, const std::vector<float>& mean, const std::vector<float>& std) {
  CNN_CHECK(!image.is_bytes(), "Normalize: expected a float image, got bytes {}\nHINT: put ToTensor before Normalize",
            image.shape());
  const int64_t channels = image.channels;
  CNN_CHECK(mean.size() == 1 || static_cast<int64_t>(mean.size()) == channels,
            "Normalize: has statistics for {} channels, got an image {}", mean.size(), image.shape());
  const int64_t plane = image.height * image.width;
  for (int64_t c = 0; c < channels; ++c) {
    const size_t k = mean.size() == 1 ? 0 : static_cast<size_t>(c);
    const float m = mean[k], s = std[k];
    float* p = image.values.data() + c * plane;
    for (int64_t i = 0; i < plane; ++i) p[i] = (p[i] - m) / s;
  }
}

void pad(Image& image, const Padding& p, PaddingMode mode, double fill) {
  const int64_t h = image.height, w = image.width;
  CNN_CHECK(mode != PaddingMode::reflect || (h > 0 && w > 0), "pad: cannot reflect-pad an empty image {}",
            image.shape());
  const CropBox all{0, 0, h + p.top + p.bottom, w + p.left + p.right};
  pad_crop(image, p, all, mode, fill);
}

void pad_crop(Image& image, const Padding& p, const CropBox& box, PaddingMode mode, double fill) {
  CNN_CHECK(box.height >= 0 && box.width >= 0, "crop: negative size {} x {}", box.height, box.width);
  const int64_t h = image.height, w = image.width;
  const int64_t dy = box.top - p.top, dx = box.left - p.left;
  remap(
      image, box.height, box.width, [&](int64_t y) { return source_index(y + dy, h, mode); },
      [&](int64_t x) { return source_index(x + dx, w, mode); }, fill);
}

void crop(Image& image, const CropBox& box) { pad_crop(image, Padding{}, box, PaddingMode::constant, 0.0); }

void center_crop(Image& image, ImageSize size) {
  CNN_CHECK(size.height > 0 && size.width > 0, "CenterCrop: expected a positive size, got {} x {}", size.height,
            size.width);
  if (size.width > image.width || size.height > image.height) {
    const int64_t dw = std::max<int64_t>(size.width - image.width, 0);
    const int64_t dh = std::max<int64_t>(size.height - image.height, 0);
    pad(image, Padding{dw / 2, dh / 2, (dw + 1) / 2, (dh + 1) / 2}, PaddingMode::constant, 0.0);
    if (size.width == image.width && size.height == image.height) return;
  }
  // Python's round(): halves go to the even neighbour, as torchvision computes the offsets.
  const auto top = static_cast<int64_t>(std::nearbyint(static_cast<double>(image.height - size.height) / 2.0));
  const auto left = static_cast<int64_t>(std::nearbyint(static_cast<double>(image.width - size.width) / 2.0));
  crop(image, CropBox{top, left, size.height, size.width});
}

void hflip(Image& image) {
  const int64_t w = image.width;
  remap(
      image, image.height, w, [](int64_t y) { return y; }, [w](int64_t x) { return w - 1 - x; }, 0.0);
}

void vflip(Image& image) {
  const int64_t h = image.height;
  remap(
      image, h, image.width, [h](int64_t y) { return h - 1 - y; }, [](int64_t x) { return x; }, 0.0);
}

void erase(Image& image, const CropBox& box, const std::vector<float>& value) {
  CNN_CHECK(!image.is_bytes(), "erase: expected a float image, got bytes {}\nHINT: RandomErasing comes after ToTensor",
            image.shape());
  CNN_CHECK(
      box.top >= 0 && box.left >= 0 && box.top + box.height <= image.height && box.left + box.width <= image.width,
      "erase: box (top {}, left {}, {} x {}) outside the image {}", box.top, box.left, box.height, box.width,
      image.shape());
  const int64_t c = image.channels, area = box.height * box.width;
  const auto n = static_cast<int64_t>(value.size());
  CNN_CHECK(n == 1 || n == c || n == c * area,
            "erase: expected 1, {} (one per channel) or {} (per pixel) values, got {}", c, c * area, n);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t y = 0; y < box.height; ++y)
      for (int64_t x = 0; x < box.width; ++x) {
        const int64_t v = n == 1 ? 0 : n == c ? k : (k * box.height + y) * box.width + x;
        image.values[static_cast<size_t>((k * image.height + box.top + y) * image.width + box.left + x)] =
            value[static_cast<size_t>(v)];
      }
}

}  // namespace cnn::transforms

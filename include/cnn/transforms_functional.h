// The deterministic image functions behind the transforms, as torchvision.transforms.functional: crop, pad,
// flip, resize, rotate, colour adjustments, erase, to_tensor, normalize. Not random: transforms.h draws the
// parameters. Every function works in place on an Image and accepts both formats unless it says otherwise.
#pragma once

#include <cnn/dataset.h>

#include <optional>
#include <vector>

namespace cnn::transforms {

/// A (height, width) pair; an integer makes it square: RandomCrop(32) crops 32 x 32.
struct ImageSize {
  int64_t height = 0, width = 0;
  ImageSize(int64_t side) : height(side), width(side) {}  // NOLINT: implicit on purpose, as torchvision's int
  ImageSize(int64_t h, int64_t w) : height(h), width(w) {}
  bool operator==(const ImageSize&) const = default;
};

/// A crop rectangle in pixels (top-left corner and size).
struct CropBox {
  int64_t top = 0, left = 0, height = 0, width = 0;
  bool operator==(const CropBox&) const = default;
};

/// How pad() fills the border, as torchvision's padding_mode: constant (fill), edge (repeat the last pixel),
/// reflect (mirror without repeating the edge: 2 1 | 1 2 3 | 2 1... as 3 2 | 1 2 3 | 2 1) and symmetric (with it).
enum class PaddingMode { constant, edge, reflect, symmetric };
/// Pixel interpolation. bilinear resizing is PIL's (antialiased when shrinking), as torchvision on PIL images.
enum class Interpolation { nearest, bilinear };

/// Pixels added on each side; from torchvision's padding argument: {p}, {left/right, top/bottom} or
/// {left, top, right, bottom}.
struct Padding {
  int64_t left = 0, top = 0, right = 0, bottom = 0;
  static Padding from(const std::vector<int64_t>& padding);
};

/// HWC bytes to CHW floats in [0, 1] (byte / 255), as F.to_tensor. Requires a u8 image.
void to_tensor(Image& image);
/// (x - mean[c]) / std[c], as F.normalize; one value or one per channel. Requires an f32 image.
void normalize(Image& image, const std::vector<float>& mean, const std::vector<float>& std);

/// Adds a border, as F.pad. `fill` is in the image's units (0..255 for bytes).
void pad(Image& image, const Padding& padding, PaddingMode mode = PaddingMode::constant, double fill = 0.0);
/// Keeps `box`, as F.crop; parts of the box outside the image are filled with 0.
void crop(Image& image, const CropBox& box);
/// crop() of the image padded by `padding` (box in padded coordinates) in one pass: RandomCrop's work.
void pad_crop(Image& image, const Padding& padding, const CropBox& box, PaddingMode mode, double fill);
/// The centre `size`, as F.center_crop (top = round((H - h) / 2), ties to even; zero padding if too small).
void center_crop(Image& image, ImageSize size);
void hflip(Image& image);
void vflip(Image& image);

/// The output size of Resize(shorter_side): the shorter side becomes `shorter_side`, the longer one
/// int(shorter_side * long / short), capped by max_size as torchvision does.
ImageSize resize_output_size(int64_t height, int64_t width, int64_t shorter_side,
                             std::optional<int64_t> max_size = std::nullopt);
/// Resamples to exactly `size`, as F.resize on a PIL image: bilinear is PIL's two-pass triangle filter
/// (antialiased, 8-bit fixed point for bytes), nearest picks floor((i + 0.5) * in / out).
void resize(Image& image, ImageSize size, Interpolation interpolation = Interpolation::bilinear);
/// crop(box) then resize(size), as F.resized_crop.
void resized_crop(Image& image, const CropBox& box, ImageSize size,
                  Interpolation interpolation = Interpolation::bilinear);
/// Rotates counter-clockwise by `degrees` about the centre, keeping the size, as F.rotate (PIL's Image.rotate):
/// pixels from outside the image get `fill`.
void rotate(Image& image, double degrees, Interpolation interpolation = Interpolation::nearest, double fill = 0.0);

/// Colour adjustments with torchvision's tensor semantics (on bytes: computed in float, clamped, truncated):
/// brightness blends with black, contrast with the mean grey level, saturation with the grey image; hue shifts
/// H in HSV by `factor` (in [-0.5, 0.5]). Saturation and hue leave 1-channel images unchanged.
void adjust_brightness(Image& image, double factor);
void adjust_contrast(Image& image, double factor);
void adjust_saturation(Image& image, double factor);
void adjust_hue(Image& image, double factor);

/// Overwrites `box` with `value` (one per channel, or one for all), as F.erase. Requires an f32 image.
void erase(Image& image, const CropBox& box, const std::vector<float>& value);

}  // namespace cnn::transforms

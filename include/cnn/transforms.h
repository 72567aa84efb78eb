// Image transforms as torchvision.transforms (namespace T = cnn::transforms): small composable objects whose
// randomness comes from the sample's SampleRng, so results depend on (seed, epoch, index) only. Not the pixel work
// itself (transforms_functional.h) nor timm's recipes (transforms_factory.h).
#pragma once

#include <cnn/dataset.h>
#include <cnn/transforms_functional.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnn::transforms {

/// A closed interval [low, high] for a random parameter.
struct Range {
  double low = 0.0, high = 0.0;
};

/// Applies transforms in order. Usage: auto t = compose(RandomCrop(32, {.padding = {4}}), ToTensor());
class Compose : public Transform {
 public:
  explicit Compose(std::vector<std::shared_ptr<const Transform>> transforms);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;
  const std::vector<std::shared_ptr<const Transform>>& transforms() const { return transforms_; }

 private:
  std::vector<std::shared_ptr<const Transform>> transforms_;
};
/// compose(RandomHorizontalFlip(), ToTensor(), Normalize(...)): a shared Compose of copies of the arguments.
template <class... T>
std::shared_ptr<Compose> compose(T... transforms) {
  return std::make_shared<Compose>(
      std::vector<std::shared_ptr<const Transform>>{std::make_shared<const T>(std::move(transforms))...});
}

/// HWC bytes to a CHW float image in [0, 1], as transforms.ToTensor.
class ToTensor : public Transform {
 public:
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override { return "ToTensor()"; }
};

/// (x - mean[c]) / std[c] per channel on float images, as transforms.Normalize. Usage: Normalize({0.1307}, {0.3081})
class Normalize : public Transform {
 public:
  Normalize(std::vector<float> mean, std::vector<float> std);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;
  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& std() const { return std_; }

 private:
  std::vector<float> mean_, std_;
};

struct ResizeOptions {
  Interpolation interpolation = Interpolation::bilinear;
  /// With a shorter-side size: the longer side is capped at this (torchvision's max_size).
  std::optional<int64_t> max_size = std::nullopt;
};
/// Resize(n) scales the shorter side to n keeping the aspect ratio; Resize({h, w}) resizes to exactly h x w.
class Resize : public Transform {
 public:
  explicit Resize(int64_t shorter_side, ResizeOptions options = {});
  explicit Resize(ImageSize size, ResizeOptions options = {});
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  std::optional<int64_t> shorter_side_;
  ImageSize size_;
  ResizeOptions options_;
};

/// The centre crop of the given size (zero-padded when the image is smaller), as transforms.CenterCrop.
class CenterCrop : public Transform {
 public:
  explicit CenterCrop(ImageSize size);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  ImageSize size_;
};

struct RandomCropOptions {
  std::vector<int64_t> padding = {};  // {p}, {left/right, top/bottom} or {left, top, right, bottom}
  bool pad_if_needed = false;
  double fill = 0.0;  // constant padding value, in the image's units
  PaddingMode padding_mode = PaddingMode::constant;
};
/// Pads (optionally), then crops `size` at a uniformly random place, as transforms.RandomCrop.
/// Usage: RandomCrop(32, {.padding = {4}, .padding_mode = PaddingMode::reflect})
class RandomCrop : public Transform {
 public:
  explicit RandomCrop(ImageSize size, RandomCropOptions options = {});
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  ImageSize size_;
  RandomCropOptions options_;
  Padding padding_;
};

/// Mirrors left-right with probability p, as transforms.RandomHorizontalFlip.
class RandomHorizontalFlip : public Transform {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  double p_;
};

/// Mirrors top-bottom with probability p, as transforms.RandomVerticalFlip.
class RandomVerticalFlip : public Transform {
 public:
  explicit RandomVerticalFlip(double p = 0.5);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  double p_;
};

struct RandomRotationOptions {
  Interpolation interpolation = Interpolation::nearest;  // torchvision's default; bilinear is smoother
  double fill = 0.0;
};
/// Rotates by an angle uniform in [-degrees, degrees] (or in `range`), as transforms.RandomRotation.
class RandomRotation : public Transform {
 public:
  explicit RandomRotation(double degrees, RandomRotationOptions options = {});
  RandomRotation(Range range, RandomRotationOptions options);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  Range range_;
  RandomRotationOptions options_;
};

struct RandomResizedCropOptions {
  Range scale = {0.08, 1.0};             // of the image area
  Range ratio = {3.0 / 4.0, 4.0 / 3.0};  // width / height, sampled log-uniformly
  Interpolation interpolation = Interpolation::bilinear;
};
/// A random area and aspect ratio crop resized to `size`, as transforms.RandomResizedCrop (Inception's).
class RandomResizedCrop : public Transform {
 public:
  explicit RandomResizedCrop(ImageSize size, RandomResizedCropOptions options = {});
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;
  /// torchvision's get_params: 10 tries at a box inside the image, then the centre crop clamped to `ratio`.
  static CropBox get_params(int64_t height, int64_t width, Range scale, Range ratio, SampleRng& rng);

 private:
  ImageSize size_;
  RandomResizedCropOptions options_;
};

struct ColorJitterOptions {
  double brightness = 0.0;  // factor uniform in [max(0, 1 - b), 1 + b]
  double contrast = 0.0;    // likewise
  double saturation = 0.0;  // likewise
  double hue = 0.0;         // shift uniform in [-h, h], h <= 0.5
};
/// Random brightness, contrast, saturation and hue changes applied in a random order, as transforms.ColorJitter.
class ColorJitter : public Transform {
 public:
  explicit ColorJitter(ColorJitterOptions options);
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  ColorJitterOptions options_;
};

struct RandomErasingOptions {
  double p = 0.5;
  Range scale = {0.02, 0.33};         // of the image area
  Range ratio = {0.3, 3.3};           // height / width, sampled log-uniformly
  std::vector<float> value = {0.0f};  // one per channel, or one for all
  bool random_value = false;  // per-pixel standard normal values instead (torchvision's value="random", timm's "pixel")
};
/// Cutout: erases a random rectangle of a float image (after Normalize), as transforms.RandomErasing.
class RandomErasing : public Transform {
 public:
  explicit RandomErasing(RandomErasingOptions options = {});
  void apply(Image& image, SampleRng& rng) const override;
  std::string repr() const override;

 private:
  RandomErasingOptions options_;
};

}  // namespace cnn::transforms

// The Dataset interface and what it hands out: Image (uint8 HWC as loaded, or f32 CHW after ToTensor), the
// per-sample generator, the Transform base class, subsets and seeded splits. Not file readers (datasets.h),
// concrete transforms (transforms.h) nor batching (loader.h).
#pragma once

#include <cnn/tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cnn {

/// How an Image holds its pixels.
enum class ImageFormat {
  u8_hwc,   // bytes, height x width x channels: as a PIL image; what readers produce
  f32_chw,  // floats, channels x height x width: as a tensor after ToTensor
};

/// One image between loading and batching. Transforms change it in place and may swap `bytes`/`values` with the
/// spare buffers, so a worker that reuses one Image allocates nothing once the buffers have grown.
/// Usage: Image im = Image::from_tensor(t);  im.at(y, x, c) = 255;  Tensor back = im.to_tensor();
struct Image {
  ImageFormat format = ImageFormat::u8_hwc;
  int64_t channels = 0, height = 0, width = 0;
  std::vector<uint8_t> bytes;        // u8_hwc pixels
  std::vector<float> values;         // f32_chw pixels
  std::vector<uint8_t> spare_bytes;  // scratch for transforms that change the size
  std::vector<float> spare_values;

  bool is_bytes() const { return format == ImageFormat::u8_hwc; }
  /// [C, H, W], whatever the format (as torchvision's get_dimensions).
  Shape shape() const { return Shape{channels, height, width}; }
  int64_t numel() const { return channels * height * width; }
  /// Makes this a u8_hwc (or f32_chw) image of the given size; keeps the buffers' capacity.
  void reset_bytes(int64_t height, int64_t width, int64_t channels);
  void reset_values(int64_t channels, int64_t height, int64_t width);
  uint8_t& at(int64_t y, int64_t x, int64_t c) { return bytes[static_cast<size_t>((y * width + x) * channels + c)]; }
  uint8_t at(int64_t y, int64_t x, int64_t c) const {
    return bytes[static_cast<size_t>((y * width + x) * channels + c)];
  }

  /// An f32 CHW image from a tensor [C, H, W] (any dtype convertible to f32, any strides).
  static Image from_tensor(const Tensor& chw);
  /// A u8 HWC image from bytes (height * width * channels of them).
  static Image from_bytes(int64_t height, int64_t width, int64_t channels, std::vector<uint8_t> bytes);
  /// A tensor [C, H, W] f32: the values, or the bytes divided by 255 (as ToTensor).
  Tensor to_tensor() const;
  /// Writes to_tensor()'s values into `out` (numel() floats) without allocating.
  void write_chw(float* out) const;
};

/// The generator a sample's random transforms draw from, seeded by (seed, epoch, index) so that augmentations do
/// not depend on the number of loader workers or the order they run in. xoshiro256** seeded through splitmix64:
/// cheap to create per sample; not PyTorch's stream (same seed, different numbers from torchvision's).
/// Usage: SampleRng rng(seed, epoch, index);  if (rng.uniform() < p) ...
class SampleRng {
 public:
  explicit SampleRng(uint64_t seed = 0, int64_t epoch = 0, int64_t index = 0);
  uint64_t next_u64();
  /// Uniform on [0, 1) (53 bits), or on [low, high).
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Uniform integer on [low, high), as torch.randint(low, high); high > low.
  int64_t randint(int64_t low, int64_t high);
  /// Standard normal (Box-Muller).
  double normal();

 private:
  uint64_t s_[4];
};

/// One sample as tensors: an image [C, H, W] f32 and its class index.
struct Example {
  Tensor image;
  int64_t label = 0;
};

/// A transform of one image, as a torchvision transform: changes `image` in place (size and format may change),
/// drawing any randomness from `rng`. Implementations are const and thread-safe (loader workers share them).
class Transform {
 public:
  virtual ~Transform() = default;
  virtual void apply(Image& image, SampleRng& rng) const = 0;
  /// How torchvision prints it, e.g. "RandomCrop(size=(32, 32), padding=4)".
  virtual std::string repr() const = 0;
  /// The transformed copy of an image tensor [C, H, W] (f32), randomness from SampleRng(seed).
  Tensor operator()(const Tensor& image, uint64_t seed = 0) const;
  /// The transformed copy of an Image, randomness from SampleRng(seed).
  Image operator()(Image image, uint64_t seed = 0) const;
};

/// Map-style dataset, as torch.utils.data.Dataset. get_into must be thread-safe: loader workers call it at once.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  /// Writes sample i (0 <= i < size()) into `out`, reusing its buffers, and returns its label; random transforms
  /// draw from `rng`. The DataLoader's path: no allocation per sample once `out` has grown.
  virtual int64_t get_into(int64_t i, Image& out, SampleRng& rng) const = 0;
  /// The label of sample i without loading or transforming its image (the default does load it).
  virtual int64_t label(int64_t i) const;
  /// Class names when the dataset knows them (index = label), else empty.
  virtual std::vector<std::string> classes() const { return {}; }
  /// Shape [C, H, W] of get(0)'s image (readers override it when they know it without loading).
  virtual Shape image_shape() const;

  /// Sample i as tensors, with the randomness of (seed, epoch 0, index i); bytes become [0, 1] floats.
  Example get(int64_t i, uint64_t seed = 0) const;
};

/// A view of another dataset: the samples at `indices`, or the first `count`, as torch.utils.data.Subset.
/// Usage: SubsetDataset first100(base, 100);  SubsetDataset picked(base, std::vector<int64_t>{3, 1, 4});
class SubsetDataset : public Dataset {
 public:
  SubsetDataset(std::shared_ptr<const Dataset> base, int64_t count);
  SubsetDataset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices);
  int64_t size() const override { return static_cast<int64_t>(indices_.size()); }
  int64_t get_into(int64_t i, Image& out, SampleRng& rng) const override;
  int64_t label(int64_t i) const override;
  std::vector<std::string> classes() const override { return base_->classes(); }
  Shape image_shape() const override { return base_->image_shape(); }
  /// The base dataset's index of each sample, so the same split can be cut from another (differently
  /// transformed) copy of the data.
  const std::vector<int64_t>& indices() const { return indices_; }
  const std::shared_ptr<const Dataset>& base() const { return base_; }

 private:
  std::shared_ptr<const Dataset> base_;
  std::vector<int64_t> indices_;
};

/// Another dataset with a transform applied after its own, e.g. augmentation on the training part of a split only.
/// Usage: auto train = std::make_shared<TransformedDataset>(parts[0], train_transform);
class TransformedDataset : public Dataset {
 public:
  TransformedDataset(std::shared_ptr<const Dataset> base, std::shared_ptr<const Transform> transform);
  int64_t size() const override { return base_->size(); }
  int64_t get_into(int64_t i, Image& out, SampleRng& rng) const override;
  int64_t label(int64_t i) const override { return base_->label(i); }
  std::vector<std::string> classes() const override { return base_->classes(); }
  const Transform& transform() const { return *transform_; }

 private:
  std::shared_ptr<const Dataset> base_;
  std::shared_ptr<const Transform> transform_;
};

/// Splits a dataset into non-overlapping random subsets of the given lengths (summing to its size), as
/// torch.utils.data.random_split; the same seed gives the same split (not torch's permutation).
/// Usage: auto parts = random_split(data, {45000, 5000}, 42);
std::vector<std::shared_ptr<SubsetDataset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                         const std::vector<int64_t>& lengths, uint64_t seed);
/// random_split into (train, validation) with round(val_fraction * size) validation samples; 0 < fraction < 1.
/// Usage: auto [train, val] = train_val_split(data, 0.1, 42);
std::pair<std::shared_ptr<SubsetDataset>, std::shared_ptr<SubsetDataset>> train_val_split(
    std::shared_ptr<const Dataset> dataset, double val_fraction, uint64_t seed);

}  // namespace cnn

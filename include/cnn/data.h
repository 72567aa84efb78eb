// Data: the IDX reader, the Dataset interface, MNIST-style datasets, transforms and a prefetching DataLoader.
// Not augmentation pipelines or image decoding: samples are small images already in memory as bytes.
#pragma once

#include <cnn/tensor.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnn {

// ---- IDX files (data/idx.cpp) ------------------------------------------------------------------

/// An unsigned-byte IDX array: dims from the header, the bytes in row-major order.
struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;
};
/// Reads an IDX file of unsigned bytes, gzip-compressed or raw (zlib tells them apart). Checks the magic
/// number (0x00000800 + expected_ndim) and that the data fills the header's sizes exactly; any problem
/// throws cnn::Error naming the path, what was expected and what was found, plus a HINT line.
/// Usage: IdxArray images = read_idx("train-images-idx3-ubyte.gz", 3);
IdxArray read_idx(const std::string& path, int expected_ndim);
/// Writes an unsigned-byte IDX file (gzip-compressed when the path ends in .gz); for tests and tools.
void write_idx(const std::string& path, const IdxArray& array);

// ---- Datasets (data/mnist.cpp) ------------------------------------------------------------------

/// One sample: an image [C, H, W] f32 in [0, 1] (or normalised by a transform) and its class index.
struct Example {
  Tensor image;
  int64_t label = 0;
};

/// A transform of one image in place, as torchvision.transforms; `shape` is [C, H, W].
class Transform {
 public:
  virtual ~Transform() = default;
  virtual void apply(float* image, const Shape& shape) const = 0;
  /// The transformed copy of an image tensor [C, H, W].
  Tensor operator()(const Tensor& image) const;
};

/// (x - mean[c]) / std[c] per channel, as transforms.Normalize. Usage: Normalize({0.1307f}, {0.3081f}).
class Normalize : public Transform {
 public:
  Normalize(std::vector<float> mean, std::vector<float> std);
  void apply(float* image, const Shape& shape) const override;
  const std::vector<float>& mean() const { return mean_; }
  const std::vector<float>& std() const { return std_; }

 private:
  std::vector<float> mean_, std_;
};

/// Map-style dataset, as torch.utils.data.Dataset.
class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual int64_t size() const = 0;
  /// The sample at index i (0 <= i < size()).
  virtual Example get(int64_t i) const = 0;
  /// Shape [C, H, W] of every image.
  virtual Shape image_shape() const = 0;
  /// Writes sample i into caller-owned memory (image_shape().numel() floats): the DataLoader's path,
  /// which fills a batch without allocating per sample. The default copies from get(i).
  virtual void get_into(int64_t i, float* image, int64_t* label) const;
};

/// What the library knows about a named dataset: where it lives by default, its statistics and classes.
struct DatasetInfo {
  std::string name;               // "mnist" or "fashion-mnist"
  std::string default_dir;        // $CNN_DATA_DIR/mnist, or /usr/share/datasets/fashion-mnist
  float mean = 0.0f, std = 1.0f;  // of the training pixels in [0, 1]
  std::vector<std::string> classes;
};
/// Throws cnn::Error listing the known names when `name` is not one of dataset_names().
DatasetInfo dataset_info(const std::string& name);
std::vector<std::string> dataset_names();

/// MNIST-style data from IDX files in `dir`: train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz]
/// when train, t10k-* otherwise (MNIST and Fashion-MNIST share the layout). Holds the bytes and converts
/// each image to [1, 28, 28] f32 in [0, 1] on access, then applies `transform` when given.
/// Usage: MnistDataset test(dir, false, std::make_shared<Normalize>(std::vector{0.1307f}, std::vector{0.3081f}));
class MnistDataset : public Dataset {
 public:
  MnistDataset(const std::string& dir, bool train, std::shared_ptr<const Transform> transform = nullptr);
  int64_t size() const override { return count_; }
  Example get(int64_t i) const override;
  Shape image_shape() const override { return Shape{1, rows_, cols_}; }
  void get_into(int64_t i, float* image, int64_t* label) const override;
  /// The raw label of sample i, without touching its image.
  int64_t label(int64_t i) const;
  const std::string& images_path() const { return images_path_; }

 private:
  std::string images_path_;
  int64_t count_ = 0, rows_ = 0, cols_ = 0;
  std::vector<uint8_t> pixels_, labels_;
  std::shared_ptr<const Transform> transform_;
};

/// The train or test split of a named dataset ("mnist", "fashion-mnist") from `dir` (empty: the default
/// folder), normalised with the dataset's mean and std.
std::shared_ptr<MnistDataset> load_dataset(const std::string& name, const std::string& dir, bool train);

/// The first `count` samples of another dataset (or all of it when it has fewer), as torch.utils.data.Subset.
class SubsetDataset : public Dataset {
 public:
  SubsetDataset(std::shared_ptr<const Dataset> base, int64_t count);
  int64_t size() const override { return count_; }
  Example get(int64_t i) const override;
  Shape image_shape() const override { return base_->image_shape(); }
  void get_into(int64_t i, float* image, int64_t* label) const override;

 private:
  std::shared_ptr<const Dataset> base_;
  int64_t count_;
};

// ---- DataLoader (data/loader.cpp) --------------------------------------------------------------

/// A batch: images [B, C, H, W] f32 and labels [B] i64.
struct Batch {
  Tensor images;
  Tensor labels;
};

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;
  /// Shuffle seed; epoch e's order depends only on (seed, e). Unset: drawn once from the global generator.
  std::optional<uint64_t> seed = std::nullopt;
  /// Batches a background thread prepares ahead of the one in use (0: build each batch on the caller's thread).
  int64_t prefetch = 2;
};

/// One pass over the data with its prefetch thread (defined in data/loader.cpp).
class EpochRun;

/// Batches over a dataset, as torch.utils.data.DataLoader. Each begin() starts the next epoch (0, 1, ...)
/// with its own order; a background thread builds the next batches while the caller trains.
/// Usage: for (const Batch& b : loader) { ... b.images ... b.labels ... }
class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);

  /// Batches per epoch (len(loader)).
  int64_t size() const;
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  /// Sets the epoch the next begin() starts (as DistributedSampler.set_epoch).
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }
  /// The sample order of an epoch: 0..n-1, or a permutation determined by (seed, epoch) when shuffling.
  std::vector<int64_t> order(int64_t epoch) const;

  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(std::shared_ptr<EpochRun> run);
    const Batch& operator*() const { return *current_; }
    const Batch* operator->() const { return &*current_; }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return current_.has_value() != other.current_.has_value(); }
    bool operator==(const Iterator& other) const { return !(*this != other); }

   private:
    std::shared_ptr<EpochRun> run_;
    std::optional<Batch> current_;
  };
  /// Starts epoch epoch() and advances the counter.
  Iterator begin();
  Iterator end() { return Iterator(); }

 private:
  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  uint64_t seed_ = 0;
  int64_t epoch_ = 0;
};

}  // namespace cnn

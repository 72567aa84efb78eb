// Dataset readers, as torchvision.datasets: MNIST-style IDX files, CIFAR-10/100 binary batches, and image folders
// (one sub-folder per class; PNG, JPEG, BMP through stb_image); plus reading and writing single image files.
// Not downloading (download.h) nor the named-dataset table (data.h). Readers yield uint8 HWC images.
#pragma once

#include <cnn/dataset.h>

#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// MNIST-style data from IDX files in `dir`: train-images-idx3-ubyte[.gz] + train-labels-idx1-ubyte[.gz] when
/// train, t10k-* otherwise (MNIST and Fashion-MNIST share the layout). Images are [1, 28, 28] bytes; `transform`
/// (if any) runs on them, so pass ToTensor + Normalize for normalised floats.
/// Usage: MnistDataset test(dir, false, transforms::compose(transforms::ToTensor()));
class MnistDataset : public Dataset {
 public:
  MnistDataset(const std::string& dir, bool train, std::shared_ptr<const Transform> transform = nullptr);
  int64_t size() const override { return count_; }
  int64_t get_into(int64_t i, Image& out, SampleRng& rng) const override;
  int64_t label(int64_t i) const override;
  Shape image_shape() const override;
  const std::string& images_path() const { return images_path_; }

 private:
  std::string images_path_;
  int64_t count_ = 0, rows_ = 0, cols_ = 0;
  std::vector<uint8_t> pixels_, labels_;
  std::shared_ptr<const Transform> transform_;
};

enum class CifarKind { cifar10, cifar100 };

struct CifarOptions {
  CifarKind kind = CifarKind::cifar10;
  bool train = true;
  std::shared_ptr<const Transform> transform = nullptr;
  bool coarse_labels = false;  // CIFAR-100 only: the 20 superclasses instead of the 100 classes
};

/// CIFAR-10 or CIFAR-100 from the official binary version in `dir` (cifar-10-batches-bin: data_batch_1..5.bin +
/// test_batch.bin, records of 1 label byte and 3072 pixel bytes in R, G, B planes of 32 x 32; cifar-100-binary:
/// train.bin / test.bin with a coarse and a fine label byte). Checks file sizes and label ranges. `dir` may also
/// be the folder that holds cifar-10-batches-bin / cifar-100-binary. Images are [3, 32, 32] bytes.
/// Usage: CifarDataset train(dir, {.train = true, .transform = t});
class CifarDataset : public Dataset {
 public:
  explicit CifarDataset(const std::string& dir, CifarOptions options = {});
  int64_t size() const override { return static_cast<int64_t>(labels_.size()); }
  int64_t get_into(int64_t i, Image& out, SampleRng& rng) const override;
  int64_t label(int64_t i) const override;
  std::vector<std::string> classes() const override { return classes_; }
  Shape image_shape() const override;
  /// The files read, in order.
  const std::vector<std::string>& files() const { return files_; }

 private:
  CifarOptions options_;
  std::vector<std::string> files_, classes_;
  std::vector<uint8_t> pixels_;  // HWC, 3072 bytes per image
  std::vector<uint8_t> labels_;
};
/// Class names of CIFAR-10, CIFAR-100 (fine) and CIFAR-100 (coarse), as in the official meta files.
const std::vector<std::string>& cifar_classes(CifarKind kind, bool coarse = false);
/// Writes records in the CIFAR binary layout (for tests and tools): images [N, 32, 32, 3] HWC bytes, one label
/// per image (CIFAR-100: coarse label 0 and the fine label).
void write_cifar_file(const std::string& path, CifarKind kind, const std::vector<uint8_t>& hwc_images,
                      const std::vector<uint8_t>& labels);

/// How an image file's channels are converted on loading.
enum class ImageMode {
  rgb,        // 3 channels (as PIL's convert("RGB"), torchvision's default loader)
  grayscale,  // 1 channel (stb's luma)
};

/// Reads a PNG, JPEG, BMP (or other stb-readable) file into a u8 HWC image with 3 or 1 channels.
/// Errors name the path and stb's reason, with a HINT.
Image read_image(const std::string& path, ImageMode mode = ImageMode::rgb);
/// Writes a u8 image as PNG, JPEG (quality 95) or BMP, chosen by the extension.
void write_image(const std::string& path, const Image& image);

struct ImageFolderOptions {
  std::shared_ptr<const Transform> transform = nullptr;
  ImageMode mode = ImageMode::rgb;
};
/// root/<class>/**/<image>: classes are the sorted sub-folder names (label = position), files are found
/// recursively and sorted, as torchvision.datasets.ImageFolder. Extensions: .png .jpg .jpeg .bmp (any case).
/// Images are decoded on each access (thread-safe).
/// Usage: ImageFolder train("data/pets/train", {.transform = t});
class ImageFolder : public Dataset {
 public:
  explicit ImageFolder(const std::string& root, ImageFolderOptions options = {});
  int64_t size() const override { return static_cast<int64_t>(samples_.size()); }
  int64_t get_into(int64_t i, Image& out, SampleRng& rng) const override;
  int64_t label(int64_t i) const override;
  std::vector<std::string> classes() const override { return classes_; }
  /// (path, label) of every sample, in order.
  const std::vector<std::pair<std::string, int64_t>>& samples() const { return samples_; }
  /// The sorted sub-folder names of root: the classes an ImageFolder over root would have.
  static std::vector<std::string> find_classes(const std::string& root);

 private:
  std::string root_;
  ImageFolderOptions options_;
  std::vector<std::string> classes_;
  std::vector<std::pair<std::string, int64_t>> samples_;
};

}  // namespace cnn

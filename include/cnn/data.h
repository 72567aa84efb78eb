// Data: the table of contents of cnnkit's data layer (datasets, transforms, loader, downloads), the IDX file
// format, named datasets (default folders, statistics, classes) and per-channel statistics of a dataset.
// Not the pieces themselves: see dataset.h, datasets.h, transforms*.h, loader.h and download.h.
#pragma once

#include <cnn/dataset.h>
#include <cnn/datasets.h>
#include <cnn/download.h>
#include <cnn/loader.h>
#include <cnn/tensor.h>
#include <cnn/transforms.h>
#include <cnn/transforms_factory.h>

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

// ---- Named datasets (data/named.cpp) ------------------------------------------------------------

/// What the library knows about a named dataset: where it lives by default, its statistics and classes.
struct DatasetInfo {
  std::string name;                // "mnist", "fashion-mnist", "cifar10", "cifar100" or "imagefolder"
  std::string default_dir;         // under $CNN_DATA_DIR (else ./data); Debian's copy for fashion-mnist
  std::vector<float> mean, std;    // per channel, of the training pixels in [0, 1]
  std::vector<std::string> classes;  // empty for image folders (their sub-folders name them)
  Shape image_shape;               // [C, H, W] of the raw images; empty for image folders
};
/// Throws cnn::Error listing the known names when `name` is not one of dataset_names().
DatasetInfo dataset_info(const std::string& name);
std::vector<std::string> dataset_names();

/// The folder holding a named dataset's files: `dir` itself, or dir/<official folder> (cifar-10-batches-bin,
/// mnist, ...) when `dir` is the root above it; empty `dir` means the default folder.
std::string resolve_data_dir(const std::string& name, const std::string& dir);

/// The train or test split of a named dataset from `dir` (see resolve_data_dir), yielding uint8 images passed
/// through `transform` when given. imagefolder reads dir/train, and dir/val (or validation, or test) for test.
/// Usage: auto train = open_dataset("cifar10", "", true, transforms::create_transform(config, Shape{3, 32, 32}));
std::shared_ptr<Dataset> open_dataset(const std::string& name, const std::string& dir, bool train,
                                      std::shared_ptr<const Transform> transform = nullptr);
/// open_dataset with ToTensor and Normalize(info.mean, info.std): what training without augmentation uses.
std::shared_ptr<Dataset> load_dataset(const std::string& name, const std::string& dir, bool train);

// ---- Statistics (data/stats.cpp) ---------------------------------------------------------------

/// Per-channel mean and standard deviation of a dataset's images with pixels in [0, 1] (over every pixel of
/// every image), as computed for transforms.Normalize.
struct ChannelStats {
  std::vector<double> mean, std;
  int64_t images = 0;
};
/// Reads the first max_images samples (-1: all) on `threads` threads (sample i gets SampleRng(0, 0, i)).
/// Usage: ChannelStats s = channel_stats(*open_dataset("cifar10", "", true));
ChannelStats channel_stats(const Dataset& dataset, int64_t max_images = -1, int64_t threads = 1);

}  // namespace cnn

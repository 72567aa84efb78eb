// MNIST-style datasets (MNIST, Fashion-MNIST) from IDX files: [1, 28, 28] byte images and their labels.
// Not a downloader (download.cpp) nor the table of named datasets (named.cpp).
#include <cnn/data.h>

#include <cstring>
#include <filesystem>

namespace cnn {

namespace fs = std::filesystem;

namespace {

// dir/prefix-kind-idxN-ubyte[.gz], also accepting the "prefix-kind.idxN-ubyte" spelling some mirrors use.
std::string find_idx(const std::string& dir, const std::string& prefix, const std::string& kind, int ndim) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(
        fmt::format("mnist: data folder {} does not exist\nHINT: pass the folder holding "
                    "{}-{}-idx{}-ubyte.gz with --data-dir, or set CNN_DATA_DIR",
                    dir, prefix, kind, ndim));
  for (const char* sep : {"-", "."})
    for (const char* ext : {".gz", ""}) {
      const std::string path =
          (fs::path(dir) / fmt::format("{}-{}{}idx{}-ubyte{}", prefix, kind, sep, ndim, ext)).string();
      if (fs::exists(path, ec)) return path;
    }
  throw Error(
      fmt::format("mnist: no {0}-{1}-idx{2}-ubyte.gz (or uncompressed {0}-{1}-idx{2}-ubyte) in {3}\n"
                  "HINT: the folder must hold the four IDX files train-images, train-labels, t10k-images, "
                  "t10k-labels",
                  prefix, kind, ndim, dir));
}

}  // namespace

MnistDataset::MnistDataset(const std::string& dir, bool train, std::shared_ptr<const Transform> transform)
    : transform_(std::move(transform)) {
  const std::string prefix = train ? "train" : "t10k";
  images_path_ = find_idx(dir, prefix, "images", 3);
  const std::string labels_path = find_idx(dir, prefix, "labels", 1);
  IdxArray images = read_idx(images_path_, 3);
  IdxArray labels = read_idx(labels_path, 1);
  if (images.dims[0] != labels.dims[0])
    throw Error(
        fmt::format("mnist: {} holds {} images but {} holds {} labels\nHINT: the two files come from "
                    "different datasets or splits; fetch matching files",
                    images_path_, images.dims[0], labels_path, labels.dims[0]));
  CNN_CHECK(images.dims[1] > 0 && images.dims[2] > 0, "mnist: {}: images of size {} x {}\nHINT: fetch the file again",
            images_path_, images.dims[1], images.dims[2]);
  CNN_CHECK(images.dims[0] > 0, "mnist: {} holds no images (an empty split)\nHINT: fetch the file again",
            images_path_);
  for (size_t i = 0; i < labels.data.size(); ++i)
    CNN_CHECK(labels.data[i] < 10,
              "mnist: {}: label {} at index {}, expected 0..9 (the dataset's 10 classes)\nHINT: the file is corrupt or "
              "not an MNIST-style labels file; fetch it again",
              labels_path, labels.data[i], i);
  count_ = images.dims[0];
  rows_ = images.dims[1];
  cols_ = images.dims[2];
  pixels_ = std::move(images.data);
  labels_ = std::move(labels.data);
}

int64_t MnistDataset::label(int64_t i) const {
  CNN_CHECK(i >= 0 && i < count_, "mnist: index {} out of range for a dataset of {} samples", i, count_);
  return labels_[static_cast<size_t>(i)];
}

Shape MnistDataset::image_shape() const { return transform_ ? Dataset::image_shape() : Shape{1, rows_, cols_}; }

int64_t MnistDataset::get_into(int64_t i, Image& out, SampleRng& rng) const {
  const int64_t y = label(i);
  out.reset_bytes(rows_, cols_, 1);
  std::memcpy(out.bytes.data(), pixels_.data() + i * rows_ * cols_, static_cast<size_t>(rows_ * cols_));
  if (transform_) transform_->apply(out, rng);
  return y;
}

}  // namespace cnn

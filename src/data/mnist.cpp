// MNIST-style datasets (MNIST, Fashion-MNIST) from IDX files, and the table of named datasets.
// Not a downloader: the files must already be on disk (see dataset_info for the default folders).
#include <cnn/data.h>

#include <cstdlib>
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

void MnistDataset::get_into(int64_t i, float* image, int64_t* label_out) const {
  *label_out = label(i);
  const int64_t n = rows_ * cols_;
  const uint8_t* src = pixels_.data() + i * n;
  for (int64_t k = 0; k < n; ++k) image[k] = static_cast<float>(src[k]) * (1.0f / 255.0f);
  if (transform_) transform_->apply(image, image_shape());
}

Example MnistDataset::get(int64_t i) const {
  Example e;
  e.image = Tensor::empty(image_shape());
  get_into(i, e.image.data<float>(), &e.label);
  return e;
}

std::vector<std::string> dataset_names() { return {"mnist", "fashion-mnist"}; }

DatasetInfo dataset_info(const std::string& name) {
  if (name == "mnist") {
    const char* root = std::getenv("CNN_DATA_DIR");
    return {"mnist",
            (fs::path(root && *root ? root : "data") / "mnist").string(),
            0.1307f,
            0.3081f,
            {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}};
  }
  if (name == "fashion-mnist")
    return {"fashion-mnist",
            "/usr/share/datasets/fashion-mnist",
            0.2860f,
            0.3530f,
            {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}};
  throw Error(fmt::format("dataset: unknown name '{}'; known: {}", name, fmt::join(dataset_names(), ", ")));
}

std::shared_ptr<MnistDataset> load_dataset(const std::string& name, const std::string& dir, bool train) {
  const DatasetInfo info = dataset_info(name);
  auto normalize = std::make_shared<Normalize>(std::vector<float>{info.mean}, std::vector<float>{info.std});
  return std::make_shared<MnistDataset>(dir.empty() ? info.default_dir : dir, train, normalize);
}

}  // namespace cnn

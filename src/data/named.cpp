// The table of named datasets (mnist, fashion-mnist, cifar10, cifar100, imagefolder): default folders, channel
// statistics, classes, and opening a split by name. Not the readers themselves (mnist.cpp, cifar.cpp, ...).
#include <cnn/data.h>

#include <cstdlib>
#include <filesystem>

namespace cnn {

namespace fs = std::filesystem;

namespace {

std::string data_root() {
  const char* root = std::getenv("CNN_DATA_DIR");
  return root && *root ? root : "data";
}

// The sub-folder a dataset occupies under the data root (as its official archive unpacks).
std::string official_folder(const std::string& name) {
  if (name == "cifar10") return "cifar-10-batches-bin";
  if (name == "cifar100") return "cifar-100-binary";
  return name;
}

const std::vector<std::string> kDigits{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
const std::vector<std::string> kFashion{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};

}  // namespace

std::vector<std::string> dataset_names() { return {"mnist", "fashion-mnist", "cifar10", "cifar100", "imagefolder"}; }

DatasetInfo dataset_info(const std::string& name) {
  const fs::path root = data_root();
  if (name == "mnist") return {name, (root / "mnist").string(), {0.1307f}, {0.3081f}, kDigits, Shape{1, 28, 28}};
  if (name == "fashion-mnist") {
    std::error_code ec;
    const fs::path own = root / "fashion-mnist";
    const std::string dir = fs::is_directory(own, ec) ? own.string() : "/usr/share/datasets/fashion-mnist";
    return {name, dir, {0.2860f}, {0.3530f}, kFashion, Shape{1, 28, 28}};
  }
  if (name == "cifar10")
    return {name,
            (root / official_folder(name)).string(),
            {0.4914f, 0.4822f, 0.4465f},
            {0.2470f, 0.2435f, 0.2616f},
            cifar_classes(CifarKind::cifar10),
            Shape{3, 32, 32}};
  if (name == "cifar100")
    return {name,
            (root / official_folder(name)).string(),
            {0.5071f, 0.4865f, 0.4409f},
            {0.2673f, 0.2564f, 0.2762f},
            cifar_classes(CifarKind::cifar100),
            Shape{3, 32, 32}};
  if (name == "imagefolder")
    return {name, (root / "imagefolder").string(), {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, {}, Shape{}};
  throw Error(fmt::format("dataset: unknown name '{}'; known: {}", name, fmt::join(dataset_names(), ", ")));
}

std::string resolve_data_dir(const std::string& name, const std::string& dir) {
  const DatasetInfo info = dataset_info(name);
  if (dir.empty()) return info.default_dir;
  std::error_code ec;
  const fs::path below = fs::path(dir) / official_folder(name);
  return name != "imagefolder" && fs::is_directory(below, ec) ? below.string() : dir;
}

std::shared_ptr<Dataset> open_dataset(const std::string& name, const std::string& dir, bool train,
                                      std::shared_ptr<const Transform> transform) {
  const std::string folder = resolve_data_dir(name, dir);
  if (name == "mnist" || name == "fashion-mnist") return std::make_shared<MnistDataset>(folder, train, transform);
  if (name == "cifar10" || name == "cifar100")
    return std::make_shared<CifarDataset>(
        folder, CifarOptions{.kind = name == "cifar10" ? CifarKind::cifar10 : CifarKind::cifar100,
                             .train = train,
                             .transform = transform});
  dataset_info(name);  // throws for unknown names
  std::error_code ec;
  std::string split = (fs::path(folder) / "train").string();
  if (!train) {
    split = (fs::path(folder) / "val").string();
    for (const char* alt : {"validation", "test"})
      if (!fs::is_directory(split, ec) && fs::is_directory(fs::path(folder) / alt, ec))
        split = (fs::path(folder) / alt).string();
  }
  CNN_CHECK(fs::is_directory(split, ec),
            "imagefolder: no folder {}\nHINT: --data-dir must hold train/ and val/ (or validation/ or test/), each "
            "with one sub-folder of images per class",
            split);
  auto folder_set = std::make_shared<ImageFolder>(split, ImageFolderOptions{.transform = transform});
  const fs::path train_split = fs::path(folder) / "train";
  if (!train && fs::is_directory(train_split, ec)) {
    // Labels are positions in the sorted class names: a split with other names would map classes silently.
    const std::vector<std::string> train_classes = ImageFolder::find_classes(train_split.string());
    CNN_CHECK(train_classes == folder_set->classes(),
              "imagefolder: the class folders of {} ({}) differ from those of {} ({})\nHINT: every split needs the "
              "same class sub-folders, so that a label means the same class in each",
              split, fmt::join(folder_set->classes(), ", "), train_split.string(), fmt::join(train_classes, ", "));
  }
  return folder_set;
}

std::shared_ptr<Dataset> load_dataset(const std::string& name, const std::string& dir, bool train) {
  const DatasetInfo info = dataset_info(name);
  return open_dataset(name, dir, train,
                      transforms::compose(transforms::ToTensor(), transforms::Normalize(info.mean, info.std)));
}

}  // namespace cnn

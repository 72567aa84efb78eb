// CIFAR-10 and CIFAR-100 from the official binary files: records of label byte(s) then 3072 pixel bytes in R, G, B
// planes of 32 x 32, kept in memory as HWC bytes. Not the python-pickle version of the datasets.
#include <cnn/datasets.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace cnn {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kPixels = 32 * 32 * 3;

const char* kind_name(CifarKind kind) { return kind == CifarKind::cifar10 ? "cifar10" : "cifar100"; }
int64_t label_bytes(CifarKind kind) { return kind == CifarKind::cifar10 ? 1 : 2; }
const char* official_folder(CifarKind kind) {
  return kind == CifarKind::cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary";
}

std::vector<std::string> split_files(CifarKind kind, bool train) {
  if (kind == CifarKind::cifar100) return {train ? "train.bin" : "test.bin"};
  if (!train) return {"test_batch.bin"};
  return {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"};
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CNN_CHECK(in, "cifar: cannot open {} for reading\nHINT: check the file's permissions", path);
  in.seekg(0, std::ios::end);
  std::vector<uint8_t> bytes(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  CNN_CHECK(in, "cifar: {}: read failed after {} bytes\nHINT: is the disk or file system healthy?", path, in.gcount());
  return bytes;
}

// Class names from the official meta file (one per line) when present, else the built-in list.
std::vector<std::string> read_classes(const std::string& dir, CifarKind kind, bool coarse) {
  const char* meta = kind == CifarKind::cifar10 ? "batches.meta.txt"
                     : coarse                   ? "coarse_label_names.txt"
                                                : "fine_label_names.txt";
  std::ifstream in(fs::path(dir) / meta);
  std::vector<std::string> names;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) names.push_back(line);
  }
  const std::vector<std::string>& builtin = cifar_classes(kind, coarse);
  return names.size() == builtin.size() ? names : builtin;
}

}  // namespace

CifarDataset::CifarDataset(const std::string& dir, CifarOptions options) : options_(std::move(options)) {
  const CifarKind kind = options_.kind;
  CNN_CHECK(kind == CifarKind::cifar100 || !options_.coarse_labels,
            "cifar10: coarse_labels is a CIFAR-100 option\nHINT: use kind = cifar100");
  std::error_code ec;
  std::string folder = dir;
  if (fs::is_directory(fs::path(dir) / official_folder(kind), ec))
    folder = (fs::path(dir) / official_folder(kind)).string();
  const int64_t record = label_bytes(kind) + kPixels;
  for (const std::string& name : split_files(kind, options_.train)) {
    const std::string path = (fs::path(folder) / name).string();
    if (!fs::is_regular_file(path, ec))
      throw Error(fmt::format(
          "{}: no {} in {}\nHINT: the folder must hold the binary version ({}/{}); fetch it with `cnn download {} "
          "--data-dir DIR` and pass DIR or DIR/{} with --data-dir",
          kind_name(kind), name, folder, official_folder(kind), fmt::join(split_files(kind, options_.train), ", "),
          kind_name(kind), official_folder(kind)));
    const std::vector<uint8_t> bytes = read_file(path);
    const auto size = static_cast<int64_t>(bytes.size());
    if (size == 0 || size % record != 0) {
      const int64_t other = kind == CifarKind::cifar10 ? kPixels + 2 : kPixels + 1;
      throw Error(fmt::format(
          "{}: {}: expected a whole number of {}-byte records ({} label byte{} + 3072 pixels), found {} bytes ({} "
          "records and {} bytes over)\nHINT: {}",
          kind_name(kind), path, record, label_bytes(kind), label_bytes(kind) == 1 ? "" : "s", size, size / record,
          size % record,
          size > 0 && size % other == 0 ? fmt::format("the size fits {}-byte records: is this a {} file?", other,
                                                      kind == CifarKind::cifar10 ? "CIFAR-100" : "CIFAR-10")
                                        : "the file is truncated or not a CIFAR binary batch; fetch it again"));
    }
    const int64_t count = size / record;
    const size_t start = labels_.size();
    labels_.resize(start + static_cast<size_t>(count));
    pixels_.resize((start + static_cast<size_t>(count)) * kPixels);
    for (int64_t r = 0; r < count; ++r) {
      const uint8_t* rec = bytes.data() + r * record;
      const int64_t label = kind == CifarKind::cifar10 ? rec[0] : options_.coarse_labels ? rec[0] : rec[1];
      const bool bad = kind == CifarKind::cifar10 ? rec[0] >= 10 : rec[0] >= 20 || rec[1] >= 100;
      if (bad)
        throw Error(fmt::format(
            "{}: {}: record {} (byte offset {}) has label {}, expected {}\nHINT: the file is corrupt, or from the "
            "other CIFAR (CIFAR-10 has 1 label byte, CIFAR-100 2)",
            kind_name(kind), path, r, r * record,
            kind == CifarKind::cifar100 ? fmt::format("{} (coarse) / {} (fine)", rec[0], rec[1])
                                        : std::to_string(label),
            kind == CifarKind::cifar100 ? "0..19 (coarse) and 0..99 (fine)" : "0..9"));
      labels_[start + static_cast<size_t>(r)] = static_cast<uint8_t>(label);
      const uint8_t* planes = rec + label_bytes(kind);
      uint8_t* hwc = pixels_.data() + (start + static_cast<size_t>(r)) * kPixels;
      for (int64_t p = 0; p < 1024; ++p)
        for (int64_t c = 0; c < 3; ++c) hwc[p * 3 + c] = planes[c * 1024 + p];
    }
    files_.push_back(path);
  }
  classes_ = read_classes(folder, kind, options_.coarse_labels);
}

int64_t CifarDataset::label(int64_t i) const {
  CNN_CHECK(i >= 0 && i < size(), "{}: index {} out of range for a dataset of {} samples", kind_name(options_.kind), i,
            size());
  return labels_[static_cast<size_t>(i)];
}

Shape CifarDataset::image_shape() const { return options_.transform ? Dataset::image_shape() : Shape{3, 32, 32}; }

int64_t CifarDataset::get_into(int64_t i, Image& out, SampleRng& rng) const {
  const int64_t y = label(i);
  out.reset_bytes(32, 32, 3);
  std::memcpy(out.bytes.data(), pixels_.data() + i * kPixels, kPixels);
  if (options_.transform) options_.transform->apply(out, rng);
  return y;
}

void write_cifar_file(const std::string& path, CifarKind kind, const std::vector<uint8_t>& hwc_images,
                      const std::vector<uint8_t>& labels) {
  CNN_CHECK(hwc_images.size() == labels.size() * kPixels,
            "write_cifar_file: expected {} images of 3072 bytes for {} labels, got {} bytes", labels.size(),
            labels.size(), hwc_images.size());
  std::vector<uint8_t> out;
  out.reserve(labels.size() * static_cast<size_t>(label_bytes(kind) + kPixels));
  for (size_t r = 0; r < labels.size(); ++r) {
    if (kind == CifarKind::cifar100) out.push_back(0);
    out.push_back(labels[r]);
    const uint8_t* hwc = hwc_images.data() + r * kPixels;
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < 1024; ++p) out.push_back(hwc[p * 3 + c]);
  }
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
  CNN_CHECK(f.good(), "write_cifar_file: cannot write {}\nHINT: check that the folder exists and is writable", path);
}

const std::vector<std::string>& cifar_classes(CifarKind kind, bool coarse) {
  static const std::vector<std::string> cifar10{"airplane", "automobile", "bird",  "cat",  "deer",
                                                "dog",      "frog",       "horse", "ship", "truck"};
  static const std::vector<std::string> fine{
      "apple",      "aquarium_fish", "baby",         "bear",       "beaver",      "bed",         "bee",
      "beetle",     "bicycle",       "bottle",       "bowl",       "boy",         "bridge",      "bus",
      "butterfly",  "camel",         "can",          "castle",     "caterpillar", "cattle",      "chair",
      "chimpanzee", "clock",         "cloud",        "cockroach",  "couch",       "crab",        "crocodile",
      "cup",        "dinosaur",      "dolphin",      "elephant",   "flatfish",    "forest",      "fox",
      "girl",       "hamster",       "house",        "kangaroo",   "keyboard",    "lamp",        "lawn_mower",
      "leopard",    "lion",          "lizard",       "lobster",    "man",         "maple_tree",  "motorcycle",
      "mountain",   "mouse",         "mushroom",     "oak_tree",   "orange",      "orchid",      "otter",
      "palm_tree",  "pear",          "pickup_truck", "pine_tree",  "plain",       "plate",       "poppy",
      "porcupine",  "possum",        "rabbit",       "raccoon",    "ray",         "road",        "rocket",
      "rose",       "sea",           "seal",         "shark",      "shrew",       "skunk",       "skyscraper",
      "snail",      "snake",         "spider",       "squirrel",   "streetcar",   "sunflower",   "sweet_pepper",
      "table",      "tank",          "telephone",    "television", "tiger",       "tractor",     "train",
      "trout",      "tulip",         "turtle",       "wardrobe",   "whale",       "willow_tree", "wolf",
      "woman",      "worm"};
  static const std::vector<std::string> coarse_names{"aquatic_mammals",
                                                     "fish",
                                                     "flowers",
                                                     "food_containers",
                                                     "fruit_and_vegetables",
                                                     "household_electrical_devices",
                                                     "household_furniture",
                                                     "insects",
                                                     "large_carnivores",
                                                     "large_man-made_outdoor_things",
                                                     "large_natural_outdoor_scenes",
                                                     "large_omnivores_and_herbivores",
                                                     "medium_mammals",
                                                     "non-insect_invertebrates",
                                                     "people",
                                                     "reptiles",
                                                     "small_mammals",
                                                     "trees",
                                                     "vehicles_1",
                                                     "vehicles_2"};
  if (kind == CifarKind::cifar10) return cifar10;
  return coarse ? coarse_names : fine;
}

}  // namespace cnn

// Writes the seed corpus of every fuzz target into tests/fuzz/corpus/<target>/ (committed; rerun after a format
// change: build/test/tests/fuzz/fuzz_make_seeds tests/fuzz/corpus). Small valid files made by cnnkit's own writers.
#include <cnn/checkpoint.h>
#include <cnn/data.h>
#include <cnn/datasets.h>
#include <cnn/io.h>
#include <cnn/layers.h>
#include <cnn/optim.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "train_args.h"

namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void idx_seeds(const fs::path& dir) {
  cnn::IdxArray images{{2, 4, 3}, std::vector<uint8_t>(24)};
  for (size_t i = 0; i < images.data.size(); ++i) images.data[i] = static_cast<uint8_t>(i * 11);
  const cnn::IdxArray labels{{2}, {3, 7}};
  cnn::write_idx((dir / "images-idx3-ubyte").string(), images);
  cnn::write_idx((dir / "images-idx3-ubyte.gz").string(), images);
  cnn::write_idx((dir / "labels-idx1-ubyte").string(), labels);
  cnn::write_idx((dir / "labels-idx1-ubyte.gz").string(), labels);
}

void cifar_seeds(const fs::path& dir) {
  std::vector<uint8_t> pixels(2 * 32 * 32 * 3);
  for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<uint8_t>(i % 251);
  cnn::write_cifar_file((dir / "cifar10_batch.bin").string(), cnn::CifarKind::cifar10, pixels, {1, 9});
  cnn::write_cifar_file((dir / "cifar100_batch.bin").string(), cnn::CifarKind::cifar100, pixels, {17, 99});
}

void safetensors_seeds(const fs::path& dir) {
  cnn::StateDict tensors;
  tensors.insert("weight", cnn::ones({2, 3}));
  tensors.insert("counter", cnn::zeros({1}, cnn::DType::i64));
  cnn::save_safetensors((dir / "f32_i64.safetensors").string(), tensors, {{"source", "cnnkit"}});
  cnn::save_safetensors((dir / "empty.safetensors").string(), {});
  fs::copy_file(fs::path(CNN_FIXTURES_DIR) / "dtypes.safetensors", dir / "dtypes.safetensors",
                fs::copy_options::overwrite_existing);
}

void checkpoint_seeds(const fs::path& dir) {
  cnn::Linear model(3, 2);
  cnn::SGD opt(model.parameters(), {.lr = 0.1, .momentum = 0.9});
  const std::string state = R"({"epoch": 1, "epochs": 2, "best_epoch": 1, "history": [{"epoch": 1}]})";
  cnn::save_checkpoint((dir / "linear.ckpt").string(), {model.state_dict(), opt.full_state(), std::nullopt, state});
}

void image_seeds(const fs::path& dir) {
  cnn::Image rgb;
  rgb.reset_bytes(6, 8, 3);
  for (size_t i = 0; i < rgb.bytes.size(); ++i) rgb.bytes[i] = static_cast<uint8_t>(i * 7);
  cnn::Image gray;
  gray.reset_bytes(5, 4, 1);
  for (size_t i = 0; i < gray.bytes.size(); ++i) gray.bytes[i] = static_cast<uint8_t>(i * 13);
  for (const char* ext : {"png", "jpg", "bmp"}) cnn::write_image((dir / (std::string("rgb.") + ext)).string(), rgb);
  cnn::write_image((dir / "gray.png").string(), gray);
}

// One ustar header (as tests/data/test_tar.cpp builds them) and its content, padded to 512 bytes.
std::string tar_entry(const std::string& name, const std::string& content, char type) {
  char h[512] = {};
  std::memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(h + 100, 8, "%07o", type == '5' ? 0755 : 0644);
  std::snprintf(h + 108, 8, "%07o", 0);
  std::snprintf(h + 116, 8, "%07o", 0);
  std::snprintf(h + 124, 12, "%011zo", content.size());
  std::snprintf(h + 136, 12, "%011o", 0);
  h[156] = type;
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);
  std::string out(h, 512);
  out += content;
  out.append((512 - content.size() % 512) % 512, '\0');
  return out;
}

void write_gzip(const fs::path& path, const std::string& bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
}

void tar_seeds(const fs::path& dir) {
  write_gzip(dir / "folder_and_files.tar.gz", tar_entry("data/", "", '5') + tar_entry("data/a.txt", "hello\n", '0') +
                                                  tar_entry("data/b.bin", std::string(700, 'x'), '0') +
                                                  std::string(1024, '\0'));
  write_gzip(dir / "empty.tar.gz", std::string(1024, '\0'));
}

void json_config_seeds(const fs::path& dir) {
  write_text(dir / "full.json", cnn::cli::resolved_config(cnn::cli::TrainArgs{}).dump(2));
  write_text(dir / "small.json", R"({"epochs": 2, "batch_size": 8, "lr": 0.01, "model_kwargs": ["depth=2"]})");
  write_text(dir / "switches.json", R"({"quiet": true, "no_report": false, "seed": 7, "output": "runs/x"})");
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path root = argc > 1 ? fs::path(argv[1]) : fs::path(CNN_SOURCE_DIR) / "tests/fuzz/corpus";
  const std::pair<const char*, void (*)(const fs::path&)> targets[] = {
      {"idx", idx_seeds},     {"cifar", cifar_seeds}, {"safetensors", safetensors_seeds},
      {"checkpoint", checkpoint_seeds}, {"image", image_seeds}, {"tar", tar_seeds},
      {"json_config", json_config_seeds}};
  for (const auto& [name, make] : targets) {
    fs::create_directories(root / name);
    make(root / name);
    std::printf("%s: seeds in %s\n", name, (root / name).c_str());
  }
  return 0;
}

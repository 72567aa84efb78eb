// Data loader throughput on CIFAR-shaped data: 50,000 synthetic 32x32 RGB images written in the CIFAR-10 binary
// layout to a temporary folder, read back by CifarDataset, then RandomCrop(32, padding 4) + RandomHorizontalFlip +
// ToTensor + Normalize, batch 128, shuffled, through DataLoader workers. Prints images/s per epoch.
// Not a model benchmark: the consumer only touches each batch. Usage: bench_loader [--workers 2] [--epochs 3]
#include <cnn/data.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

namespace fs = std::filesystem;
using namespace cnn;
namespace T = cnn::transforms;

namespace {

// Five data_batch files of 10,000 random images each (plus a small test batch): the official layout and size.
std::string write_synthetic_cifar() {
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("cnn_bench_loader_{}", ::getpid()) / "cifar-10-batches-bin";
  fs::create_directories(dir);
  std::mt19937 engine(0);
  std::vector<uint8_t> images(10000 * 3072), labels(10000);
  for (int b = 1; b <= 5; ++b) {
    for (auto& v : images) v = static_cast<uint8_t>(engine());
    for (auto& l : labels) l = static_cast<uint8_t>(engine() % 10);
    write_cifar_file((dir / fmt::format("data_batch_{}.bin", b)).string(), CifarKind::cifar10, images, labels);
  }
  write_cifar_file((dir / "test_batch.bin").string(), CifarKind::cifar10,
                   std::vector<uint8_t>(images.begin(), images.begin() + 3072), {labels[0]});
  return dir.string();
}

}  // namespace

int main(int argc, char** argv) {
  int64_t workers = 2, epochs = 3, batch = 128;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--workers") == 0) workers = std::stoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--epochs") == 0) epochs = std::stoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--batch-size") == 0) batch = std::stoll(argv[i + 1]);
  }
  const std::string dir = write_synthetic_cifar();
  const DatasetInfo info = dataset_info("cifar10");
  auto transform = T::compose(T::RandomCrop(32, {.padding = {4}}), T::RandomHorizontalFlip(), T::ToTensor(),
                              T::Normalize(info.mean, info.std));
  auto data = std::make_shared<CifarDataset>(dir, CifarOptions{.transform = transform});
  DataLoader loader(data, {.batch_size = batch, .shuffle = true, .seed = 0, .num_workers = workers, .prefetch = 4});
  fmt::print("bench_loader: {} CIFAR-shaped images, batch {}, {} workers, {}\n", data->size(), batch, workers,
             "RandomCrop(32, padding=4) + flip + ToTensor + Normalize");
  double best = 0;
  for (int64_t e = 0; e < epochs; ++e) {
    const auto start = std::chrono::steady_clock::now();
    int64_t images = 0;
    double checksum = 0;
    for (const Batch& b : loader) {
      images += b.images.size(0);
      checksum += b.images.data<float>()[0];
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, double(images) / seconds);
    fmt::print("epoch {}: {} images in {:.3f} s: {:.0f} images/s (checksum {:.3f})\n", e, images, seconds,
               double(images) / seconds, checksum);
  }
  fmt::print("best: {:.0f} images/s\n", best);
  fs::remove_all(fs::path(dir).parent_path());
  return 0;
}

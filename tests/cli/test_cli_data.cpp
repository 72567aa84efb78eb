// `cnn download` and `cnn stats` as users run them: a file:// mirror of real MNIST, a wrong file (md5 error), an
// unreachable mirror (offline message), and per-channel statistics of generated CIFAR files. Not the library
// parts (tests/data/test_download.cpp, test_cifar.cpp).
#include <cnn/data.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = cnn::test::CommandResult;

std::string temp_dir() { return cnn::test::temp_dir("cli_data"); }

// Runs `cnn ARGS` with stdout and stderr together in `out`.
Result cnn_cli(const std::string& args) { return cnn::test::run_cnn(args + " 2>&1"); }

}  // namespace

TEST(CliData, DownloadFromAFileMirrorThenSkip) {
  const std::string mnist = test::mnist_dir();
  if (mnist.empty()) GTEST_SKIP() << "no MNIST in ../shared/data/mnist";
  const std::string root = temp_dir();
  Result r =
      cnn_cli(fmt::format("download mnist --data-dir {} --mirror file://{}", root, fs::absolute(mnist).string()));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("train-images-idx3-ubyte.gz: 9912422 bytes, md5 ok"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cnn train --dataset mnist --data-dir " + root), std::string::npos) << r.out;
  r = cnn_cli(fmt::format("download mnist --data-dir {}", root));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("already present, md5 checked"), std::string::npos) << r.out;
  r = cnn_cli(fmt::format("stats --dataset mnist --data-dir {}", root));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("60000 images"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mean: 0.1307\nstd:  0.3081"), std::string::npos) << r.out;
}

TEST(CliData, WrongFileAndUnreachableMirrorFailWithAReason) {
  const std::string root = temp_dir(), mirror = root + "/mirror";
  fs::create_directories(mirror);
  std::ofstream(mirror + "/train-images-idx3-ubyte.gz") << "not the real file";
  Result r = cnn_cli(fmt::format("download mnist --data-dir {}/data --mirror file://{}", root, mirror));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("cnn: error: download: train-images-idx3-ubyte.gz from file://"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expected f68b3c2dcbeaaa9fbdd348bbdeb94873"), std::string::npos) << r.out;
  r = cnn_cli(fmt::format("download cifar10 --data-dir {}/data --mirror http://127.0.0.1:1", root));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("looks offline"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("HINT:"), std::string::npos) << r.out;
  r = cnn_cli("download svhn");
  EXPECT_EQ(r.code, 1) << r.out;
}

TEST(CliData, StatsOfGeneratedCifar) {
  const std::string root = temp_dir(), dir = root + "/cifar-10-batches-bin";
  fs::create_directories(dir);
  // Red is always 51 (0.2), green alternates 0 and 255 (mean 0.5, std 0.5), blue is 255.
  std::vector<uint8_t> images(4 * 3072), labels{0, 1, 2, 3};
  for (size_t p = 0; p < 4 * 1024; ++p) {
    images[3 * p] = 51;
    images[3 * p + 1] = p % 2 ? 255 : 0;
    images[3 * p + 2] = 255;
  }
  for (int b = 1; b <= 5; ++b)
    write_cifar_file(fmt::format("{}/data_batch_{}.bin", dir, b), CifarKind::cifar10, images, labels);
  write_cifar_file(dir + "/test_batch.bin", CifarKind::cifar10, images, labels);
  const Result r = cnn_cli(fmt::format("stats --dataset cifar10 --data-dir {} --threads 2", root));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("20 images, 3 channels"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mean: 0.2000, 0.5000, 1.0000\nstd:  0.0000, 0.5000, 0.0000"), std::string::npos) << r.out;
}

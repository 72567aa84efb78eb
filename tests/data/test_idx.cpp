// IDX reading and MNIST-style datasets: real MNIST counts and labels, synthetic raw and gzip files, and the
// errors for missing, truncated, wrong-magic and mismatched files. Not the DataLoader (test_loader.cpp).
#include <cnn/data.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

// A fresh empty folder per test, under the system's temporary directory.
std::string temp_dir() { return cnn::test::temp_dir("idx"); }

IdxArray images(int64_t n, int64_t h, int64_t w) {
  IdxArray a{{n, h, w}, {}};
  for (int64_t i = 0; i < n * h * w; ++i) a.data.push_back(static_cast<uint8_t>((i * 37) % 256));
  return a;
}

IdxArray labels(int64_t n) {
  IdxArray a{{n}, {}};
  for (int64_t i = 0; i < n; ++i) a.data.push_back(static_cast<uint8_t>(i % 10));
  return a;
}

void write_split(const std::string& dir, const std::string& prefix, int64_t n, const std::string& ext) {
  write_idx(dir + "/" + prefix + "-images-idx3-ubyte" + ext, images(n, 4, 3));
  write_idx(dir + "/" + prefix + "-labels-idx1-ubyte" + ext, labels(n));
}

void truncate_file(const std::string& path, size_t keep) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(keep));
}

// The message of the cnn::Error that f throws (fails the test when it throws nothing).
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected cnn::Error";
  return "";
}

}  // namespace

TEST(Idx, RealMnistCountsAndLabels) {
  const std::string dir = test::mnist_dir();
  if (dir.empty()) GTEST_SKIP() << "no MNIST in ../shared/data/mnist";
  MnistDataset train(dir, true), test(dir, false);
  EXPECT_EQ(train.size(), 60000);
  EXPECT_EQ(test.size(), 10000);
  EXPECT_EQ(train.image_shape(), (Shape{1, 28, 28}));
  const std::vector<int64_t> first{5, 0, 4, 1, 9};
  for (int64_t i = 0; i < 5; ++i) EXPECT_EQ(train.label(i), first[static_cast<size_t>(i)]) << "label " << i;
  std::vector<int64_t> counts(10, 0);
  for (int64_t i = 0; i < train.size(); ++i) ++counts[static_cast<size_t>(train.label(i))];
  EXPECT_EQ(counts, (std::vector<int64_t>{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}));
  Example e = train.get(0);
  EXPECT_EQ(e.image.shape(), (Shape{1, 28, 28}));
  EXPECT_EQ(e.label, 5);
  const std::vector<float> px = e.image.to_vector<float>();
  EXPECT_EQ(*std::min_element(px.begin(), px.end()), 0.0f);
  EXPECT_EQ(*std::max_element(px.begin(), px.end()), 1.0f);
}

TEST(Idx, NormalizedMnistHasTheUsualStatistics) {
  const std::string dir = test::mnist_dir();
  if (dir.empty()) GTEST_SKIP() << "no MNIST in ../shared/data/mnist";
  auto train = load_dataset("mnist", dir, true);
  double sum = 0, sq = 0;
  const int64_t n = 2000;
  for (int64_t i = 0; i < n; ++i)
    for (float v : train->get(i).image.to_vector<float>()) {
      sum += v;
      sq += double(v) * v;
    }
  const double count = double(n) * 784, mean = sum / count;
  EXPECT_NEAR(mean, 0.0, 0.03);
  EXPECT_NEAR(std::sqrt(sq / count - mean * mean), 1.0, 0.03);
}

TEST(Idx, RoundTripRawAndGzip) {
  const std::string dir = temp_dir();
  for (const std::string ext : {"", ".gz"}) {
    const std::string path = dir + "/a-images-idx3-ubyte" + ext;
    write_idx(path, images(5, 4, 3));
    IdxArray back = read_idx(path, 3);
    EXPECT_EQ(back.dims, (std::vector<int64_t>{5, 4, 3})) << ext;
    EXPECT_EQ(back.data, images(5, 4, 3).data) << ext;
  }
  std::ifstream gz(dir + "/a-images-idx3-ubyte.gz", std::ios::binary);
  EXPECT_EQ(gz.get(), 0x1F) << "gzip magic";
  EXPECT_EQ(gz.get(), 0x8B) << "gzip magic";
}

TEST(Idx, SyntheticDatasetSplitsAndPixels) {
  const std::string dir = temp_dir();
  write_split(dir, "train", 7, ".gz");
  write_split(dir, "t10k", 3, "");
  MnistDataset train(dir, true), test(dir, false);
  EXPECT_EQ(train.size(), 7);
  EXPECT_EQ(test.size(), 3);
  EXPECT_EQ(train.image_shape(), (Shape{1, 4, 3}));
  Example e = train.get(2);
  EXPECT_EQ(e.label, 2);
  const std::vector<float> px = e.image.to_vector<float>();
  for (size_t k = 0; k < px.size(); ++k) EXPECT_FLOAT_EQ(px[k], float(((24 + int64_t(k)) * 37) % 256) / 255.0f);
  EXPECT_THROW(train.get(7), Error);
}

TEST(Idx, NormalizeIsPerChannel) {
  transforms::Normalize norm({0.5f, 0.25f}, {0.5f, 0.25f});
  Tensor out = norm(from_vector(std::vector<float>{0.5f, 1.0f, 0.25f, 0.0f}, Shape{2, 1, 2}));
  EXPECT_EQ(out.to_vector<float>(), (std::vector<float>{0.0f, 1.0f, 0.0f, -1.0f}));
  EXPECT_THROW(transforms::Normalize({0.5f}, {0.0f}), Error);
  EXPECT_THROW(norm(zeros(Shape{3, 2, 2})), Error);
}

TEST(Idx, TruncatedRawFileSaysSoWithSizes) {
  const std::string dir = temp_dir();
  write_split(dir, "train", 6, "");
  const std::string path = dir + "/train-images-idx3-ubyte";
  truncate_file(path, 16 + 50);
  const std::string msg = error_of([&] { MnistDataset(dir, true); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected 72 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("found 50"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  truncate_file(path, 2);
  EXPECT_NE(error_of([&] { read_idx(path, 3); }).find("file of 2 bytes"), std::string::npos);
}

TEST(Idx, TruncatedGzipFileSaysSo) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/x-images-idx3-ubyte.gz";
  write_idx(path, images(50, 28, 28));
  truncate_file(path, fs::file_size(path) / 2);
  const std::string msg = error_of([&] { read_idx(path, 3); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
}

TEST(Idx, WrongMagicNamesBothNumbers) {
  const std::string dir = temp_dir();
  const std::string path = dir + "/labels-as-images";
  write_idx(path, labels(4));
  const std::string msg = error_of([&] { read_idx(path, 3); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected magic 0x00000803"), std::string::npos) << msg;
  EXPECT_NE(msg.find("found 0x00000801"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  std::ofstream(dir + "/text", std::ios::binary) << "hello, this is not an IDX file";
  EXPECT_NE(error_of([&] { read_idx(dir + "/text", 1); }).find("not an IDX header"), std::string::npos);
}

TEST(Idx, CountMismatchAndMissingFiles) {
  const std::string dir = temp_dir();
  write_idx(dir + "/train-images-idx3-ubyte.gz", images(5, 2, 2));
  write_idx(dir + "/train-labels-idx1-ubyte.gz", labels(4));
  std::string msg = error_of([&] { MnistDataset(dir, true); });
  EXPECT_NE(msg.find("holds 5 images but"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4 labels"), std::string::npos) << msg;
  msg = error_of([&] { MnistDataset(dir, false); });
  EXPECT_NE(msg.find("no t10k-images-idx3-ubyte.gz"), std::string::npos) << msg;
  msg = error_of([&] { MnistDataset(dir + "/nowhere", true); });
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
}

TEST(Idx, NamedDatasets) {
  EXPECT_EQ(dataset_info("fashion-mnist").default_dir, "/usr/share/datasets/fashion-mnist");
  EXPECT_FLOAT_EQ(dataset_info("mnist").mean[0], 0.1307f);
  EXPECT_FLOAT_EQ(dataset_info("fashion-mnist").std[0], 0.3530f);
  EXPECT_EQ(dataset_info("cifar10").mean.size(), 3u);
  EXPECT_NE(error_of([] { dataset_info("svhn"); }).find("known: mnist, fashion-mnist, cifar10, cifar100"),
            std::string::npos);
}

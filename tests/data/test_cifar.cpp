// CIFAR-10 and CIFAR-100 binary readers on files written here in the official layout: records, plane-to-HWC
// conversion, labels (fine and coarse), class names, folder resolution, and the errors for bad sizes, labels and
// missing files. Not the transforms or the loader (test_transforms*.cpp, test_loader*.cpp).
#include <cnn/data.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

std::string temp_dir() { return cnn::test::temp_dir("cifar"); }

// Pixel byte of image `i` at (plane c, position p): recognisable from all three.
uint8_t pixel(int64_t i, int64_t c, int64_t p) { return static_cast<uint8_t>((i * 31 + c * 80 + p) % 256); }

// A file in the official layout, written byte by byte (label bytes, then the R, G and B planes).
void write_raw(const std::string& path, int64_t first, int64_t count, const std::vector<uint8_t>& label_bytes) {
  std::ofstream out(path, std::ios::binary);
  for (int64_t i = first; i < first + count; ++i) {
    for (uint8_t l : label_bytes) out.put(static_cast<char>(l == 255 ? i % 10 : l));
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < 1024; ++p) out.put(static_cast<char>(pixel(i, c, p)));
  }
}

// CIFAR-10 with 2 images per training batch (10 in all) and 3 test images, labels i % 10.
std::string write_cifar10(const std::string& root) {
  const std::string dir = root + "/cifar-10-batches-bin";
  fs::create_directories(dir);
  for (int b = 1; b <= 5; ++b) write_raw(fmt::format("{}/data_batch_{}.bin", dir, b), 2 * (b - 1), 2, {255});
  write_raw(dir + "/test_batch.bin", 0, 3, {255});
  return dir;
}

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

TEST(Cifar, ReadsRecordsAsHwcImagesWithLabels) {
  const std::string root = temp_dir();
  const std::string dir = write_cifar10(root);
  CifarDataset train(dir), test(dir, {.train = false});
  EXPECT_EQ(train.size(), 10);
  EXPECT_EQ(test.size(), 3);
  EXPECT_EQ(train.image_shape(), (Shape{3, 32, 32}));
  EXPECT_EQ(train.classes().front(), "airplane");
  EXPECT_EQ(train.files().size(), 5u);
  for (int64_t i = 0; i < 10; ++i) EXPECT_EQ(train.label(i), i % 10);
  Image im;
  SampleRng rng;
  EXPECT_EQ(train.get_into(7, im, rng), 7);
  ASSERT_TRUE(im.is_bytes());
  for (int64_t p : {0, 1, 33, 1023})
    for (int64_t c = 0; c < 3; ++c)
      EXPECT_EQ(im.at(p / 32, p % 32, c), pixel(7, c, p)) << "pixel " << p << " channel " << c;
  const Example e = test.get(2);
  EXPECT_EQ(e.label, 2);
  EXPECT_FLOAT_EQ(e.image.to_vector<float>()[1024 + 5], float(pixel(2, 1, 5)) / 255.0f);
  // The root above cifar-10-batches-bin works too, and class names come from batches.meta.txt when present.
  std::ofstream(dir + "/batches.meta.txt") << "a0\na1\na2\na3\na4\na5\na6\na7\na8\na9\n\n";
  EXPECT_EQ(CifarDataset(root).classes()[3], "a3");
}

TEST(Cifar, Cifar100FineAndCoarseLabels) {
  const std::string dir = temp_dir() + "/cifar-100-binary";
  fs::create_directories(dir);
  write_raw(dir + "/train.bin", 0, 4, {19, 99});
  write_raw(dir + "/test.bin", 0, 2, {3, 42});
  CifarDataset fine(dir, {.kind = CifarKind::cifar100});
  CifarDataset coarse(dir, {.kind = CifarKind::cifar100, .train = false, .coarse_labels = true});
  EXPECT_EQ(fine.size(), 4);
  EXPECT_EQ(fine.label(3), 99);
  EXPECT_EQ(fine.classes().size(), 100u);
  EXPECT_EQ(fine.classes()[99], "worm");
  EXPECT_EQ(coarse.label(1), 3);
  EXPECT_EQ(coarse.classes().size(), 20u);
  Image im;
  SampleRng rng;
  fine.get_into(2, im, rng);
  EXPECT_EQ(im.at(0, 1, 2), pixel(2, 2, 1));
}

TEST(Cifar, WriterRoundTripsThroughTheReader) {
  const std::string dir = temp_dir();
  std::vector<uint8_t> images(2 * 3072), labels{4, 9};
  for (size_t k = 0; k < images.size(); ++k) images[k] = static_cast<uint8_t>(k * 3);
  write_cifar_file(dir + "/train.bin", CifarKind::cifar100, images, labels);
  write_cifar_file(dir + "/test.bin", CifarKind::cifar100, images, labels);
  CifarDataset back(dir, {.kind = CifarKind::cifar100});
  Image im;
  SampleRng rng;
  EXPECT_EQ(back.get_into(1, im, rng), 9);
  EXPECT_EQ(im.bytes, std::vector<uint8_t>(images.begin() + 3072, images.end()));
}

TEST(Cifar, BadSizesLabelsAndMissingFilesSaySo) {
  const std::string root = temp_dir();
  const std::string dir = write_cifar10(root);
  const std::string batch3 = dir + "/data_batch_3.bin";
  fs::resize_file(batch3, 3073 + 100);
  std::string msg = error_of([&] { CifarDataset d(dir); });
  EXPECT_NE(msg.find(batch3), std::string::npos) << msg;
  EXPECT_NE(msg.find("3073-byte records"), std::string::npos) << msg;
  EXPECT_NE(msg.find("found 3173 bytes (1 records and 100 bytes over)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;

  write_raw(batch3, 0, 2, {3, 3});  // a CIFAR-100 file where CIFAR-10 is expected
  msg = error_of([&] { CifarDataset d(dir); });
  EXPECT_NE(msg.find("is this a CIFAR-100 file?"), std::string::npos) << msg;

  write_raw(batch3, 0, 1, {255});
  write_raw(dir + "/data_batch_4.bin", 0, 2, {12});
  msg = error_of([&] { CifarDataset d(dir); });
  EXPECT_NE(msg.find("data_batch_4.bin: record 0 (byte offset 0) has label 12, expected 0..9"), std::string::npos)
      << msg;

  fs::remove(dir + "/test_batch.bin");
  msg = error_of([&] { CifarDataset d(dir, {.train = false}); });
  EXPECT_NE(msg.find("no test_batch.bin in"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cnn download cifar10"), std::string::npos) << msg;

  const std::string dir100 = root + "/c100";
  fs::create_directories(dir100);
  write_raw(dir100 + "/train.bin", 0, 2, {20, 5});
  msg = error_of([&] { CifarDataset d(dir100, {.kind = CifarKind::cifar100}); });
  EXPECT_NE(msg.find("has label 20 (coarse) / 5 (fine), expected 0..19 (coarse) and 0..99 (fine)"), std::string::npos)
      << msg;
}

TEST(Cifar, NamedDatasetsAndTheRecipeLoader) {
  const std::string root = temp_dir();
  write_cifar10(root);
  auto raw = open_dataset("cifar10", root, true);
  EXPECT_EQ(raw->size(), 10);
  auto normalised = load_dataset("cifar10", root, false);
  EXPECT_EQ(normalised->image_shape(), (Shape{3, 32, 32}));
  const DatasetInfo info = dataset_info("cifar10");
  auto train =
      open_dataset("cifar10", root, true,
                   transforms::create_transform(
                       {.is_training = true, .crop_pad = 4, .mean = info.mean, .std = info.std}, info.image_shape));
  DataLoader loader(train, {.batch_size = 4, .shuffle = true, .seed = 0, .num_workers = 2});
  int64_t seen = 0;
  for (const Batch& b : loader) {
    EXPECT_EQ(b.images.size(1), 3);
    EXPECT_EQ(b.images.size(2), 32);
    seen += b.labels.size(0);
  }
  EXPECT_EQ(seen, 10);
}

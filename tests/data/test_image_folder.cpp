// ImageFolder and single image files: PNG, JPEG and BMP written through stb_image_write and read back (RGB and
// grayscale), sorted classes and files as torchvision's ImageFolder, and the errors for empty classes and broken
// files. Not CIFAR or MNIST (test_cifar.cpp, test_idx.cpp).
#include <cnn/data.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

std::string temp_dir() { return cnn::test::temp_dir("folder"); }

// A smooth h x w RGB image tinted by `seed` (smooth, so JPEG keeps it within a few levels).
Image gradient(int64_t h, int64_t w, int seed) {
  Image im;
  im.reset_bytes(h, w, 3);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      im.at(y, x, 0) = static_cast<uint8_t>(8 * y + seed);
      im.at(y, x, 1) = static_cast<uint8_t>(8 * x);
      im.at(y, x, 2) = static_cast<uint8_t>(200 - seed);
    }
  return im;
}

int max_difference(const Image& a, const Image& b) {
  int worst = 0;
  for (size_t k = 0; k < a.bytes.size(); ++k) worst = std::max(worst, std::abs(int(a.bytes[k]) - int(b.bytes[k])));
  return worst;
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

TEST(ImageFiles, PngBmpExactJpegClose) {
  const std::string dir = temp_dir();
  const Image im = gradient(12, 20, 5);
  for (const char* ext : {".png", ".bmp", ".jpg"}) {
    const std::string path = dir + "/a" + ext;
    write_image(path, im);
    const Image back = read_image(path);
    ASSERT_EQ(back.shape(), (Shape{3, 12, 20})) << ext;
    EXPECT_LE(max_difference(back, im), std::string(ext) == ".jpg" ? 12 : 0) << ext;
  }
  const Image gray = read_image(dir + "/a.png", ImageMode::grayscale);
  EXPECT_EQ(gray.shape(), (Shape{1, 12, 20}));
  EXPECT_NEAR(gray.at(3, 4, 0), 0.299 * im.at(3, 4, 0) + 0.587 * im.at(3, 4, 1) + 0.114 * im.at(3, 4, 2), 2.0);
  // A grayscale file becomes RGB on request, as PIL's convert("RGB").
  write_image(dir + "/g.png", gray);
  const Image rgb = read_image(dir + "/g.png");
  EXPECT_EQ(rgb.channels, 3);
  EXPECT_EQ(rgb.at(3, 4, 0), rgb.at(3, 4, 2));
}

TEST(ImageFiles, BrokenFilesNameThePathAndReason) {
  const std::string dir = temp_dir();
  std::ofstream(dir + "/bad.png") << "this is not a png";
  std::string msg = error_of([&] { read_image(dir + "/bad.png"); });
  EXPECT_NE(msg.find(dir + "/bad.png"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cannot decode"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  msg = error_of([&] { read_image(dir + "/missing.png"); });
  EXPECT_NE(msg.find("cannot open"), std::string::npos) << msg;
  EXPECT_THROW(write_image(dir + "/x.gif", gradient(2, 2, 0)), Error);
}

// Found by the image fuzz target: stb decodes a BMP whose header says 0 rows into an empty image.
TEST(ImageFiles, ABmpWithNoRowsIsRefused) {
  const std::string dir = temp_dir();
  write_image(dir + "/ok.bmp", gradient(2, 3, 0));
  std::string bytes = test::slurp(dir + "/ok.bmp");
  std::memset(bytes.data() + 22, 0, 4);  // BITMAPINFOHEADER height
  std::ofstream(dir + "/flat.bmp", std::ios::binary) << bytes;
  const std::string msg = error_of([&] { read_image(dir + "/flat.bmp"); });
  EXPECT_NE(msg.find(dir + "/flat.bmp"), std::string::npos) << msg;
  EXPECT_NE(msg.find("decodes to 3 x 0 pixels, expected at least 1 x 1"), std::string::npos) << msg;
}

// Found by the image fuzz target: a small BMP claiming 262144 x 2054 pixels made stb allocate 1.6 GB and loop; the
// limit is 8 pixels per byte of the file (a claim over 2^28 pixels is refused whatever the size).
TEST(ImageFiles, ABmpClaimingMorePixelsThanItsBytesIsRefused) {
  const std::string dir = temp_dir();
  write_image(dir + "/ok.bmp", gradient(2, 3, 0));
  std::string bytes = test::slurp(dir + "/ok.bmp");
  const unsigned char width[4] = {0x00, 0x40, 0x00, 0x00}, height[4] = {0x06, 0x08, 0x00, 0x00};
  std::memcpy(bytes.data() + 18, width, 4);
  std::memcpy(bytes.data() + 22, height, 4);
  std::ofstream(dir + "/huge.bmp", std::ios::binary) << bytes;
  const std::string msg = error_of([&] { read_image(dir + "/huge.bmp"); });
  EXPECT_NE(msg.find("BMP header claims 16384 x 2054 pixels, more than its"), std::string::npos) << msg;
}

TEST(ImageFolder, SortedClassesRecursiveFilesAndLabels) {
  const std::string root = temp_dir();
  for (const char* cls : {"dog", "cat", "bird"}) fs::create_directories(root + "/" + cls + "/nested");
  write_image(root + "/dog/b.png", gradient(8, 8, 1));
  write_image(root + "/dog/a.JPG", gradient(8, 8, 2));
  write_image(root + "/cat/nested/z.bmp", gradient(8, 8, 3));
  write_image(root + "/bird/x.png", gradient(10, 6, 4));
  std::ofstream(root + "/cat/notes.txt") << "not an image";
  std::ofstream(root + "/readme.md") << "top-level files are not classes";
  ImageFolder data(root);
  EXPECT_EQ(data.classes(), (std::vector<std::string>{"bird", "cat", "dog"}));
  ASSERT_EQ(data.size(), 4);
  EXPECT_EQ(fs::path(data.samples()[2].first).filename(), "a.JPG");
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < data.size(); ++i) labels.push_back(data.label(i));
  EXPECT_EQ(labels, (std::vector<int64_t>{0, 1, 2, 2}));
  Image im;
  SampleRng rng;
  EXPECT_EQ(data.get_into(0, im, rng), 0);
  EXPECT_EQ(im.shape(), (Shape{3, 10, 6}));
  EXPECT_EQ(max_difference(im, gradient(10, 6, 4)), 0);
  ImageFolder gray(root, {.mode = ImageMode::grayscale});
  gray.get_into(1, im, rng);
  EXPECT_EQ(im.channels, 1);
}

TEST(ImageFolder, BatchesAfterResizeAndErrors) {
  const std::string root = temp_dir();
  fs::create_directories(root + "/a");
  fs::create_directories(root + "/b");
  for (int i = 0; i < 5; ++i)
    write_image(fmt::format("{}/{}/{}.png", root, i % 2 ? "a" : "b", i), gradient(9 + i, 12, i));
  namespace T = transforms;
  auto data = std::make_shared<ImageFolder>(
      root, ImageFolderOptions{.transform = T::compose(T::Resize(8), T::CenterCrop(8), T::ToTensor())});
  DataLoader loader(data, {.batch_size = 5, .num_workers = 2});
  for (const Batch& b : loader) EXPECT_EQ(b.images.shape(), (Shape{5, 3, 8, 8}));
  // Without resizing, differently sized images cannot share a batch.
  DataLoader raw(std::make_shared<ImageFolder>(root), {.batch_size = 5});
  std::string msg = error_of([&] {
    for (const Batch& b : raw) (void)b;
  });
  EXPECT_NE(msg.find("add Resize and CenterCrop"), std::string::npos) << msg;
  fs::create_directories(root + "/c");
  msg = error_of([&] { ImageFolder d(root); });
  EXPECT_NE(msg.find("found no image in the class folder c of"), std::string::npos) << msg;
  msg = error_of([&] { ImageFolder d(root + "/nowhere"); });
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
}

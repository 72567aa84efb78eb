// The random transforms: same (seed, epoch, index) gives the same result, parameters follow their distributions
// and bounds, p = 0 / 1 extremes, fallbacks; plus SampleRng, Compose and create_transform.
// Not torchvision parity of the deterministic functions (test_transforms.cpp).
#include <cnn/data.h>

#include <cmath>
#include <map>
#include <set>

#include "test_util.h"

using namespace cnn;
namespace T = cnn::transforms;

namespace {

// A 32x32 RGB image whose pixel (y, x) is (y, x, y + x): every position is recognisable.
Image coordinates(int64_t h = 32, int64_t w = 32) {
  Image im;
  im.reset_bytes(h, w, 3);
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x) {
      im.at(y, x, 0) = static_cast<uint8_t>(y);
      im.at(y, x, 1) = static_cast<uint8_t>(x);
      im.at(y, x, 2) = static_cast<uint8_t>(y + x);
    }
  return im;
}

Image run(const Transform& t, Image im, uint64_t seed, int64_t epoch = 0, int64_t index = 0) {
  SampleRng rng(seed, epoch, index);
  t.apply(im, rng);
  return im;
}

}  // namespace

TEST(SampleRng, DeterministicPerKeyAndInRange) {
  SampleRng a(1, 2, 3), b(1, 2, 3), c(1, 2, 4), d(1, 3, 3);
  const uint64_t first = a.next_u64();
  EXPECT_EQ(first, b.next_u64());
  EXPECT_NE(first, c.next_u64());
  EXPECT_NE(first, d.next_u64());
  std::map<int64_t, int> counts;
  double sum = 0;
  for (int i = 0; i < 20000; ++i) {
    const double u = a.uniform();
    ASSERT_TRUE(u >= 0.0 && u < 1.0);
    sum += u;
    ++counts[a.randint(-2, 3)];
  }
  EXPECT_NEAR(sum / 20000, 0.5, 0.01);
  ASSERT_EQ(counts.size(), 5u);
  for (const auto& [v, n] : counts) EXPECT_NEAR(n, 4000, 250) << "randint value " << v;
  EXPECT_THROW(a.randint(3, 3), Error);
}

TEST(RandomTransforms, RandomCropCoversEveryOffsetAndRepeatsPerKey) {
  const T::RandomCrop crop(32, {.padding = {4}});
  std::set<std::pair<int, int>> offsets;
  for (int64_t i = 0; i < 2000; ++i) {
    const Image out = run(crop, coordinates(), 7, 0, i);
    ASSERT_EQ(out.shape(), (Shape{3, 32, 32}));
    // The first non-padding pixel tells the offset: pixel (y, x) shows source (y + top - 4, x + left - 4).
    int top = -1, left = -1;
    for (int y = 0; y < 32 && top < 0; ++y)
      for (int x = 0; x < 32 && top < 0; ++x)
        if (out.at(y, x, 2) != 0 || (y >= 4 && x >= 4)) {
          top = out.at(y, x, 0) - y + 4;
          left = out.at(y, x, 1) - x + 4;
        }
    offsets.insert({top, left});
    if (i < 5) {
      EXPECT_EQ(run(crop, coordinates(), 7, 0, i).bytes, out.bytes) << "same key, same crop";
    }
  }
  EXPECT_EQ(offsets.size(), 81u) << "top and left each take the 9 values 0..8";
  EXPECT_NE(run(crop, coordinates(), 7, 0, 1).bytes, run(crop, coordinates(), 7, 1, 1).bytes);
  EXPECT_THROW(run(T::RandomCrop(40), coordinates(), 0), Error);
  EXPECT_EQ(run(T::RandomCrop(40, {.pad_if_needed = true}), coordinates(), 0).shape(), (Shape{3, 40, 40}));
}

TEST(RandomTransforms, FlipsFollowP) {
  const Image base = coordinates();
  Image mirrored = base;
  T::hflip(mirrored);
  int flipped = 0;
  for (int64_t i = 0; i < 4000; ++i) flipped += run(T::RandomHorizontalFlip(), base, 3, 0, i).bytes == mirrored.bytes;
  EXPECT_NEAR(flipped / 4000.0, 0.5, 0.03);
  EXPECT_EQ(run(T::RandomHorizontalFlip(0.0), base, 1).bytes, base.bytes);
  EXPECT_EQ(run(T::RandomHorizontalFlip(1.0), base, 1).bytes, mirrored.bytes);
  Image upside = base;
  T::vflip(upside);
  EXPECT_EQ(run(T::RandomVerticalFlip(1.0), base, 1).bytes, upside.bytes);
  EXPECT_THROW(T::RandomHorizontalFlip(1.5), Error);
}

TEST(RandomTransforms, RotationAnglesStayInRange) {
  const Image base = coordinates();
  EXPECT_EQ(run(T::RandomRotation(0), base, 5).bytes, base.bytes);
  Image quarter = base;
  T::rotate(quarter, 90);
  EXPECT_EQ(run(T::RandomRotation({90, 90}, {}), base, 5).bytes, quarter.bytes);
  // Rotating by at most 10 degrees keeps the centre pixel's neighbourhood: its coordinates move by at most 1.
  for (int64_t i = 0; i < 50; ++i) {
    const Image out = run(T::RandomRotation(10, {.interpolation = T::Interpolation::bilinear}), base, 5, 0, i);
    EXPECT_NEAR(out.at(16, 16, 0), 16, 1);
    EXPECT_NEAR(out.at(16, 16, 1), 16, 1);
  }
}

TEST(RandomTransforms, RandomResizedCropParametersAndFallback) {
  const T::Range scale{0.08, 1.0}, ratio{3.0 / 4.0, 4.0 / 3.0};
  double min_area = 1, max_area = 0;
  for (int64_t i = 0; i < 3000; ++i) {
    SampleRng rng(11, 0, i);
    const T::CropBox b = T::RandomResizedCrop::get_params(100, 120, scale, ratio, rng);
    ASSERT_TRUE(b.top >= 0 && b.left >= 0 && b.top + b.height <= 100 && b.left + b.width <= 120);
    const double area = double(b.height * b.width) / 12000.0, r = double(b.width) / double(b.height);
    min_area = std::min(min_area, area);
    max_area = std::max(max_area, area);
    EXPECT_GT(area, 0.07);
    EXPECT_TRUE(r > 0.7 && r < 1.4) << r;
  }
  EXPECT_LT(min_area, 0.12);
  EXPECT_GT(max_area, 0.85);
  // An impossible scale exhausts the 10 tries: the centre crop, clamped to the widest allowed ratio.
  SampleRng rng(1);
  EXPECT_EQ(T::RandomResizedCrop::get_params(10, 40, {2.0, 3.0}, ratio, rng), (T::CropBox{0, 13, 10, 13}));
  EXPECT_EQ(T::RandomResizedCrop::get_params(40, 10, {2.0, 3.0}, ratio, rng), (T::CropBox{13, 0, 13, 10}));
  EXPECT_EQ(T::RandomResizedCrop::get_params(10, 12, {2.0, 3.0}, ratio, rng), (T::CropBox{0, 0, 10, 12}));
  EXPECT_EQ(run(T::RandomResizedCrop(24), coordinates(), 3).shape(), (Shape{3, 24, 24}));
}

TEST(RandomTransforms, ColorJitterFactorsStayInRange) {
  Image grey;
  grey.reset_bytes(4, 4, 3);
  std::fill(grey.bytes.begin(), grey.bytes.end(), uint8_t{100});
  std::set<int> seen;
  for (int64_t i = 0; i < 200; ++i) {
    const Image out = run(T::ColorJitter({.brightness = 0.5}), grey, 2, 0, i);
    ASSERT_TRUE(out.bytes[0] >= 50 && out.bytes[0] <= 150) << int(out.bytes[0]);
    seen.insert(out.bytes[0]);
  }
  EXPECT_GT(seen.size(), 50u);
  EXPECT_EQ(run(T::ColorJitter({}), coordinates(), 2).bytes, coordinates().bytes);
  const T::ColorJitter all({.brightness = 0.4, .contrast = 0.4, .saturation = 0.4, .hue = 0.1});
  EXPECT_EQ(run(all, coordinates(), 9, 1, 2).bytes, run(all, coordinates(), 9, 1, 2).bytes);
  EXPECT_NE(run(all, coordinates(), 9, 1, 2).bytes, run(all, coordinates(), 9, 1, 3).bytes);
  EXPECT_THROW(T::ColorJitter({.hue = 0.7}), Error);
}

TEST(RandomTransforms, RandomErasingCutsOneRectangle) {
  Image ones;
  ones.reset_values(3, 32, 32);
  std::fill(ones.values.begin(), ones.values.end(), 1.0f);
  for (int64_t i = 0; i < 200; ++i) {
    const Image out = run(T::RandomErasing({.p = 1.0}), ones, 4, 0, i);
    int64_t zeros = 0, min_y = 32, max_y = -1, min_x = 32, max_x = -1;
    for (int64_t y = 0; y < 32; ++y)
      for (int64_t x = 0; x < 32; ++x)
        if (out.values[static_cast<size_t>(y * 32 + x)] == 0.0f) {
          ++zeros;
          min_y = std::min(min_y, y), max_y = std::max(max_y, y), min_x = std::min(min_x, x),
          max_x = std::max(max_x, x);
        }
    ASSERT_GT(zeros, 0) << "p = 1 always erases (a 32x32 image always fits a box)";
    EXPECT_EQ(zeros, (max_y - min_y + 1) * (max_x - min_x + 1)) << "one solid rectangle";
    EXPECT_TRUE(zeros >= 14 && zeros <= 0.34 * 1024) << zeros;
  }
  EXPECT_EQ(run(T::RandomErasing({.p = 0.0}), ones, 4).values, ones.values);
  const Image noisy = run(T::RandomErasing({.p = 1.0, .random_value = true}), ones, 4);
  EXPECT_NE(noisy.values, ones.values);
  EXPECT_THROW(run(T::RandomErasing(), coordinates(), 4), Error) << "needs a float image";
}

TEST(RandomTransforms, ComposeAndCreateTransform) {
  const auto t = T::compose(T::RandomCrop(32, {.padding = {4}}), T::RandomHorizontalFlip(), T::ToTensor(),
                            T::Normalize({0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}));
  const Image out = run(*t, coordinates(), 1);
  EXPECT_EQ(out.format, ImageFormat::f32_chw);
  EXPECT_EQ(out.shape(), (Shape{3, 32, 32}));
  EXPECT_NE(t->repr().find("RandomCrop(size=(32, 32), padding=[4]"), std::string::npos) << t->repr();
  EXPECT_THROW((*t)(coordinates().to_tensor(), 1), Error) << "a tensor is past ToTensor already, as in torchvision";
  const auto on_tensors = T::compose(T::RandomCrop(28), T::Normalize({0.5f}, {0.5f}));
  EXPECT_EQ((*on_tensors)(coordinates().to_tensor(), 1).shape(), (Shape{3, 28, 28}));

  const auto train = T::create_transform(
      {.is_training = true, .crop_pad = 4, .reprob = 0.25, .mean = {0.5f, 0.5f, 0.5f}, .std = {0.2f, 0.2f, 0.2f}},
      Shape{3, 32, 32});
  const std::string r = train->repr();
  for (const char* piece : {"RandomCrop", "RandomHorizontalFlip(p=0.5)", "ToTensor", "Normalize", "RandomErasing"})
    EXPECT_NE(r.find(piece), std::string::npos) << piece << " in " << r;
  const auto eval =
      T::create_transform({.image_size = 224, .crop_pct = 0.875, .mean = {0.5f}, .std = {0.5f}}, Shape{3, 300, 400});
  EXPECT_NE(eval->repr().find("Resize(size=256"), std::string::npos) << eval->repr();
  EXPECT_EQ(run(*eval, coordinates(60, 80), 0).shape(), (Shape{3, 224, 224}));
}

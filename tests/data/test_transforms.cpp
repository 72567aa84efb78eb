// Transforms: the deterministic functions against torchvision 0.14 fixtures (tests/fixtures/gen_transforms.py),
// and structural or statistical checks of the random transforms, Compose and create_transform.
// Not datasets or the loader (test_cifar.cpp, test_loader_workers.cpp).
#include <cnn/data.h>

#include <cmath>
#include <set>

#include "test_util.h"

using namespace cnn;
namespace T = cnn::transforms;

namespace {

const char* kFile = "transforms";

// A fixture image stored as [H, W, C] values 0..255.
Image bytes_of(const Tensor& hwc) {
  const std::vector<float> v = hwc.contiguous().to_vector<float>();
  std::vector<uint8_t> b(v.size());
  for (size_t i = 0; i < v.size(); ++i) b[i] = static_cast<uint8_t>(v[i]);
  return Image::from_bytes(hwc.size(0), hwc.size(1), hwc.size(2), std::move(b));
}
Image input(const std::string& name) { return bytes_of(test::fixture(kFile, "images", name)); }

// Fraction of bytes equal to the fixture (and within `tol` of it), failing with the first difference on mismatch.
::testing::AssertionResult bytes_match(const Image& im, const Tensor& expected, int tol = 0, double at_least = 1.0) {
  if (!im.is_bytes()) return ::testing::AssertionFailure() << "expected a byte image";
  const Shape want{expected.size(0), expected.size(1), expected.size(2)};
  const Shape got{im.height, im.width, im.channels};
  if (!(got == want)) return ::testing::AssertionFailure() << fmt::format("shape (H, W, C) {}, expected {}", got, want);
  const std::vector<float> e = expected.contiguous().to_vector<float>();
  size_t ok = 0, first_bad = e.size();
  for (size_t i = 0; i < e.size(); ++i) {
    if (std::abs(float(im.bytes[i]) - e[i]) <= float(tol))
      ++ok;
    else if (first_bad == e.size())
      first_bad = i;
  }
  const double fraction = e.empty() ? 1.0 : double(ok) / double(e.size());
  if (fraction >= at_least) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << ok << " of " << e.size() << " bytes within " << tol << "; first at "
                                       << first_bad << ": got " << int(im.bytes[first_bad]) << ", expected "
                                       << e[first_bad];
}

// The image's tensor [C, H, W], values as stored (bytes are not scaled).
Tensor raw_chw(const Image& im) {
  if (!im.is_bytes()) return im.to_tensor();
  Tensor t = im.to_tensor();
  std::vector<float> v = t.to_vector<float>();
  for (float& x : v) x = std::round(x * 255.0f);
  return from_vector(v, t.shape());
}

}  // namespace

TEST(Transforms, ToTensorAndNormalizeMatchTorchvision) {
  Image im = input("rgb");
  T::to_tensor(im);
  EXPECT_EQ(im.format, ImageFormat::f32_chw);
  EXPECT_ALLCLOSE(im.to_tensor(), test::fixture(kFile, "to_tensor", "y"), 0, 0);
  const std::vector<float> mean = test::fixture(kFile, "normalize", "mean").to_vector<float>();
  const std::vector<float> std = test::fixture(kFile, "normalize", "std").to_vector<float>();
  T::Normalize normalize(mean, std);
  SampleRng rng;
  normalize.apply(im, rng);
  EXPECT_ALLCLOSE(im.to_tensor(), test::fixture(kFile, "normalize", "y"), 0, 0);
  Image bytes = input("rgb");
  EXPECT_THROW(normalize.apply(bytes, rng), Error);
  EXPECT_THROW(T::ToTensor().apply(im, rng), Error);
}

TEST(Transforms, ResizeMatchesPil) {
  for (const std::string name : {"resize_short_down", "resize_exact_up", "resize_mixed", "resize_gray_short_up",
                                 "resize_big_down", "resize_nearest_up", "resize_nearest_down"}) {
    const Tensor y = test::fixture(kFile, name, "y");
    const std::string image =
        std::vector<std::string>{"rgb", "gray", "square"}[size_t(test::fixture_value(kFile, name, "image"))];
    const T::ResizeOptions options{.interpolation = test::fixture_value(kFile, name, "nearest") != 0
                                                        ? T::Interpolation::nearest
                                                        : T::Interpolation::bilinear};
    const auto shorter = int64_t(test::fixture_value(kFile, name, "short"));
    const T::Resize resize = shorter > 0 ? T::Resize(shorter, options)
                                         : T::Resize(T::ImageSize(int64_t(test::fixture_value(kFile, name, "h")),
                                                                  int64_t(test::fixture_value(kFile, name, "w"))),
                                                     options);
    Image im = input(image);
    SampleRng rng;
    resize.apply(im, rng);
    EXPECT_TRUE(bytes_match(im, y)) << name;
  }
  EXPECT_EQ(T::resize_output_size(7, 9, 4), T::ImageSize(4, 5));
  EXPECT_EQ(T::resize_output_size(100, 50, 32, 60), T::ImageSize(60, 30));
}

TEST(Transforms, CropsFlipsAndPaddingMatchTorchvision) {
  for (const std::string name : {"center_crop_small", "center_crop_odd", "center_crop_pad"}) {
    Image im = input("rgb");
    T::center_crop(im,
                   {int64_t(test::fixture_value(kFile, name, "h")), int64_t(test::fixture_value(kFile, name, "w"))});
    EXPECT_TRUE(bytes_match(im, test::fixture(kFile, name, "y"))) << name;
  }
  Image h = input("rgb"), v = input("rgb");
  T::hflip(h);
  T::vflip(v);
  EXPECT_TRUE(bytes_match(h, test::fixture(kFile, "hflip", "y")));
  EXPECT_TRUE(bytes_match(v, test::fixture(kFile, "vflip", "y")));
  const std::vector<std::pair<std::string, T::PaddingMode>> modes{{"constant", T::PaddingMode::constant},
                                                                  {"edge", T::PaddingMode::edge},
                                                                  {"reflect", T::PaddingMode::reflect},
                                                                  {"symmetric", T::PaddingMode::symmetric}};
  const T::Padding padding = T::Padding::from({3, 2, 1, 4});
  for (const auto& [name, mode] : modes) {
    Image padded = input("rgb"), cropped = input("rgb");
    T::pad(padded, padding, mode, 7);
    EXPECT_TRUE(bytes_match(padded, test::fixture(kFile, "pad_" + name, "padded"))) << name;
    T::pad_crop(cropped, padding, {1, 2, 8, 10}, mode, 7);
    EXPECT_TRUE(bytes_match(cropped, test::fixture(kFile, "pad_" + name, "y"))) << name;
  }
  Image rc = input("rgb");
  T::resized_crop(rc, {1, 2, 5, 6}, 8);
  EXPECT_TRUE(bytes_match(rc, test::fixture(kFile, "resized_crop", "y")));
}

TEST(Transforms, RotateMatchesPil) {
  for (const std::string name : {"rotate_90", "rotate_180", "rotate_270", "rotate_m90"}) {
    Image im = input("square");
    T::rotate(im, test::fixture_value(kFile, name, "angle"));
    EXPECT_TRUE(bytes_match(im, test::fixture(kFile, name, "y"))) << name;
  }
  // Other angles go through PIL's affine sampling: same pixel centres, same truncation of bilinear values.
  Image nearest = input("rgb"), bilinear = input("rgb");
  T::rotate(nearest, 30, T::Interpolation::nearest, 9);
  T::rotate(bilinear, 30, T::Interpolation::bilinear, 9);
  EXPECT_TRUE(bytes_match(nearest, test::fixture(kFile, "rotate_30_nearest", "y")));
  EXPECT_TRUE(bytes_match(bilinear, test::fixture(kFile, "rotate_30_bilinear", "y")));
}

TEST(Transforms, ColourAdjustmentsMatchTorchvisionTensors) {
  using Fn = void (*)(Image&, double);
  const std::vector<std::pair<std::string, Fn>> kinds{{"brightness", T::adjust_brightness},
                                                      {"contrast", T::adjust_contrast},
                                                      {"saturation", T::adjust_saturation},
                                                      {"hue", T::adjust_hue}};
  for (const auto& [kind, fn] : kinds)
    for (int k = 0; k < 2; ++k) {
      const std::string u8 = kind + "_u8_" + std::to_string(k), f32 = kind + "_f32_" + std::to_string(k);
      Image bytes = input("rgb");
      fn(bytes, test::fixture_value(kFile, u8, "factor"));
      EXPECT_ALLCLOSE(raw_chw(bytes), test::fixture(kFile, u8, "y"), 0, 0) << u8;
      Image floats = input("rgb");
      T::to_tensor(floats);
      fn(floats, test::fixture_value(kFile, f32, "factor"));
      EXPECT_ALLCLOSE(floats.to_tensor(), test::fixture(kFile, f32, "y"), 1e-5, 1e-5) << f32;
    }
}

TEST(Transforms, EraseMatchesTorchvision) {
  Image im = input("rgb");
  T::to_tensor(im);
  T::normalize(im, {0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f});
  T::erase(im, {1, 2, 3, 4}, {1.0f, 2.0f, 3.0f});
  EXPECT_ALLCLOSE(im.to_tensor(), test::fixture(kFile, "erase", "y"), 0, 0);
  EXPECT_THROW(T::erase(im, {5, 2, 3, 4}, {0.0f}), Error);
}

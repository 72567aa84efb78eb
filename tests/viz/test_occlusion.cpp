// Occlusion sensitivity on a hand-built model whose score reads one known 2x2 region: the map peaks exactly there.
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

// logits = [s, 0] with s the sum of pixels (2..3, 4..5) of a 1x8x8 image: an 8x8 conv with weights 1 there.
std::shared_ptr<Sequential> region_model() {
  auto seq = std::make_shared<Sequential>(Conv2d(1, 1, {.kernel_size = 8, .bias = false}), Flatten(), Linear(1, 2));
  NoGradGuard no_grad;
  std::vector<float> w(64, 0.0f);
  for (int y = 2; y <= 3; ++y)
    for (int x = 4; x <= 5; ++x) w[static_cast<size_t>(y * 8 + x)] = 1.0f;
  seq->at<Conv2d>(0)->weight.copy_(from_vector(w, {1, 1, 8, 8}));
  seq->at<Linear>(2)->weight.copy_(from_vector(std::vector<float>{1, 0}, {2, 1}));
  seq->at<Linear>(2)->bias.zero_();
  return seq;
}

double sigmoid(double s) { return 1.0 / (1.0 + std::exp(-s)); }

TEST(Occlusion, PeaksExactlyOnTheRegionTheScoreReads) {
  auto model = region_model();
  const Tensor image = ones({1, 8, 8});
  // 49 positions in batches of 5 (the last one partial).
  const viz::Occlusion o = viz::occlusion(*model, image, {.patch = 2, .stride = 1, .batch = 5});
  EXPECT_EQ(o.target, 0);
  EXPECT_NEAR(o.probability, sigmoid(4), 1e-6);
  ASSERT_EQ(o.coarse.shape(), Shape({7, 7}));
  const std::vector<float> c = o.coarse.to_vector<float>();
  for (int64_t r = 0; r < 7; ++r)
    for (int64_t col = 0; col < 7; ++col) {
      // Pixels of the region the patch at (r, col) hides: s drops by that many.
      int64_t hidden = 0;
      for (int64_t y = r; y < r + 2; ++y)
        for (int64_t x = col; x < col + 2; ++x) hidden += y >= 2 && y <= 3 && x >= 4 && x <= 5;
      EXPECT_NEAR(c[static_cast<size_t>(r * 7 + col)], sigmoid(4) - sigmoid(4.0 - static_cast<double>(hidden)), 1e-6)
          << "patch at (" << r << ", " << col << ")";
    }
  EXPECT_EQ(argmax(o.coarse.flatten(), 0).item(), 2 * 7 + 4);  // the patch covering the region exactly
  // Per pixel: the largest mean drop is inside the region, and pixels no region-touching patch covers stay 0.
  ASSERT_EQ(o.heatmap.shape(), Shape({8, 8}));
  const auto peak = static_cast<int64_t>(argmax(o.heatmap.flatten(), 0).item());
  EXPECT_TRUE(peak / 8 >= 2 && peak / 8 <= 3 && peak % 8 >= 4 && peak % 8 <= 5) << "peak at " << peak;
  const std::vector<float> h = o.heatmap.to_vector<float>();
  for (int64_t y = 0; y < 8; ++y)
    for (int64_t x = 0; x < 8; ++x)
      if (y < 1 || y > 4 || x < 3 || x > 6) {
        EXPECT_EQ(h[static_cast<size_t>(y * 8 + x)], 0.0f) << y << "," << x;
      }
}

TEST(Occlusion, FillTargetAndStride) {
  auto model = region_model();
  const Tensor image = ones({1, 8, 8});
  // A patch equal to the image changes nothing; class 1 is watched when asked.
  const viz::Occlusion same = viz::occlusion(*model, image, {.patch = 3, .stride = 2, .fill = 1.0, .target = 1});
  EXPECT_EQ(same.target, 1);
  EXPECT_EQ(same.coarse.shape(), Shape({3, 3}));  // rows 0, 2, 4 (the last start at or before 8 - 3)
  EXPECT_ALLCLOSE(same.coarse, zeros({3, 3}), 0.0, 1e-7);
  EXPECT_NE(test::error_message([&] { viz::occlusion(*model, image, {.patch = 9}); }).find("patch 9"),
            std::string::npos);
}

}  // namespace
}  // namespace cnn

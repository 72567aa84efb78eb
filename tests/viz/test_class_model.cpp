// Class-model visualisation: exact gradient ascent on a linear model (score linear in the steps without the L2
// penalty, the image's norm bounded by |w| / 2 lambda with it), and the score rising on a small ReLU convnet.
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

// logits = W flatten(I) + b for images [1, 2, 2]; class 0's row is w = (1, -2, 0.5, 3), |w|^2 = 14.25.
std::shared_ptr<Sequential> linear_model() {
  auto seq = std::make_shared<Sequential>(Flatten(), Linear(4, 2));
  NoGradGuard no_grad;
  seq->at<Linear>(1)->weight.copy_(from_vector(std::vector<float>{1, -2, 0.5, 3, 0, 0, 0, 1}, {2, 4}));
  seq->at<Linear>(1)->bias.copy_(from_vector(std::vector<float>{0.5, 0}, {2}));
  return seq;
}

TEST(ClassModel, LinearScoreGrowsLinearlyWithoutPenalty) {
  auto model = linear_model();
  const viz::ClassModel m = viz::class_model(*model, {1, 2, 2}, 0, {.steps = 10, .lr = 0.1, .l2 = 0.0});
  ASSERT_EQ(m.scores.size(), 11u);
  for (size_t t = 0; t < m.scores.size(); ++t) {
    EXPECT_NEAR(m.scores[t], 0.5 + 0.1 * static_cast<double>(t) * 14.25, 1e-4) << "step " << t;
    EXPECT_NEAR(m.norms[t], 0.1 * static_cast<double>(t) * std::sqrt(14.25), 1e-4) << "step " << t;
  }
  EXPECT_ALLCLOSE(m.image, from_vector(std::vector<float>{1, -2, 0.5, 3}, {1, 2, 2}), 1e-5, 1e-5);  // 10 * 0.1 * w
}

TEST(ClassModel, PenaltyBoundsTheNorm) {
  auto model = linear_model();
  const double lambda = 0.1, bound = std::sqrt(14.25) / (2 * lambda);  // the maximiser is w / (2 lambda)
  const viz::ClassModel m = viz::class_model(*model, {1, 2, 2}, 0, {.steps = 200, .lr = 0.5, .l2 = lambda});
  for (size_t t = 1; t < m.scores.size(); ++t) {
    EXPECT_LE(m.norms[t], bound + 1e-4) << "step " << t;
    EXPECT_GE(m.scores[t], m.scores[t - 1] - 1e-5) << "step " << t;
  }
  EXPECT_NEAR(m.norms.back(), bound, 1e-3);
  EXPECT_ALLCLOSE(m.image, from_vector(std::vector<float>{5, -10, 2.5, 15}, {1, 2, 2}), 1e-4, 1e-3);
}

// A small random ReLU convnet whose class scores can move by a few units over images in [-2, 2].
std::shared_ptr<Sequential> relu_convnet() {
  manual_seed(4);
  auto model = std::make_shared<Sequential>(Conv2d(1, 6, {.kernel_size = 3, .padding = 1}), ReLU(), MaxPool2d(2),
                                            Conv2d(6, 8, {.kernel_size = 3, .padding = 1}), ReLU(),
                                            AdaptiveAvgPool2d(1), Flatten(), Linear(8, 3));
  NoGradGuard no_grad;
  model->at<Linear>(7)->weight.copy_(model->at<Linear>(7)->weight * 20.0);
  return model;
}

TEST(ClassModel, ScoreRisesMonotonicallyOnAReluConvnet) {
  auto model = relu_convnet();
  const viz::ClassModel m =
      viz::class_model(*model, {1, 12, 12}, 1, {.steps = 60, .lr = 20.0, .l2 = 1e-3, .min_value = -2, .max_value = 2});
  EXPECT_EQ(m.image.shape(), Shape({1, 12, 12}));
  EXPECT_GE(min(m.image).item(), -2.0);
  EXPECT_LE(max(m.image).item(), 2.0);
  // Monotonic-ish: once near the top, steps overshoot ReLU kinks and the clamp, but no score falls more than 5% of
  // the whole gain below the best one so far.
  const double gain = m.scores.back() - m.scores.front();
  double best = m.scores.front();
  for (size_t t = 1; t < m.scores.size(); ++t) {
    EXPECT_GE(m.scores[t], best - 0.05 * gain) << "step " << t;
    best = std::max(best, m.scores[t]);
  }
  EXPECT_GT(m.scores.back(), m.scores.front() + 1.0) << "from " << m.scores.front();
  EXPECT_NE(test::error_message([&] { viz::class_model(*model, {1, 12, 12}, 3); }).find("class 3 is out of range"),
            std::string::npos);
}

TEST(ClassModel, JitterAndBlurStillBeatRandomImages) {
  auto model = relu_convnet();
  const viz::ClassModel m = viz::class_model(
      *model, {1, 12, 12}, 1,
      {.steps = 60, .lr = 20.0, .l2 = 1e-3, .jitter = 1, .blur_every = 20, .min_value = -2, .max_value = 2, .seed = 3});
  EXPECT_GT(m.scores.back(), m.scores.front() + 1.0) << "from " << m.scores.front();
  NoGradGuard no_grad;
  const Tensor random_scores = (*model)(rand({50, 1, 12, 12}, -2.0, 2.0)).select(1, 1);
  EXPECT_GT(m.scores.back(), max(random_scores).item());  // above every one of 50 random images in the range
}

}  // namespace
}  // namespace cnn

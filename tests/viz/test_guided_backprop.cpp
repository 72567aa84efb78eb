// The three ReLU backward rules (chain rule, guided backpropagation, deconvnet) against values computed by hand on
// a two-layer network, the guard's scope, and guided Grad-CAM as the product of its two parts.
#include <cnn/cnn.h>
#include <cnn/relu_rule.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

// x [1, 1, 1, 2] -> flatten -> h = W1 x (W1 = [[1, 1], [1, -1], [2, 0]]) -> relu -> logits = W2 relu(h).
// For x = (1, 2): h = (3, -1, 2), so relu's mask is (1, 0, 1); class 0's row of W2 is g = (-1, 2, 1).
std::shared_ptr<Sequential> two_layer() {
  auto seq = std::make_shared<Sequential>(Flatten(), Linear(2, 3, {.bias = false}), ReLU(), Linear(3, 2, {.bias = false}));
  NoGradGuard no_grad;
  seq->at<Linear>(1)->weight.copy_(from_vector(std::vector<float>{1, 1, 1, -1, 2, 0}, {3, 2}));
  seq->at<Linear>(3)->weight.copy_(from_vector(std::vector<float>{-1, 2, 1, 0, 0, 1}, {2, 3}));
  return seq;
}

const Tensor kImage = from_vector(std::vector<float>{1, 2}, {1, 1, 2});

Tensor rule_gradient(ReluBackwardRule rule) {
  auto model = two_layer();
  return viz::backprop(*model, kImage, {.rule = rule, .target = 0});
}

TEST(Backprop, ChainRuleByHand) {
  // mask * g = (-1, 0, 1); W1^T (-1, 0, 1) = (1, -1).
  EXPECT_ALLCLOSE(rule_gradient(ReluBackwardRule::standard), from_vector(std::vector<float>{1, -1}, {1, 1, 2}));
}

TEST(Backprop, GuidedByHand) {
  // mask * [g > 0] * g = (0, 0, 1); W1^T (0, 0, 1) = (2, 0).
  EXPECT_ALLCLOSE(rule_gradient(ReluBackwardRule::guided), from_vector(std::vector<float>{2, 0}, {1, 1, 2}));
}

TEST(Backprop, DeconvnetByHand) {
  // [g > 0] * g = (0, 2, 1), ignoring the forward mask; W1^T (0, 2, 1) = (4, -2).
  EXPECT_ALLCLOSE(rule_gradient(ReluBackwardRule::deconvnet), from_vector(std::vector<float>{4, -2}, {1, 1, 2}));
}

TEST(Backprop, RuleIsScopedAndReachesFunctionalRelu) {
  EXPECT_EQ(relu_backward_rule(), ReluBackwardRule::standard);
  Tensor x = from_vector(std::vector<float>{-1, 2, 3}, {3});
  x.requires_grad_();
  const Tensor y = relu(x);
  const Tensor dy = from_vector(std::vector<float>{5, -1, 4}, {3});
  {
    ReluBackwardGuard outer(ReluBackwardRule::deconvnet);
    {
      ReluBackwardGuard inner(ReluBackwardRule::guided);
      EXPECT_ALLCLOSE(grad({y}, {x}, {dy}, true)[0], from_vector(std::vector<float>{0, 0, 4}, {3}));
    }
    EXPECT_EQ(relu_backward_rule(), ReluBackwardRule::deconvnet);
    EXPECT_ALLCLOSE(grad({y}, {x}, {dy}, true)[0], from_vector(std::vector<float>{5, 0, 4}, {3}));
  }
  EXPECT_EQ(relu_backward_rule(), ReluBackwardRule::standard);
  EXPECT_ALLCLOSE(grad({y}, {x}, {dy})[0], from_vector(std::vector<float>{0, -1, 4}, {3}));
  // Other activations keep the chain rule under any rule.
  Tensor z = from_vector(std::vector<float>{-1, 2, 7}, {3});
  z.requires_grad_();
  ReluBackwardGuard guided(ReluBackwardRule::guided);
  EXPECT_ALLCLOSE(grad({relu6(z)}, {z}, {dy})[0], from_vector(std::vector<float>{0, -1, 0}, {3}));
}

TEST(Backprop, GuidedGradCamIsGuidedTimesGradCam) {
  manual_seed(2);
  auto model = std::make_shared<Sequential>(Conv2d(1, 4, {.kernel_size = 3, .padding = 1}), ReLU(),
                                            Conv2d(4, 4, {.kernel_size = 3, .padding = 1}), ReLU(),
                                            AdaptiveAvgPool2d(1), Flatten(), Linear(4, 3));
  const Tensor image = test::uniform({1, 6, 6});
  const viz::GradCam cam = viz::gradcam(*model, "3", image, 2);
  const Tensor guided = viz::backprop(*model, image, {.target = 2});
  const Tensor both = viz::guided_gradcam(*model, "3", image, 2);
  EXPECT_EQ(both.shape(), Shape({1, 6, 6}));
  EXPECT_ALLCLOSE(both, guided * cam.heatmap.unsqueeze(0));
  // The guided rule acts here: two relus with mixed-sign gradients make it differ from the plain gradient.
  EXPECT_FALSE(test::allclose(guided, viz::backprop(*model, image, {.rule = ReluBackwardRule::standard, .target = 2})));
}

}  // namespace
}  // namespace cnn

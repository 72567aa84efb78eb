// Each layer's forward on small hand-computed cases, its output_shape against the real output, and its errors.
// Module mechanics (names, state dicts, printing) are in test_module.cpp.
#include <cnn/nn.h>

#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

Tensor t(std::vector<float> v, Shape s) { return from_vector(v, s); }

void expect_shape_agrees(Module& m, const Tensor& x) {
  EXPECT_EQ(m(x).shape(), m.output_shape(x.shape())) << m.str();
}

TEST(Layers, Conv2dHandCase) {
  Conv2d conv(1, 1, {.kernel_size = 2});
  conv.weight.fill_(1.0);
  conv.bias.fill_(0.5);
  const Tensor y = conv(arange(9).reshape({1, 1, 3, 3}));
  EXPECT_ALLCLOSE(y, t({8.5f, 12.5f, 20.5f, 24.5f}, {1, 1, 2, 2}));
  EXPECT_EQ(conv.macs({1, 1, 3, 3}), 4 * 4);
}

TEST(Layers, Conv2dOutputShapeAgreesWithForward) {
  manual_seed(0);
  const Tensor x = test::uniform({2, 4, 9, 8});
  Conv2d a(4, 6, {.kernel_size = 3, .stride = 2, .padding = 1});
  Conv2d b(4, 6, {.kernel_size = {3, 2}, .stride = {1, 2}, .padding = {0, 1}, .dilation = 2, .groups = 2});
  Conv2d c(4, 4, {.kernel_size = 4, .padding = "same", .groups = 4, .bias = false});
  Conv2d d(4, 3, {.kernel_size = 3, .padding = "valid"});
  for (Conv2d* m : {&a, &b, &c, &d}) expect_shape_agrees(*m, x);
  EXPECT_EQ(c(x).shape(), x.shape());
  EXPECT_EQ(c.geometry()->padding, Pair2(1, 1));
}

TEST(Layers, Conv2dChecksItsArguments) {
  EXPECT_THROW(Conv2d(3, 8, {}), Error);                                   // kernel_size is required
  EXPECT_THROW(Conv2d(3, 8, {.kernel_size = 3, .groups = 2}), Error);     // 3 % 2 != 0
  EXPECT_THROW(Conv2d(4, 8, {.kernel_size = 3, .stride = 2, .padding = "same"}), Error);
  Conv2d conv(3, 8, {.kernel_size = 3});
  try {
    conv(zeros({1, 1, 8, 8}));
    FAIL();
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("Conv2d(3, 8, kernel_size=(3, 3)"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[1, 1, 8, 8]"), std::string::npos) << msg;
  }
}

TEST(Layers, LinearHandCase) {
  Linear fc(2, 3);
  fc.weight.copy_(t({1, 2, 3, 4, 5, 6}, {3, 2}));
  fc.bias.copy_(t({0.1f, 0.2f, 0.3f}, {3}));
  EXPECT_ALLCLOSE(fc(ones({1, 2})), t({3.1f, 7.2f, 11.3f}, {1, 3}));
  expect_shape_agrees(fc, zeros({2, 5, 2}));
  EXPECT_EQ(fc.macs({2, 5, 2}), 2 * 5 * 3 * 2);
  Linear no_bias(2, 3, {.bias = false});
  EXPECT_FALSE(no_bias.bias.defined());
  EXPECT_EQ(no_bias.parameters().size(), 1u);
  EXPECT_THROW(fc(zeros({2, 3})), Error);
}

TEST(Layers, Activations) {
  const Tensor x = t({-2.0f, -0.5f, 0.0f, 0.5f, 7.0f}, {5});
  EXPECT_ALLCLOSE(ReLU()(x), t({0, 0, 0, 0.5f, 7}, {5}));
  EXPECT_ALLCLOSE(ReLU6()(x), t({0, 0, 0, 0.5f, 6}, {5}));
  EXPECT_ALLCLOSE(LeakyReLU(0.1)(x), t({-0.2f, -0.05f, 0, 0.5f, 7}, {5}));
  EXPECT_ALLCLOSE(LeakyReLU()(x), t({-0.02f, -0.005f, 0, 0.5f, 7}, {5}));
  std::vector<float> sig, th;
  for (float v : x.to_vector<float>()) sig.push_back(1.0f / (1.0f + std::exp(-v))), th.push_back(std::tanh(v));
  EXPECT_ALLCLOSE(Sigmoid()(x), t(sig, {5}));
  EXPECT_ALLCLOSE(Tanh()(x), t(th, {5}));
  EXPECT_TRUE(Identity()(x).is_same(x));
  EXPECT_EQ(ReLU().output_shape({2, 3}), Shape({2, 3}));
}

TEST(Layers, DropoutTrainAndEval) {
  manual_seed(0);
  Dropout drop(0.5);
  const Tensor x = ones({1000});
  int zeros_seen = 0;
  for (float v : drop(x).to_vector<float>()) {
    EXPECT_TRUE(v == 0.0f || v == 2.0f) << v;
    zeros_seen += v == 0.0f;
  }
  EXPECT_GT(zeros_seen, 400);
  EXPECT_LT(zeros_seen, 600);
  drop.eval();
  EXPECT_ALLCLOSE(drop(x), x);
  EXPECT_THROW(Dropout(1.5), Error);
}

TEST(Layers, Flatten) {
  Flatten all;
  Flatten middle({.start_dim = 2});
  const Tensor x = zeros({2, 3, 4, 5});
  EXPECT_EQ(all(x).shape(), Shape({2, 60}));
  EXPECT_EQ(middle(x).shape(), Shape({2, 3, 20}));
  expect_shape_agrees(all, x);
  expect_shape_agrees(middle, x);
  EXPECT_EQ(Flatten({.start_dim = 0, .end_dim = 1}).output_shape({2, 3, 4}), Shape({6, 4}));
}

TEST(Layers, PoolingHandCases) {
  const Tensor x = arange(16).reshape({1, 1, 4, 4});
  MaxPool2d max(2);
  AvgPool2d avg(2);
  AdaptiveAvgPool2d gap(1);
  AdaptiveMaxPool2d gmp({1, 1});
  EXPECT_ALLCLOSE(max(x), t({5, 7, 13, 15}, {1, 1, 2, 2}));
  EXPECT_ALLCLOSE(avg(x), t({2.5f, 4.5f, 10.5f, 12.5f}, {1, 1, 2, 2}));
  EXPECT_ALLCLOSE(gap(x), t({7.5f}, {1, 1, 1, 1}));
  EXPECT_ALLCLOSE(gmp(x), t({15}, {1, 1, 1, 1}));
  for (Module* m : std::initializer_list<Module*>{&max, &avg, &gap, &gmp}) expect_shape_agrees(*m, x);
  MaxPool2d strided({.kernel_size = 3, .stride = 2, .padding = 1});
  MaxPool2d ceil({.kernel_size = 2, .ceil_mode = true});
  AvgPool2d padded({.kernel_size = {2, 3}, .stride = 1, .padding = {1, 0}});
  const Tensor y = test::uniform({2, 3, 7, 9});
  for (Module* m : std::initializer_list<Module*>{&strided, &ceil, &padded}) expect_shape_agrees(*m, y);
  EXPECT_EQ(strided.geometry()->stride, Pair2(2, 2));
  EXPECT_EQ(max.options().stride, Pair2(2, 2));
}

TEST(Layers, BatchNorm2dTrainingUpdatesRunningStats) {
  BatchNorm2d bn(2);
  // Channel 0 holds {1, 3, 5, 7} (mean 4, biased var 5, unbiased 20/3); channel 1 holds 2 everywhere.
  const Tensor x = t({1, 3, 2, 2, 5, 7, 2, 2}, {2, 2, 1, 2});
  const Tensor y = bn(x);
  const float s = 1.0f / std::sqrt(5.0f + 1e-5f);
  EXPECT_ALLCLOSE(y, t({-3 * s, -1 * s, 0, 0, 1 * s, 3 * s, 0, 0}, {2, 2, 1, 2}), 1e-4, 1e-5);
  EXPECT_ALLCLOSE(bn.running_mean, t({0.4f, 0.2f}, {2}));
  EXPECT_ALLCLOSE(bn.running_var, t({0.9f + 0.1f * 20.0f / 3.0f, 0.9f}, {2}));
  EXPECT_EQ(bn.num_batches_tracked.item(), 1);
  bn.eval();
  const Tensor z = bn(x);
  EXPECT_NEAR(z.to_vector<float>()[0], (1.0f - 0.4f) / std::sqrt(0.9f + 2.0f / 3.0f + 1e-5f), 1e-5);
  EXPECT_EQ(bn.num_batches_tracked.item(), 1);  // eval leaves the count alone
  EXPECT_EQ(bn.macs({2, 2, 1, 2}), 8);
}

TEST(Layers, BatchNormCumulativeAverageAndNoTracking) {
  BatchNorm1d cumulative(1, {.momentum = std::nullopt});
  cumulative(t({1, 3}, {2, 1}));
  cumulative(t({5, 7}, {2, 1}));
  EXPECT_ALLCLOSE(cumulative.running_mean, t({4.0f}, {1}));  // mean of the two batch means
  EXPECT_EQ(cumulative.num_batches_tracked.item(), 2);

  BatchNorm2d untracked(1, {.affine = false, .track_running_stats = false});
  EXPECT_TRUE(untracked.named_buffers().empty());
  EXPECT_TRUE(untracked.state_dict().empty());
  untracked.eval();  // still normalises with the batch's own statistics
  EXPECT_ALLCLOSE(untracked(t({1, 3}, {1, 1, 1, 2})), t({-1, 1}, {1, 1, 1, 2}), 1e-4, 1e-5);
}

TEST(Layers, BatchNormChecksRank) {
  EXPECT_THROW(BatchNorm2d(3)(zeros({2, 3})), Error);
  EXPECT_THROW(BatchNorm1d(3)(zeros({2, 3, 4, 4})), Error);
  EXPECT_THROW(BatchNorm2d(3)(zeros({2, 4, 2, 2})), Error);
}

TEST(Layers, GradientsReachParametersThroughSequential) {
  manual_seed(0);
  Sequential net(Linear(4, 8), ReLU(), Linear(8, 2));
  const Tensor loss = sum(net(test::uniform({3, 4})));
  loss.backward();
  for (const auto& [name, p] : net.named_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << name;
    EXPECT_EQ(p.grad().shape(), p.shape()) << name;
  }
  // d(sum)/d(bias of the last layer) is the batch size.
  EXPECT_ALLCLOSE(net.at<Linear>(2)->bias.grad(), full({2}, 3.0));
}

}  // namespace
}  // namespace cnn

// Hooks and gradients: forward hooks and tensor (backward) hooks run in order and detach when removed;
// gradients with respect to the input and to an intermediate activation.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

TEST(ForwardHooks, RunInRegistrationOrderAndDetach) {
  Sequential seq(Linear(3, 2), ReLU());
  std::vector<std::string> calls;
  HookHandle a = seq[0]->register_forward_hook([&](Module&, const Tensor&, const Tensor&) { calls.push_back("a"); });
  HookHandle b = seq[0]->register_forward_hook([&](Module&, const Tensor&, const Tensor& out) {
    calls.push_back("b");
    EXPECT_EQ(out.shape(), Shape({4, 2}));
  });
  seq(ones({4, 3}));
  EXPECT_EQ(calls, (std::vector<std::string>{"a", "b"}));
  a.remove();
  seq(ones({4, 3}));
  EXPECT_EQ(calls, (std::vector<std::string>{"a", "b", "b"}));
  b.remove();
  b.remove();  // twice is harmless
  seq(ones({4, 3}));
  EXPECT_EQ(calls.size(), 3u);
}

TEST(TensorHooks, SeeTheGradientInOrderAndCanReplaceIt) {
  Tensor x = from_vector(std::vector<float>{1, 2, 3}, {3}).requires_grad_();
  Tensor y = x * 2.0;
  std::vector<std::string> calls;
  Tensor seen;
  TensorHookHandle h1 = y.register_hook([&](const Tensor& g) {
    calls.push_back("first");
    seen = g;
    return Tensor();
  });
  TensorHookHandle h2 = y.register_hook([&](const Tensor& g) {
    calls.push_back("second");
    return g * 10.0;
  });
  sum(y).backward();
  EXPECT_EQ(calls, (std::vector<std::string>{"first", "second"}));
  EXPECT_ALLCLOSE(seen, ones({3}));
  EXPECT_ALLCLOSE(x.grad(), full({3}, 20.0));  // the second hook scaled dy by 10

  h2.remove();
  x.zero_grad();
  sum(x * 2.0).backward();  // a new graph: no hooks on its intermediate
  EXPECT_ALLCLOSE(x.grad(), full({3}, 2.0));
  h1.remove();
}

TEST(TensorHooks, LeafHookSeesTheSumOverAllPathsOnce) {
  Tensor x = from_vector(std::vector<float>{1, 2}, {2}).requires_grad_();
  int calls = 0;
  Tensor seen;
  TensorHookHandle h = x.register_hook([&](const Tensor& g) {
    ++calls;
    seen = g;
    return Tensor();
  });
  sum(x * 2.0 + x * 3.0).backward();
  EXPECT_EQ(calls, 1);
  EXPECT_ALLCLOSE(seen, full({2}, 5.0));
  h.remove();
  sum(x * 2.0).backward();
  EXPECT_EQ(calls, 1);
}

TEST(TensorHooks, RunUnderAutogradGradToo) {
  Tensor x = from_vector(std::vector<float>{1, 2}, {2}).requires_grad_();
  Tensor y = x * x;
  Tensor seen;
  TensorHookHandle h = y.register_hook([&](const Tensor& g) {
    seen = g;
    return Tensor();
  });
  const Tensor gx = grad({sum(y * 3.0)}, {x})[0];
  EXPECT_ALLCLOSE(seen, full({2}, 3.0));
  EXPECT_ALLCLOSE(gx, from_vector(std::vector<float>{6, 12}, {2}));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Gradients, WithRespectToInputAndIntermediateActivation) {
  manual_seed(0);
  Sequential seq(Conv2d(1, 2, {.kernel_size = 3, .padding = 1}), ReLU(), Flatten(), Linear(2 * 5 * 5, 3));
  Tensor x = test::uniform({1, 1, 5, 5}).requires_grad_();
  auto [act, out] = viz::forward_capture(seq, "1", x);
  EXPECT_EQ(act.shape(), Shape({1, 2, 5, 5}));
  act.retain_grad();
  const Tensor score = sum(out.select(1, 2));
  const auto g = grad({score}, {x, act}, {}, true);
  // Through the linear layer, d score / d act is row 2 of its weight, laid out as the activation.
  const Tensor w = seq.at<Linear>(3)->weight.select(0, 2).reshape({1, 2, 5, 5});
  EXPECT_ALLCLOSE(g[1], w);
  EXPECT_EQ(g[0].shape(), x.shape());
  score.backward();
  EXPECT_ALLCLOSE(act.grad(), w);
  EXPECT_ALLCLOSE(x.grad(), g[0]);
}

}  // namespace
}  // namespace cnn

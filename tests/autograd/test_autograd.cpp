// Autograd: leaves, accumulation, retain_grad, detach, NoGradGuard, zero_grad, reused sub-expressions.
#include "test_util.h"

using namespace cnn;

namespace {
Tensor leaf(std::vector<float> v, Shape s) {
  Tensor t = from_vector(v, s);
  t.requires_grad_();
  return t;
}
}  // namespace

TEST(Autograd, SimpleChainRule) {
  Tensor x = leaf({2, 3}, {2});
  Tensor y = sum(mul(x, x) * 3.0);  // dy/dx = 6x
  y.backward();
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({12, 18}));
  EXPECT_TRUE(x.is_leaf());
  EXPECT_FALSE(y.is_leaf());
  EXPECT_EQ(y.grad_fn()->name, "SumBackward");
}

TEST(Autograd, ReusedSubExpressionAndOpUsedTwice) {
  Tensor x = leaf({1, 2}, {2});
  Tensor a = exp(x);                  // reused twice below
  Tensor z = sum(a * a + a);          // dz/dx = (2a + 1) a
  z.backward();
  const auto g = x.grad().to_vector<float>();
  for (int i = 0; i < 2; ++i) {
    const double e = std::exp(double(i + 1));
    EXPECT_NEAR(g[i], (2 * e + 1) * e, 1e-3 * e * e);
  }
  // The same tensor as both operands of one op.
  Tensor w = leaf({3}, {1});
  sum(mul(w, w)).backward();
  EXPECT_EQ(w.grad().to_vector<float>(), std::vector<float>({6}));
}

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = leaf({1, -1}, {2});
  sum(x * 2.0).backward();
  sum(x * 3.0).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({5, 5}));
  x.zero_grad(false);
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({0, 0}));
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, RetainGradKeepsNonLeafGradient) {
  Tensor x = leaf({1, 2, 3}, {3});
  Tensor h = x * 2.0;
  h.retain_grad();
  Tensor k = x * 5.0;  // not retained
  sum(h * h + k).backward();
  EXPECT_EQ(h.grad().to_vector<float>(), std::vector<float>({4, 8, 12}));  // 2h
  EXPECT_FALSE(k.grad().defined());
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({13, 21, 29}));  // 4h*... = 8x + 5
}

TEST(Autograd, DetachAndNoGradStopRecording) {
  Tensor x = leaf({1, 2}, {2});
  Tensor d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.impl()->storage, x.impl()->storage);
  Tensor y = sum(x * d);  // d is a constant: dy/dx = d
  y.backward();
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({1, 2}));
  {
    NoGradGuard guard;
    Tensor z = x * 2.0;
    EXPECT_FALSE(z.requires_grad());
    EXPECT_FALSE(grad_enabled());
  }
  EXPECT_TRUE(grad_enabled());
}

TEST(Autograd, BackwardTwiceNeedsRetainGraph) {
  Tensor x = leaf({1}, {1});
  Tensor y = sum(exp(x));
  y.backward({}, true);
  y.backward();
  EXPECT_NEAR(x.grad().item(), 2 * std::exp(1.0), 1e-5);
  EXPECT_THROW(y.backward(), Error);
}

TEST(Autograd, NonScalarBackwardNeedsGradient) {
  Tensor x = leaf({1, 2}, {2});
  Tensor y = x * 3.0;
  EXPECT_THROW(y.backward(), Error);
  y.backward(from_vector(std::vector<float>{1, 10}, {2}));
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({3, 30}));
}

TEST(Autograd, ViewsAndBroadcastingRouteGradients) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = leaf({1, 1, 1}, {3});
  Tensor y = x.t().reshape({3, 2}).slice(0, 1, 3);  // rows 1..2 of x^T
  Tensor z = sum(y) + sum(x + b);
  z.backward();
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({1, 2, 2, 1, 2, 2}));
  EXPECT_EQ(b.grad().to_vector<float>(), std::vector<float>({2, 2, 2}));
}

TEST(Autograd, GradFunctionLeavesDotGradAlone) {
  Tensor x = leaf({1, 2}, {2});
  Tensor h = x * x;
  Tensor y = sum(h * 3.0);
  auto g = grad({y}, {x, h});
  EXPECT_EQ(g[0].to_vector<float>(), std::vector<float>({6, 12}));
  EXPECT_EQ(g[1].to_vector<float>(), std::vector<float>({3, 3}));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, GradcheckOnComposite) {
  manual_seed(3);
  Tensor a = test::uniform({3, 4}, true), b = test::uniform({4, 2}, true);
  EXPECT_TRUE(test::gradcheck([](const std::vector<Tensor>& in) {
    return tanh(matmul(in[0], in[1])) * sigmoid(sum(in[1], {0}, true));
  }, {a, b}));
}

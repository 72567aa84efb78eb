// dropout: statistics of the mask (fraction zeroed, exact scale), evaluation identity, edge probabilities,
// seeding, the backward reusing the forward's mask, and error messages.
#include "test_util.h"

using namespace cnn;

namespace {

int64_t count_zeros(const Tensor& t) {
  int64_t n = 0;
  for (float v : t.to_vector<float>()) n += v == 0.0f;
  return n;
}

}  // namespace

TEST(Dropout, FractionZeroedAndScale) {
  manual_seed(1);
  const int64_t n = 200000;
  for (double p : {0.1, 0.3, 0.5, 0.9}) {
    Tensor y = dropout(ones({n}), p);
    const double fraction = static_cast<double>(count_zeros(y)) / static_cast<double>(n);
    // Binomial standard deviation sqrt(p(1-p)/n) is at most 0.0012: 0.01 is more than 8 of them.
    EXPECT_NEAR(fraction, p, 0.01) << "p=" << p;
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    for (float v : y.to_vector<float>()) ASSERT_TRUE(v == 0.0f || v == scale) << "p=" << p << " value " << v;
    // The scale keeps the expectation: mean(y) is close to 1.
    EXPECT_NEAR(mean(y).item(), 1.0, 0.05) << "p=" << p;
  }
}

TEST(Dropout, KeptValuesAreScaledInputs) {
  manual_seed(2);
  Tensor x = test::uniform({4, 3, 5, 6});
  Tensor y = dropout(x.contiguous(MemoryFormat::channels_last), 0.25);
  EXPECT_EQ(y.shape(), x.shape());
  const std::vector<float> xs = x.to_vector<float>(), ys = y.to_vector<float>();
  for (size_t i = 0; i < xs.size(); ++i)
    ASSERT_TRUE(ys[i] == 0.0f || ys[i] == xs[i] * static_cast<float>(1.0 / 0.75)) << "element " << i;
}

TEST(Dropout, EvaluationIsIdentity) {
  Tensor x = test::uniform({3, 4}, true);
  Tensor y = dropout(x, 0.5, false);
  EXPECT_TRUE(y.is_same(x));
  EXPECT_TRUE(dropout(x, 1.0, false).is_same(x));
}

TEST(Dropout, EdgeProbabilities) {
  Tensor x = test::uniform({100}, true);
  EXPECT_EQ(dropout(x, 0.0).to_vector<float>(), x.to_vector<float>());
  Tensor y = dropout(x, 1.0);
  EXPECT_EQ(count_zeros(y), 100);
  sum(y).backward();
  EXPECT_EQ(count_zeros(x.grad()), 100);
}

TEST(Dropout, BackwardUsesTheForwardMask) {
  manual_seed(3);
  Tensor x = ones({1000}).requires_grad_();
  Tensor y = dropout(x, 0.4);
  Tensor w = arange(1000);
  sum(mul(y, w)).backward();
  // y = x * mask with x = 1, so dL/dx = w * mask = w * y.
  EXPECT_EQ(x.grad().to_vector<float>(), mul(w, y).detach().to_vector<float>());
  EXPECT_GT(count_zeros(y), 300);
  EXPECT_EQ(y.grad_fn()->name, "DropoutBackward");
}

TEST(Dropout, SeedingReproducesTheMask) {
  manual_seed(4);
  const std::vector<float> a = dropout(ones({256}), 0.5).to_vector<float>();
  manual_seed(4);
  const std::vector<float> b = dropout(ones({256}), 0.5).to_vector<float>();
  const std::vector<float> c = dropout(ones({256}), 0.5).to_vector<float>();
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Dropout, GradientAndBackendParityWithAFixedMask) {
  manual_seed(5);
  auto f = [](const std::vector<Tensor>& t) {
    manual_seed(6);  // the same mask on every call
    return dropout(t[0], 0.3);
  };
  EXPECT_TRUE(test::gradcheck(f, {test::uniform({3, 5, 7}, true)}));
  EXPECT_TRUE(test::backend_parity(f, {test::uniform({1, 5, 6, 7}, true)}));
}

TEST(Dropout, ErrorMessages) {
  EXPECT_THROW(dropout(ones({3}), 1.5), Error);
  try {
    dropout(ones({3}), -0.1);
    FAIL() << "expected a cnn::Error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "dropout: probability has to be between 0 and 1, but got p=-0.1 (input [3])");
  }
}

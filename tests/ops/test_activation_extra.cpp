// gelu (erf and tanh), silu, hardswish and hardsigmoid: hand-computed values and PyTorch's boundary gradients,
// finite differences, backend parity (channels-last too) and PyTorch fixtures (tests/fixtures/gen_activation_extra.py).
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v) { return from_vector(v, {static_cast<int64_t>(v.size())}); }

// The gradient of sum(f(x)) at the points v.
Tensor slope(const std::function<Tensor(const Tensor&)>& f, std::vector<float> v) {
  Tensor x = grid(v).requires_grad_();
  sum(f(x)).backward();
  return x.grad();
}

const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>>& activations() {
  static const std::vector<std::pair<std::string, std::function<Tensor(const Tensor&)>>> all = {
      {"gelu", [](const Tensor& x) { return gelu(x); }},
      {"gelu_tanh", [](const Tensor& x) { return gelu(x, "tanh"); }},
      {"silu", [](const Tensor& x) { return silu(x); }},
      {"hardswish", [](const Tensor& x) { return hardswish(x); }},
      {"hardsigmoid", [](const Tensor& x) { return hardsigmoid(x); }},
  };
  return all;
}

}  // namespace

TEST(ActivationExtra, HandComputedValues) {
  const Tensor x = grid({-4, -3, -1, 0, 1, 3, 4});
  EXPECT_ALLCLOSE(gelu(grid({-1, 0, 1, 2})), grid({-0.15865525f, 0, 0.84134475f, 1.95449974f}));
  EXPECT_ALLCLOSE(gelu(grid({-1, 0, 1, 2}), "tanh"), grid({-0.15880801f, 0, 0.84119199f, 1.95459769f}));
  EXPECT_ALLCLOSE(silu(grid({-1, 0, 1, 2})), grid({-0.26894142f, 0, 0.73105858f, 1.76159416f}));
  EXPECT_ALLCLOSE(hardswish(x), grid({0, 0, -1 / 3.0f, 0, 2 / 3.0f, 3, 4}));
  EXPECT_ALLCLOSE(hardsigmoid(x), grid({0, 0, 1 / 3.0f, 0.5f, 2 / 3.0f, 1, 1}));
}

TEST(ActivationExtra, PyTorchSlopesAtTheBoundaries) {
  for (const std::string& backend_name : available_backends()) {
    SCOPED_TRACE(backend_name);
    BackendGuard guard(backend_name);
    // hardswish: 0 below -3, x/3 + 1/2 on [-3, 3) (so -1/2 at -3), 1 from 3 on, as PyTorch's vectorised kernel
    // (its scalar tail, for the last few elements of a tensor, gives 3/2 at 3).
    EXPECT_ALLCLOSE(slope(hardswish, {-4, -3, 0, 3, 4}), grid({0, -0.5f, 0.5f, 1, 1}));
    // hardsigmoid: 1/6 strictly inside (-3, 3), 0 at and beyond the boundaries.
    EXPECT_ALLCLOSE(slope(hardsigmoid, {-4, -3, 0, 3, 4}), grid({0, 0, 1 / 6.0f, 0, 0}));
    EXPECT_ALLCLOSE(slope([](const Tensor& t) { return gelu(t); }, {0}), grid({0.5f}));
    EXPECT_ALLCLOSE(slope(silu, {0}), grid({0.5f}));
  }
}

TEST(ActivationExtra, FiniteDifferenceGradients) {
  manual_seed(1);
  // Values in [-4, 4) keep clear of the hard boundaries at +-3 by more than the step.
  Tensor x = rand({3, 17}, -4.0, 4.0);
  float* p = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i)
    if (std::abs(std::abs(p[i]) - 3.0f) < 0.05f) p[i] += 0.1f;
  for (const auto& [name, f] : activations())
    EXPECT_TRUE(test::gradcheck([f = f](const auto& t) { return f(t[0]); }, {x.clone().requires_grad_()}, 1e-2,
                                2e-2, 2e-3))
        << name;
}

TEST(ActivationExtra, BackendParity) {
  manual_seed(2);
  for (const auto& [name, f] : activations()) {
    Fn plain = [f = f](const auto& t) { return f(t[0] * 4.0); };
    Fn cl = [f = f](const auto& t) { return f((t[0] * 4.0).contiguous(MemoryFormat::channels_last)); };
    EXPECT_TRUE(test::backend_parity(plain, {test::uniform({3, 5, 7}, true)}, 1e-4, 1e-5)) << name;
    EXPECT_TRUE(test::backend_parity(cl, {test::uniform({2, 5, 3, 7}, true)}, 1e-4, 1e-5)) << name << " channels-last";
  }
  // Channels-last in, channels-last out, same values.
  const Tensor x = test::uniform({2, 3, 4, 5}).contiguous(MemoryFormat::channels_last);
  EXPECT_TRUE(gelu(x).is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(gelu(x), gelu(x.contiguous()));
}

TEST(ActivationExtra, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends())
    for (const auto& [name, f] : activations()) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard guard(backend_name);
      Tensor x = test::fixture("activation_extra", name, "x").requires_grad_();
      Tensor y = f(x);
      EXPECT_ALLCLOSE(y, test::fixture("activation_extra", name, "y"), 1e-5, 1e-6);
      y.backward(test::fixture("activation_extra", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("activation_extra", name, "dx"), 1e-5, 1e-5);
    }
}

TEST(ActivationExtra, ErrorMessages) {
  try {
    gelu(ones({2}), "erf");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "gelu: approximate must be \"none\" or \"tanh\", got \"erf\"");
  }
  try {
    silu(ones({2}, DType::i64));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "silu: expected a float32 tensor, got int64 of shape [2]");
  }
}

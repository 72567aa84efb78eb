// gelu (erf and tanh), silu, hardswish, hardsigmoid, elu, selu, mish and prelu: hand-computed values and PyTorch's
// boundary gradients, finite differences, backend parity (channels-last too) and PyTorch fixtures
// (tests/fixtures/gen_activation_extra.py). prelu's weight gradient is checked with one shared slope and one per
// channel.
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v) { return from_vector(v, {static_cast<int64_t>(v.size())}); }
Tensor values(std::vector<float> v, const Shape& shape) { return from_vector(v, shape); }

// Inputs in [-2, 2) kept 0.05 away from prelu's kink at 0.
Tensor away_from_zero(const Shape& shape) {
  Tensor x = test::uniform(shape) * 2.0;
  float* p = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i)
    if (std::abs(p[i]) < 0.05f) p[i] += 0.1f;
  return x.requires_grad_();
}

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
      {"elu", [](const Tensor& x) { return elu(x); }},
      {"elu_alpha", [](const Tensor& x) { return elu(x, 0.5); }},
      {"selu", [](const Tensor& x) { return selu(x); }},
      {"mish", [](const Tensor& x) { return mish(x); }},
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
  // elu(-1) = e^-1 - 1; elu(-2, alpha 0.5) = (e^-2 - 1) / 2; selu = 1.0507 * elu(x, 1.6733); mish(1) = tanh(ln(1 + e)).
  EXPECT_ALLCLOSE(elu(grid({-1, 0, 1, 2})), grid({-0.63212056f, 0, 1, 2}));
  EXPECT_ALLCLOSE(elu(grid({-2, 3}), 0.5), grid({-0.43233236f, 3}));
  EXPECT_ALLCLOSE(selu(grid({-1, 0, 1, 2})), grid({-1.11133074f, 0, 1.05070099f, 2.10140197f}));
  EXPECT_ALLCLOSE(mish(grid({-1, 0, 1, 2})), grid({-0.30340146f, 0, 0.86509839f, 1.94395896f}));
}

TEST(ActivationExtra, PReluHandComputed) {
  // x [1, 2, 2]: channel 0 holds (-2, 3), channel 1 (-1, 0.5); slopes 0.1 and 0.5, or 0.25 shared.
  const Tensor x = values({-2, 3, -1, 0.5f}, {1, 2, 2});
  EXPECT_ALLCLOSE(prelu(x, values({0.1f, 0.5f}, {2})), values({-0.2f, 3, -0.5f, 0.5f}, {1, 2, 2}));
  EXPECT_ALLCLOSE(prelu(x, values({0.25f}, {1})), values({-0.5f, 3, -0.25f, 0.5f}, {1, 2, 2}));
  for (const std::string& backend_name : available_backends()) {
    SCOPED_TRACE(backend_name);
    BackendGuard guard(backend_name);
    // x [3, 2]: channel 0 holds (-2, -1, 0.5), channel 1 (3, 0, -4). d sum(y) / dx = 1 where x > 0, else the
    // channel's slope (x = 0 included, as PyTorch); d sum(y) / dw[c] = the sum of channel c's x <= 0: -3 and -4.
    Tensor xg = values({-2, 3, -1, 0, 0.5f, -4}, {3, 2}).requires_grad_();
    Tensor w = values({0.1f, 0.5f}, {2}).requires_grad_();
    sum(prelu(xg, w)).backward();
    EXPECT_ALLCLOSE(xg.grad(), values({0.1f, 1, 0.1f, 0.5f, 1, 0.5f}, {3, 2}));
    EXPECT_ALLCLOSE(w.grad(), values({-3, -4}, {2}));
  }
}

TEST(ActivationExtra, PyTorchSlopesAtTheBoundaries) {
  // elu and selu take the negative branch's slope at 0 (alpha, scale * alpha), mish(0)' = tanh(ln 2) + 0 = 0.6.
  for (const std::string& backend_name : available_backends()) {
    SCOPED_TRACE(backend_name);
    BackendGuard guard(backend_name);
    EXPECT_ALLCLOSE(slope([](const Tensor& t) { return elu(t, 0.5); }, {-1, 0, 1}), grid({0.18393972f, 0.5f, 1}));
    EXPECT_ALLCLOSE(slope(selu, {0, 1}), grid({1.75809934f, 1.05070099f}));
    EXPECT_ALLCLOSE(slope(mish, {0}), grid({0.6f}));
  }
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
  // ... and from the kinks of elu (alpha 0.5) and selu at 0.
  for (int64_t i = 0; i < x.numel(); ++i)
    if (std::abs(std::abs(p[i]) - 3.0f) < 0.05f || std::abs(p[i]) < 0.05f) p[i] += 0.1f;
  for (const auto& [name, f] : activations())
    EXPECT_TRUE(test::gradcheck([f = f](const auto& t) { return f(t[0]); }, {x.clone().requires_grad_()}, 1e-2,
                                2e-2, 2e-3))
        << name;
}

TEST(ActivationExtra, PReluFiniteDifferenceGradients) {
  manual_seed(4);
  const Fn f = [](const auto& t) { return prelu(t[0], t[1]); };
  // One shared slope, then one per channel (num_parameters = C = 5), a negative slope among them.
  EXPECT_TRUE(test::gradcheck(f, {away_from_zero({2, 5, 3, 3}), values({0.25f}, {1}).requires_grad_()}));
  EXPECT_TRUE(test::gradcheck(
      f, {away_from_zero({2, 5, 3, 3}), values({0.25f, -0.1f, 0.5f, 0, 1.5f}, {5}).requires_grad_()}));
  EXPECT_TRUE(test::gradcheck(f, {away_from_zero({3, 4}), test::uniform({4}, true)}));
}

TEST(ActivationExtra, PReluBackendParity) {
  manual_seed(5);
  const Fn f = [](const auto& t) { return prelu(t[0], t[1]); };
  const Fn cl = [](const auto& t) { return prelu(t[0].contiguous(MemoryFormat::channels_last), t[1]); };
  for (const Shape& shape : {Shape{1, 5, 3, 7}, Shape{3, 13, 1, 1}, Shape{7, 5}, Shape{2, 5, 9}}) {
    EXPECT_TRUE(test::backend_parity(f, {test::uniform(shape, true), test::uniform({shape[1]}, true)})) << shape.str();
    EXPECT_TRUE(test::backend_parity(f, {test::uniform(shape, true), test::uniform({1}, true)})) << shape.str();
  }
  EXPECT_TRUE(test::backend_parity(cl, {test::uniform({2, 5, 3, 7}, true), test::uniform({5}, true)}));
  EXPECT_TRUE(test::backend_parity(cl, {test::uniform({1, 3, 4, 4}, true), test::uniform({1}, true)}));
  // The oneDNN path runs oneDNN's prelu primitives (forward and backward) and keeps channels-last.
  BackendGuard guard("onednn");
  Tensor x = test::uniform({2, 3, 4, 5}).contiguous(MemoryFormat::channels_last).requires_grad_();
  backend().reset_counters();
  const Tensor y = prelu(x, test::uniform({3}, true));
  sum(y).backward();
  const BackendCounters c = backend().counters();
  EXPECT_EQ(c.primitives_created + c.primitives_reused, 2) << "one prelu forward, one prelu backward";
  EXPECT_TRUE(y.is_contiguous(MemoryFormat::channels_last));
  const Backend::PreluGrads g = backend().prelu_backward(ones_like(x), x.detach(), ones({3}), true, false);
  EXPECT_TRUE(g.dx.is_contiguous(MemoryFormat::channels_last));
  EXPECT_FALSE(g.dw.defined()) << "not asked for";
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
  // oneDNN runs elu and mish as one eltwise primitive each, selu as two (elu, then linear for the scale).
  BackendGuard guard("onednn");
  for (const auto& [f, primitives] : std::vector<std::pair<std::function<Tensor(const Tensor&)>, int64_t>>{
           {[](const Tensor& t) { return elu(t); }, 1}, {mish, 1}, {selu, 2}}) {
    backend().reset_counters();
    EXPECT_TRUE(f(x).is_contiguous(MemoryFormat::channels_last));
    const BackendCounters c = backend().counters();
    EXPECT_EQ(c.primitives_created + c.primitives_reused, primitives);
  }
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

TEST(ActivationExtra, PReluMatchesPyTorch) {
  for (const std::string& backend_name : available_backends())
    for (const std::string name : {"prelu_shared", "prelu_channels", "prelu_4d"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard guard(backend_name);
      Tensor x = test::fixture("activation_extra", name, "x").requires_grad_();
      Tensor w = test::fixture("activation_extra", name, "weight").requires_grad_();
      Tensor y = prelu(x, w);
      EXPECT_ALLCLOSE(y, test::fixture("activation_extra", name, "y"), 1e-5, 1e-6);
      y.backward(test::fixture("activation_extra", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("activation_extra", name, "dx"), 1e-5, 1e-5);
      EXPECT_ALLCLOSE(w.grad(), test::fixture("activation_extra", name, "dweight"), 1e-5, 1e-5);
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
  EXPECT_EQ(test::error_message([] { prelu(ones({8, 16, 4, 4}), ones({3})); }),
            "prelu: expected weight with 1 or 16 elements for input [8, 16, 4, 4], got [3]");
  EXPECT_EQ(test::error_message([] { prelu(ones({5}), ones({5})); }),
            "prelu: expected weight with 1 element for input [5], got [5]");
  EXPECT_EQ(test::error_message([] { prelu(ones({2, 3}), ones({1, 3})); }),
            "prelu: expected weight with 1 or 3 elements for input [2, 3], got [1, 3]");
}

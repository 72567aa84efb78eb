// Elementwise, binary, reduction and matmul/linear ops: hand-computed cases, finite-difference gradients,
// reference-vs-oneDNN parity on awkward shapes, and PyTorch fixtures (tests/fixtures/gen_math.py).
#include "test_util.h"

using namespace cnn;

namespace {
using Fn = std::function<Tensor(const std::vector<Tensor>&)>;
Tensor vec(std::vector<float> v) { return from_vector(v, {static_cast<int64_t>(v.size())}); }
Tensor grad_leaf(const std::string& file, const std::string& c, const std::string& k) {
  Tensor t = test::fixture(file, c, k);
  t.requires_grad_();
  return t;
}
}  // namespace

TEST(MathOps, HandComputedActivations) {
  Tensor x = vec({-2, -0.5, 0, 3, 7});
  EXPECT_EQ(relu(x).to_vector<float>(), std::vector<float>({0, 0, 0, 3, 7}));
  EXPECT_EQ(relu6(x).to_vector<float>(), std::vector<float>({0, 0, 0, 3, 6}));
  EXPECT_EQ(leaky_relu(x, 0.1).to_vector<float>(), std::vector<float>({-0.2f, -0.05f, 0, 3, 7}));
  EXPECT_EQ(clamp(x, -1.0, 2.0).to_vector<float>(), std::vector<float>({-1, -0.5, 0, 2, 2}));
  EXPECT_EQ(clamp(x, std::nullopt, 0.0).to_vector<float>(), std::vector<float>({-2, -0.5, 0, 0, 0}));
  EXPECT_FLOAT_EQ(sigmoid(vec({0})).item(), 0.5f);
  EXPECT_FLOAT_EQ(tanh(vec({0})).item(), 0.0f);
  EXPECT_EQ(neg(x).to_vector<float>(), std::vector<float>({2, 0.5, 0, -3, -7}));
  EXPECT_EQ(pow(vec({2, 3}), 2).to_vector<float>(), std::vector<float>({4, 9}));
  EXPECT_EQ(sqrt(vec({4, 9})).to_vector<float>(), std::vector<float>({2, 3}));
  EXPECT_FLOAT_EQ(log(exp(vec({1.5}))).item(), 1.5f);
}

TEST(MathOps, HandComputedBroadcastArithmetic) {
  Tensor a = from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor b = vec({10, 20, 30});
  EXPECT_EQ((a + b).to_vector<float>(), std::vector<float>({11, 22, 33, 14, 25, 36}));
  EXPECT_EQ((a - 1.0).to_vector<float>(), std::vector<float>({0, 1, 2, 3, 4, 5}));
  EXPECT_EQ((2.0 * a).to_vector<float>(), std::vector<float>({2, 4, 6, 8, 10, 12}));
  EXPECT_EQ((b / a.slice(0, 0, 1)).to_vector<float>(), std::vector<float>({10, 10, 10}));
  EXPECT_EQ((1.0 - a).to_vector<float>()[5], -5.0f);
  EXPECT_EQ(maximum(a, vec({2, 2, 2})).to_vector<float>(), std::vector<float>({2, 2, 3, 4, 5, 6}));
  EXPECT_THROW(a + vec({1, 2}), Error);
  EXPECT_THROW(a + arange(0, 3, 1, DType::i64), Error);
}

TEST(MathOps, HandComputedReductions) {
  Tensor a = from_vector(std::vector<float>{1, 5, 3, 4, 2, 6}, {2, 3});
  EXPECT_EQ(sum(a).item(), 21.0);
  EXPECT_EQ(sum(a, {0}).to_vector<float>(), std::vector<float>({5, 7, 9}));
  EXPECT_EQ(sum(a, {1}, true).shape(), Shape({2, 1}));
  EXPECT_EQ(mean(a, {1}).to_vector<float>(), std::vector<float>({3, 4}));
  EXPECT_EQ(max(a).item(), 6.0);
  auto [v, i] = max(a, 1);
  EXPECT_EQ(v.to_vector<float>(), std::vector<float>({5, 6}));
  EXPECT_EQ(i.to_vector<int64_t>(), std::vector<int64_t>({1, 2}));
  EXPECT_EQ(argmax(a, 0).to_vector<int64_t>(), std::vector<int64_t>({1, 0, 1}));
  EXPECT_EQ(min(a, 0).first.to_vector<float>(), std::vector<float>({1, 2, 3}));
  EXPECT_EQ(sum_to(ones({2, 3, 4}), {3, 1}).to_vector<float>(), std::vector<float>({8, 8, 8}));
  EXPECT_THROW(sum(a, {2}), Error);
}

TEST(MathOps, HandComputedMatmulAndLinear) {
  Tensor a = from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2});
  Tensor b = from_vector(std::vector<float>{5, 6, 7, 8}, {2, 2});
  EXPECT_EQ(matmul(a, b).to_vector<float>(), std::vector<float>({19, 22, 43, 50}));
  EXPECT_EQ(matmul(a, vec({1, 1})).to_vector<float>(), std::vector<float>({3, 7}));
  EXPECT_EQ(matmul(vec({1, 1}), a).shape(), Shape({2}));
  EXPECT_EQ(linear(a, b, vec({1, -1})).to_vector<float>(), std::vector<float>({18, 22, 40, 52}));
  try {
    linear(ones({4, 3}), ones({10, 5}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "linear: expected input with 5 features (last dimension) for weight [10, 5], got input [4, 3]");
  }
  EXPECT_THROW(matmul(ones({2, 3}), ones({2, 3})), Error);
}

TEST(MathOps, FiniteDifferenceGradients) {
  manual_seed(7);
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"relu", [](auto& in) { return relu(in[0]); }},
      {"leaky", [](auto& in) { return leaky_relu(in[0], 0.2); }},
      {"relu6", [](auto& in) { return relu6(in[0] * 8.0); }},
      {"sigmoid", [](auto& in) { return sigmoid(in[0]); }},
      {"tanh", [](auto& in) { return tanh(in[0]); }},
      {"exp", [](auto& in) { return exp(in[0]); }},
      {"log_sqrt_pow", [](auto& in) { return log(in[0] * in[0] + 1.0) + sqrt(in[0] * in[0] + 1.0) + pow(in[0], 3); }},
      {"clamp", [](auto& in) { return clamp(in[0], -0.5, 0.5); }},
      {"binary", [](auto& in) { return (in[0] * in[1] - in[1]) / (in[1] * in[1] + 2.0) + in[0]; }},
      {"maxmin", [](auto& in) { return maximum(in[0], in[1]) + minimum(in[0], in[1] * 2.0); }},
      {"reduce", [](auto& in) { return sum(in[0], {1}) + mean(in[0], {1}) + max(in[0], 1).first; }},
      {"matmul", [](auto& in) { return matmul(in[0], in[1].t()); }},
      {"linear", [](auto& in) { return linear(in[0], in[1], in[1].select(1, 0)); }},
      {"softmax", [](auto& in) { return softmax(in[0], 1) + log_softmax(in[0], 0); }},
  };
  // Inputs kept at least 0.1 away from the kinks at 0 (and the clamp bounds at +-0.5) of the piecewise ops.
  Tensor a = from_vector(std::vector<float>{-0.9f, 0.3f, -0.2f, 0.7f, 0.15f, -0.35f, 0.8f, -0.65f, 0.25f, -0.15f,
                                            0.6f, 0.38f, -0.75f, 0.12f, -0.3f}, {3, 5});
  Tensor b = from_vector(std::vector<float>{0.4f, -0.7f, 0.9f, -0.25f, 0.33f, 0.61f, -0.12f, 0.2f, -0.8f, 0.72f,
                                            -0.45f, 0.14f, 0.27f, -0.6f, 0.95f}, {3, 5});
  a.requires_grad_();
  b.requires_grad_();
  for (const auto& [name, f] : cases) {
    EXPECT_TRUE(test::gradcheck(f, {a, b}, 1e-3)) << name;
  }
}

TEST(MathOps, BackendParityOnAwkwardShapes) {
  manual_seed(11);
  Tensor x = test::uniform({1, 5, 7, 3}, true), y = test::uniform({1, 5, 7, 3}, true);
  Tensor cl = test::uniform({2, 13, 5, 7}).contiguous(MemoryFormat::channels_last);
  cl.requires_grad_();
  const std::vector<Fn> fns = {
      [](auto& in) { return relu(in[0]) + sigmoid(in[1]) + tanh(in[0] * in[1]); },
      [](auto& in) { return leaky_relu(in[0], 0.01) * relu6(in[1] * 7.0); },
      [](auto& in) { return exp(in[0]) + sqrt(abs(in[1]) + 0.1) + log(abs(in[0]) + 0.5); },
      [](auto& in) { return softmax(in[0], 1) + log_softmax(in[1], 3); },
      [](auto& in) { return sum(in[0], {1, 3}) + mean(in[1], {1, 3}); },
  };
  for (size_t i = 0; i < fns.size(); ++i) EXPECT_TRUE(test::backend_parity(fns[i], {x, y})) << "case " << i;
  EXPECT_TRUE(test::backend_parity([](auto& in) { return relu(in[0]) * 2.0; }, {cl}));
  Tensor a = test::uniform({7, 13}, true), w = test::uniform({5, 13}, true), b = test::uniform({5}, true);
  EXPECT_TRUE(test::backend_parity([](auto& in) { return linear(in[0], in[1], in[2]); }, {a, w, b}));
  EXPECT_TRUE(test::backend_parity([](auto& in) { return matmul(in[0], in[1].t()); }, {a, w}));
}

TEST(MathOps, MatchesPyTorch) {
  const std::string f = "math";
  {
    Tensor x = grad_leaf(f, "eltwise", "x");
    Tensor out = cat({relu(x), relu6(x * 8.0), leaky_relu(x, 0.1), sigmoid(x), tanh(x), exp(x), clamp(x, -0.3, 0.4), abs(x)});
    EXPECT_ALLCLOSE(out, test::fixture(f, "eltwise", "out"), 1e-5, 1e-6);
  }
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"positive", [](auto& in) { return cat({log(in[0]), sqrt(in[0]), pow(in[0], 2.5), pow(in[0], -1.0)}); }},
      {"binary", [](auto& in) {
         return cat({in[0] + in[1], in[0] - in[1], in[0] * in[1], in[0] / (in[1] + 3.0), maximum(in[0], in[1]),
                     minimum(in[0], in[1])});
       }},
      {"reduce", [](auto& in) {
         return cat({sum(in[0], {0, 2}).flatten(), mean(in[0], {1}).flatten(), max(in[0], 2).first.flatten(),
                     min(in[0], 0).first.flatten(), sum(in[0]).reshape({1}), mean(in[0]).reshape({1})});
       }},
      {"matmul", [](auto& in) { return matmul(in[0], in[1]); }},
      {"linear", [](auto& in) { return linear(in[0], in[1], in[2]); }},
      {"softmax", [](auto& in) { return cat({softmax(in[0], 1), log_softmax(in[0], 1), softmax(in[0], 0)}); }},
  };
  const std::map<std::string, std::vector<std::string>> keys = {
      {"positive", {"x"}}, {"binary", {"a", "b"}}, {"reduce", {"x"}}, {"matmul", {"a", "b"}},
      {"linear", {"x", "w", "b"}}, {"softmax", {"x"}}};
  for (const auto& [name, fn] : cases) {
    std::vector<Tensor> in;
    for (const auto& k : keys.at(name)) in.push_back(grad_leaf(f, name, k));
    Tensor out = fn(in);
    EXPECT_ALLCLOSE(out, test::fixture(f, name, "out"), 1e-5, 1e-5) << name;
    std::vector<float> w(static_cast<size_t>(out.numel()));
    for (size_t i = 0; i < w.size(); ++i) w[i] = 0.5f + static_cast<float>((i * 7) % 11) / 11.0f;
    sum(out * from_vector(w, out.shape())).backward();
    for (size_t i = 0; i < in.size(); ++i)
      EXPECT_ALLCLOSE(in[i].grad(), test::fixture(f, name, "grad_" + keys.at(name)[i]), 1e-4, 1e-5) << name;
  }
}

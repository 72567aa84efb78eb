// OneDnnBackend against RefBackend: every overridden kernel, forward and all backwards, on awkward shapes
// (odd H/W, batch 1, channels not a multiple of 8, groups, stride, dilation, asymmetric padding, channels-last).
// Also checks the memory formats the oneDNN kernels hand back (see Note [Memory format]).
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor channels_last(const Tensor& t) {
  Tensor c = t.detach().contiguous(MemoryFormat::channels_last);
  if (t.requires_grad()) c.requires_grad_();
  return c;
}

Backend& onednn() {
  BackendGuard guard("onednn");
  return backend();
}

struct ConvCase {
  Shape x, w;
  Conv2dOptions o;
  bool bias, input_grad, nhwc;
};

void expect_conv_parity(const ConvCase& c) {
  manual_seed(7);
  Tensor x = test::uniform(c.x, c.input_grad), w = test::uniform(c.w, true);
  Tensor b = c.bias ? test::uniform({c.w[0]}, true) : Tensor();
  if (c.nhwc) x = channels_last(x);
  const Conv2dOptions o = c.o;
  EXPECT_TRUE(test::backend_parity([o](const std::vector<Tensor>& t) { return conv2d(t[0], t[1], t[2], o); },
                                   {x, w, b}))
      << "x " << c.x.str() << " w " << c.w.str() << " stride (" << o.stride.h << ", " << o.stride.w << ") padding "
      << o.padding.str() << " dilation (" << o.dilation.h << ", " << o.dilation.w << ") groups " << o.groups
      << " bias " << c.bias << " channels_last " << c.nhwc;
}

}  // namespace

TEST(OneDnnParity, Conv2d) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 5, 7}, {5, 3, 3, 3}, {.padding = 1}, true, true, false},
      {{2, 13, 13, 11}, {8, 13, 3, 3}, {.stride = 2, .padding = 1}, false, true, false},
      {{2, 5, 13, 11}, {3, 5, 3, 3}, {.padding = 2, .dilation = 2}, true, true, true},
      {{3, 6, 7, 5}, {9, 2, 3, 3}, {.padding = 1, .groups = 3}, true, true, false},
      {{2, 5, 9, 7}, {5, 1, 3, 3}, {.stride = 2, .padding = 1, .groups = 5}, false, true, true},
      {{1, 5, 9, 7}, {10, 1, 3, 3}, {.padding = 1, .groups = 5}, true, true, false},
      {{2, 3, 6, 7}, {4, 3, 2, 4}, {.padding = "same"}, true, true, false},
      {{2, 3, 5, 7}, {4, 3, 3, 5}, {.padding = Padding(1, 2)}, false, true, true},
      {{2, 13, 9, 7}, {5, 13, 1, 1}, {.stride = 2, .padding = 0}, true, true, true},
      {{4, 1, 28, 28}, {32, 1, 3, 3}, {.padding = 1}, true, false, false},
      {{2, 32, 14, 14}, {64, 32, 3, 3}, {.padding = 1}, true, true, true},
      {{2, 16, 11, 13}, {24, 16, 3, 3}, {.stride = {2, 1}, .padding = 1, .dilation = {1, 2}}, true, true, true},
  };
  for (const ConvCase& c : cases) expect_conv_parity(c);
}

TEST(OneDnnParity, Conv2dReturnsChannelsLast) {
  manual_seed(1);
  const Tensor x = test::uniform({2, 3, 5, 7}), w = test::uniform({4, 3, 3, 3});
  const ConvParams p{.pad_top = 1, .pad_left = 1, .pad_bottom = 1, .pad_right = 1};
  const Tensor y = onednn().conv2d_forward(x, w, Tensor(), p);
  EXPECT_TRUE(y.is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(y, ref_backend().conv2d_forward(x, w, Tensor(), p), 1e-4, 1e-5);
  const Tensor dx = onednn().conv2d_backward_data(y, w, x.shape(), p);
  EXPECT_TRUE(dx.is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(dx, ref_backend().conv2d_backward_data(y, w, x.shape(), p), 1e-4, 1e-5);
}

TEST(OneDnnParity, MaxPool2d) {
  struct Case {
    Shape x;
    MaxPool2dOptions o;
    bool nhwc;
  };
  const std::vector<Case> cases = {
      {{2, 5, 13, 11}, {.kernel_size = 2}, false},
      {{1, 3, 13, 11}, {.kernel_size = 3, .stride = 2, .padding = 1}, true},
      {{2, 5, 13, 11}, {.kernel_size = 3, .stride = 2, .ceil_mode = true}, false},
      {{2, 13, 5, 7}, {.kernel_size = 2, .stride = 2, .ceil_mode = true}, true},
      {{2, 5, 13, 11}, {.kernel_size = 3, .stride = 1, .padding = 1, .dilation = 2}, true},
      {{1, 3, 7, 9}, {.kernel_size = {2, 3}, .stride = {1, 2}, .padding = {1, 1}}, false},
      {{4, 32, 28, 28}, {.kernel_size = 2}, true},
  };
  for (const Case& c : cases) {
    manual_seed(3);
    Tensor x = test::uniform(c.x, true);
    if (c.nhwc) x = channels_last(x);
    const MaxPool2dOptions o = c.o;
    EXPECT_TRUE(test::backend_parity([o](const std::vector<Tensor>& t) { return max_pool2d(t[0], o); }, {x}))
        << "x " << c.x.str() << " channels_last " << c.nhwc;
    Tensor ref_idx, dnnl_idx;
    {
      BackendGuard g("ref");
      ref_idx = max_pool2d_with_indices(x.detach(), o).second;
    }
    dnnl_idx = max_pool2d_with_indices(x.detach(), o).second;
    EXPECT_EQ(dnnl_idx.to_vector<int64_t>(), ref_idx.to_vector<int64_t>()) << "indices for x " << c.x.str();
  }
}

TEST(OneDnnParity, MaxPool2dTiesAfterRelu) {
  // Zeros from a ReLU tie inside windows: both backends pick the first maximum, as PyTorch.
  manual_seed(4);
  Tensor x = test::uniform({2, 5, 9, 7}, true);
  EXPECT_TRUE(test::backend_parity(
      [](const std::vector<Tensor>& t) { return max_pool2d(relu(t[0]), {.kernel_size = 3, .stride = 2}); }, {x}));
}

TEST(OneDnnParity, AvgPool2d) {
  struct Case {
    Shape x;
    AvgPool2dOptions o;
    bool nhwc;
  };
  const std::vector<Case> cases = {
      {{2, 5, 13, 11}, {.kernel_size = 2}, false},
      {{1, 3, 13, 11}, {.kernel_size = 3, .stride = 2, .padding = 1}, true},
      {{1, 3, 13, 11}, {.kernel_size = 3, .stride = 2, .padding = 1, .count_include_pad = false}, true},
      // ceil_mode windows that overhang the padding: the include-pad divisor differs, so this one falls back.
      {{2, 5, 13, 11}, {.kernel_size = 3, .stride = 2, .ceil_mode = true}, false},
      {{2, 5, 13, 11}, {.kernel_size = 3, .stride = 2, .ceil_mode = true, .count_include_pad = false}, true},
      {{2, 13, 5, 7}, {.kernel_size = {3, 2}, .stride = {2, 1}, .padding = {1, 0}}, true},
  };
  for (const Case& c : cases) {
    manual_seed(5);
    Tensor x = test::uniform(c.x, true);
    if (c.nhwc) x = channels_last(x);
    const AvgPool2dOptions o = c.o;
    EXPECT_TRUE(test::backend_parity([o](const std::vector<Tensor>& t) { return avg_pool2d(t[0], o); }, {x}))
        << "x " << c.x.str() << " channels_last " << c.nhwc;
  }
}

TEST(OneDnnParity, AdaptivePool2d) {
  // Even tilings (global pooling, 12x10 -> 3x5) run on oneDNN; uneven ones (13x11 -> 3x5) on the reference.
  const std::vector<std::pair<Shape, Pair2>> cases = {
      {{2, 13, 7, 5}, {1, 1}}, {{1, 5, 12, 10}, {3, 5}}, {{2, 5, 13, 11}, {3, 5}}, {{4, 24, 31, 29}, {1, 1}}};
  for (const auto& [shape, size] : cases)
    for (bool nhwc : {false, true}) {
      manual_seed(19);
      Tensor x = test::uniform(shape, true);
      if (nhwc) x = channels_last(x);
      const Pair2 out = size;
      EXPECT_TRUE(test::backend_parity([out](const std::vector<Tensor>& t) { return adaptive_avg_pool2d(t[0], out); },
                                       {x}))
          << "avg x " << shape.str() << " channels_last " << nhwc;
      EXPECT_TRUE(test::backend_parity([out](const std::vector<Tensor>& t) { return adaptive_max_pool2d(t[0], out); },
                                       {x}))
          << "max x " << shape.str() << " channels_last " << nhwc;
    }
}

TEST(OneDnnParity, PoolingKeepsMemoryFormat) {
  manual_seed(6);
  const Tensor x = test::uniform({2, 5, 9, 7});
  const PoolParams p{.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2, .out_h = 4, .out_w = 3};
  for (bool nhwc : {false, true}) {
    const Tensor xi = nhwc ? x.contiguous(MemoryFormat::channels_last) : x;
    auto [y, idx] = onednn().pool2d_forward(xi, p);
    EXPECT_EQ(y.suggest_memory_format(), xi.suggest_memory_format());
    const Tensor dx = onednn().pool2d_backward(y, idx, x.shape(), p);
    EXPECT_EQ(dx.suggest_memory_format(), xi.suggest_memory_format());
    EXPECT_ALLCLOSE(dx, ref_backend().pool2d_backward(y, idx, x.shape(), p));
  }
}

TEST(OneDnnParity, BatchNorm) {
  struct Case {
    Shape x;
    bool affine, nhwc;
  };
  const std::vector<Case> cases = {{{2, 5, 13, 11}, true, false}, {{1, 3, 5, 7}, true, true},
                                   {{4, 13, 7, 5}, false, true},  {{6, 13}, true, false}, {{4, 24, 31, 29}, true, true},
                                   {{3, 5, 7}, true, false},      {{5, 13}, false, false}};
  for (const Case& c : cases) {
    for (bool training : {true, false}) {
      manual_seed(8);
      Tensor x = test::uniform(c.x, true);
      if (c.nhwc) x = channels_last(x);
      const int64_t C = c.x[1];
      Tensor gamma = c.affine ? test::uniform({C}, true) : Tensor();
      Tensor beta = c.affine ? test::uniform({C}, true) : Tensor();
      const Tensor mean = test::uniform({C}), var = rand({C}, 0.5, 1.5);
      EXPECT_TRUE(test::backend_parity(
          [&](const std::vector<Tensor>& t) {
            Tensor rm = mean.clone(), rv = var.clone();
            return batch_norm(t[0], rm, rv, t[1], t[2], training, {.momentum = 0.1, .eps = 1e-3});
          },
          {x, gamma, beta}, 2e-4, 2e-5))
          << "x " << c.x.str() << " affine " << c.affine << " channels_last " << c.nhwc << " training " << training;
    }
  }
}

TEST(OneDnnParity, BatchNormStatisticsAndFormat) {
  manual_seed(9);
  const Tensor x = test::uniform({3, 5, 7, 9}).contiguous(MemoryFormat::channels_last);
  const Tensor g = test::uniform({5}), b = test::uniform({5});
  const auto r = ref_backend().batchnorm_forward_training(x, g, b, 1e-5);
  const auto d = onednn().batchnorm_forward_training(x, g, b, 1e-5);
  EXPECT_TRUE(d.y.is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(d.mean, r.mean, 1e-5, 1e-6);
  EXPECT_ALLCLOSE(d.var, r.var, 1e-4, 1e-6);
  EXPECT_ALLCLOSE(d.invstd, r.invstd, 1e-4, 1e-6);
  const Tensor dy = test::uniform(x.shape());
  const auto rg = ref_backend().batchnorm_backward(dy, x, g, r.mean, r.invstd, true, true);
  const auto dg = onednn().batchnorm_backward(dy, x, g, r.mean, r.invstd, true, true);
  EXPECT_TRUE(dg.dx.is_contiguous(MemoryFormat::channels_last));
  EXPECT_ALLCLOSE(dg.dx, rg.dx, 1e-4, 1e-5);
  EXPECT_ALLCLOSE(dg.dgamma, rg.dgamma, 1e-4, 1e-5);
  EXPECT_ALLCLOSE(dg.dbeta, rg.dbeta, 1e-4, 1e-5);
}

TEST(OneDnnParity, Eltwise) {
  const std::vector<std::pair<const char*, Fn>> ops = {
      {"relu", [](const std::vector<Tensor>& t) { return relu(t[0]); }},
      {"leaky_relu", [](const std::vector<Tensor>& t) { return leaky_relu(t[0], 0.1); }},
      {"relu6", [](const std::vector<Tensor>& t) { return relu6(mul(t[0], 8.0)); }},
      {"clamp", [](const std::vector<Tensor>& t) { return clamp(t[0], -0.5, 0.25); }},
      {"clamp_min", [](const std::vector<Tensor>& t) { return clamp(t[0], -0.5, std::nullopt); }},
      {"sigmoid", [](const std::vector<Tensor>& t) { return sigmoid(t[0]); }},
      {"tanh", [](const std::vector<Tensor>& t) { return tanh(t[0]); }},
      {"exp", [](const std::vector<Tensor>& t) { return exp(t[0]); }},
      {"log", [](const std::vector<Tensor>& t) { return log(add(abs(t[0]), 0.1)); }},
      {"sqrt", [](const std::vector<Tensor>& t) { return sqrt(add(abs(t[0]), 0.1)); }},
      {"pow2", [](const std::vector<Tensor>& t) { return pow(t[0], 2.0); }},
      {"pow3", [](const std::vector<Tensor>& t) { return pow(t[0], 3.0); }},
      {"pow0.5", [](const std::vector<Tensor>& t) { return pow(add(abs(t[0]), 0.1), 0.5); }},
      {"pow0", [](const std::vector<Tensor>& t) { return pow(t[0], 0.0); }},
      {"neg", [](const std::vector<Tensor>& t) { return neg(t[0]); }},
      {"abs", [](const std::vector<Tensor>& t) { return abs(t[0]); }},
      {"gelu", [](const std::vector<Tensor>& t) { return gelu(mul(t[0], 3.0)); }},
      {"gelu_tanh", [](const std::vector<Tensor>& t) { return gelu(mul(t[0], 3.0), "tanh"); }},
      {"silu", [](const std::vector<Tensor>& t) { return silu(mul(t[0], 3.0)); }},
      {"hardswish", [](const std::vector<Tensor>& t) { return hardswish(mul(t[0], 5.0)); }},
      {"hardsigmoid", [](const std::vector<Tensor>& t) { return hardsigmoid(mul(t[0], 5.0)); }},
  };
  manual_seed(10);
  const Tensor base = test::uniform({2, 5, 13, 11}, true);
  const std::vector<std::pair<const char*, Tensor>> inputs = {
      {"nchw", base},
      {"nhwc", channels_last(base)},
      {"transposed", test::uniform({7, 13}).t().requires_grad_()},
      {"strided", test::uniform({9, 14}).slice(1, 0, 14, 2).requires_grad_()},
      {"vector", test::uniform({1}, true)},
      {"large (threaded)", channels_last(test::uniform({4, 24, 31, 29}, true))}};
  for (const auto& [op, f] : ops)
    for (const auto& [layout, x] : inputs)
      EXPECT_TRUE(test::backend_parity(f, {x}, 1e-4, 1e-5)) << op << " on a " << layout << " input " << x.shape().str();
}

TEST(OneDnnParity, EltwiseKeepsMemoryFormat) {
  manual_seed(11);
  const Tensor x = test::uniform({2, 5, 3, 7}).contiguous(MemoryFormat::channels_last);
  const EltwiseParams relu_params{EltwiseKind::relu};
  const Tensor y = onednn().eltwise_forward(x, relu_params);
  EXPECT_TRUE(y.is_contiguous(MemoryFormat::channels_last));
  // dy in the other format: dx still follows the forward tensors.
  const Tensor dx = onednn().eltwise_backward(test::uniform(x.shape()), x, y, relu_params);
  EXPECT_TRUE(dx.is_contiguous(MemoryFormat::channels_last));
}

TEST(OneDnnParity, BinarySameShape) {
  manual_seed(12);
  const Tensor a = test::uniform({2, 5, 13, 11}, true), b = test::uniform({2, 5, 13, 11}, true);
  for (bool nhwc : {false, true}) {
    const Tensor ai = nhwc ? channels_last(a) : a, bi = nhwc ? channels_last(b) : b;
    EXPECT_TRUE(test::backend_parity(
        [](const std::vector<Tensor>& t) { return add(mul(t[0], t[1]), div(sub(t[0], t[1]), add(abs(t[1]), 1.0))); },
        {ai, bi}));
    EXPECT_TRUE(test::backend_parity(
        [](const std::vector<Tensor>& t) { return add(maximum(t[0], t[1]), minimum(t[0], t[1])); }, {ai, bi}));
  }
  // Mixed layouts and broadcasting take the reference path.
  EXPECT_TRUE(test::backend_parity([](const std::vector<Tensor>& t) { return add(t[0], t[1]); },
                                   {a, channels_last(b)}));
  EXPECT_TRUE(test::backend_parity([](const std::vector<Tensor>& t) { return mul(t[0], t[1]); },
                                   {a, test::uniform({5, 1, 1}, true)}));
}

TEST(OneDnnParity, Linear) {
  struct Case {
    Shape x;
    int64_t out;
    bool bias, input_grad;
  };
  const std::vector<Case> cases = {{{1, 13}, 5, true, true},     {{7, 13}, 5, false, true},
                                   {{64, 3136}, 128, true, false}, {{3, 4, 13}, 10, true, true},
                                   {{64, 128}, 10, true, true}};
  for (const Case& c : cases) {
    manual_seed(13);
    const Tensor x = test::uniform(c.x, c.input_grad), w = test::uniform({c.out, c.x[-1]}, true);
    const Tensor b = c.bias ? test::uniform({c.out}, true) : Tensor();
    // Sums of thousands of products cancel down to small values: the tolerance scales with the length.
    const double atol = 1e-6 * static_cast<double>(c.x[-1]);
    EXPECT_TRUE(test::backend_parity([](const std::vector<Tensor>& t) { return linear(t[0], t[1], t[2]); },
                                     {x, w, b}, 1e-4, std::max(1e-5, atol)))
        << "x " << c.x.str() << " out " << c.out << " bias " << c.bias;
  }
  // A transposed weight view is read through a copy.
  manual_seed(14);
  EXPECT_TRUE(test::backend_parity([](const std::vector<Tensor>& t) { return linear(t[0], t[1].t()); },
                                   {test::uniform({3, 7}, true), test::uniform({7, 5}, true)}));
}

TEST(OneDnnParity, Matmul) {
  manual_seed(15);
  const Fn mm = [](const std::vector<Tensor>& t) { return matmul(t[0], t[1]); };
  EXPECT_TRUE(test::backend_parity(mm, {test::uniform({5, 7}, true), test::uniform({7, 3}, true)}));
  EXPECT_TRUE(test::backend_parity(mm, {test::uniform({1, 13}, true), test::uniform({13, 1}, true)}));
  EXPECT_TRUE(test::backend_parity(mm, {test::uniform({3, 5, 7}, true), test::uniform({3, 7, 2}, true)}));
  EXPECT_TRUE(test::backend_parity(mm, {test::uniform({2, 3, 5, 7}, true), test::uniform({7, 9}, true)}));
  EXPECT_TRUE(test::backend_parity(mm, {test::uniform({7}, true), test::uniform({4, 7, 3}, true)}));
  const Fn mm_t = [](const std::vector<Tensor>& t) { return matmul(t[0].transpose(-1, -2), t[1].transpose(-1, -2)); };
  EXPECT_TRUE(test::backend_parity(mm_t, {test::uniform({3, 7, 5}, true), test::uniform({3, 2, 7}, true)}));
  // The backend's transpose flags, directly.
  const Tensor a = test::uniform({2, 7, 5}), b = test::uniform({2, 3, 7});
  EXPECT_ALLCLOSE(onednn().matmul(a, b, true, true), ref_backend().matmul(a, b, true, true), 1e-4, 1e-5);
  EXPECT_ALLCLOSE(onednn().matmul(a.transpose(1, 2), b, false, true),
                  ref_backend().matmul(a.transpose(1, 2), b, false, true), 1e-4, 1e-5);
}

TEST(OneDnnParity, Softmax) {
  manual_seed(16);
  const Tensor x4 = test::uniform({2, 5, 3, 7}, true);
  const std::vector<std::pair<Tensor, int64_t>> cases = {
      {test::uniform({7, 13}, true), 1},  {test::uniform({7, 13}, true), 0}, {test::uniform({1, 10}, true), -1},
      {x4, 1},  {channels_last(x4), 1}, {x4, 3}, {test::uniform({13}, true), 0},
      // Large enough for oneDNN's kernels (smaller ones take the reference path).
      {test::uniform({256, 1000}, true), 1}, {test::uniform({1000, 3, 37}, true), 0},
      {channels_last(test::uniform({4, 21, 31, 29}, true)), 1}};
  for (const auto& [x, dim] : cases)
    for (bool log : {false, true}) {
      const int64_t d = dim;
      EXPECT_TRUE(test::backend_parity(
          [d, log](const std::vector<Tensor>& t) { return log ? log_softmax(t[0], d) : softmax(t[0], d); }, {x}))
          << "x " << x.shape().str() << " dim " << dim << " log " << log;
    }
  const Tensor target = from_vector(std::vector<int64_t>{3, 0, 9, 1, 1, 7}, {6});
  EXPECT_TRUE(test::backend_parity(
      [&](const std::vector<Tensor>& t) { return cross_entropy(t[0], target); }, {test::uniform({6, 10}, true)}));
}

TEST(OneDnnParity, SimpleCnnStep) {
  // The benchmark's network end to end: forward, loss and every parameter gradient.
  manual_seed(17);
  const Tensor target = randint(0, 10, {4});
  const Fn net = [target](const std::vector<Tensor>& p) {
    Tensor h = max_pool2d(relu(conv2d(p[0], p[1], p[2], {.padding = 1})), {.kernel_size = 2});
    h = max_pool2d(relu(conv2d(h, p[3], p[4], {.padding = 1})), {.kernel_size = 2});
    h = relu(linear(flatten(h, 1), p[5], p[6]));
    return cross_entropy(linear(h, p[7], p[8]), target);
  };
  EXPECT_TRUE(test::backend_parity(
      net, {rand({4, 1, 28, 28}), test::uniform({32, 1, 3, 3}, true), test::uniform({32}, true),
            mul(test::uniform({64, 32, 3, 3}), 0.1).requires_grad_(), test::uniform({64}, true),
            mul(test::uniform({128, 3136}), 0.02).requires_grad_(), test::uniform({128}, true),
            mul(test::uniform({10, 128}), 0.1).requires_grad_(), test::uniform({10}, true)},
      2e-4, 1e-5));
}

TEST(OneDnnParity, ThreadCountChanges) {
  // Primitives are built for a thread count; changing it must neither break nor change results.
  manual_seed(18);
  const Tensor x = test::uniform({4, 16, 15, 13}, true), w = test::uniform({24, 16, 3, 3}, true);
  const Fn f = [](const std::vector<Tensor>& t) { return relu(conv2d(t[0], t[1], Tensor(), {.padding = 1})); };
  const int threads = get_num_threads();
  for (int n : {1, 2, threads}) {
    set_num_threads(n);
    EXPECT_TRUE(test::backend_parity(f, {x, w})) << n << " threads";
  }
}

TEST(OneDnnParity, EmptyBatch) {
  // Zero-element tensors take the reference path (oneDNN rejects zero dimensions).
  const Tensor x = zeros({0, 3, 5, 7}).requires_grad_(), w = test::uniform({4, 3, 3, 3}, true);
  EXPECT_TRUE(test::backend_parity(
      [](const std::vector<Tensor>& t) { return relu(max_pool2d(conv2d(t[0], t[1], Tensor(), {.padding = 1}))); },
      {x, w}));
  EXPECT_TRUE(test::backend_parity([](const std::vector<Tensor>& t) { return linear(t[0], t[1]); },
                                   {zeros({0, 7}).requires_grad_(), test::uniform({5, 7}, true)}));
}

// Autocast (bf16 mixed precision): which ops run in which dtype, gradients arriving in f32, the reference's bf16
// being exactly f32 arithmetic on bf16-rounded operands, oneDNN's bf16 kernels (AMX or avx512_bf16, where the CPU
// has them) against the reference on awkward shapes, bf16 against f32 within bf16's precision, and the guard's
// scoping (nesting, per thread).
#include <cnn/cnn.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace cnn {
namespace {

// What autocast feeds the backend: the value rounded to bf16, widened back (exactly) to f32.
Tensor rounded(const Tensor& t) { return t.detach().to(DType::bf16).to(DType::f32); }

Tensor leaf(const Tensor& t) { return t.detach().clone().requires_grad_(); }

TEST(Autocast, ConvLinearMatmulComputeOnBf16OperandsWithF32Results) {
  BackendGuard ref("ref");
  manual_seed(1);
  const Tensor x = test::uniform({2, 3, 6, 5}), w = test::uniform({4, 3, 3, 3}), b = test::uniform({4});
  const Tensor xl = test::uniform({5, 7}), wl = test::uniform({3, 7}), bl = test::uniform({3});
  const Tensor a = test::uniform({2, 4, 6}), m = test::uniform({2, 6, 3});
  const Tensor wt = test::uniform({3, 2, 3, 3});
  Tensor conv, lin, mm, deconv;
  {
    AutocastGuard amp;
    EXPECT_TRUE(is_autocast_enabled());
    conv = conv2d(x, w, b, {.padding = 1});
    lin = linear(xl, wl, bl);
    mm = matmul(a, m);
    deconv = conv_transpose2d(x, wt, Tensor(), {.stride = 2});
  }
  EXPECT_FALSE(is_autocast_enabled());
  for (const Tensor* t : {&conv, &lin, &mm, &deconv}) EXPECT_EQ(t->dtype(), DType::f32);
  // The reference widens bf16 exactly, so autocast equals f32 arithmetic on rounded operands, bit for bit;
  // the bias is not rounded (it is added in f32).
  EXPECT_ALLCLOSE(conv, conv2d(rounded(x), rounded(w), b, {.padding = 1}), 0, 0);
  EXPECT_ALLCLOSE(lin, linear(rounded(xl), rounded(wl), bl), 0, 0);
  EXPECT_ALLCLOSE(mm, matmul(rounded(a), rounded(m)), 0, 0);
  EXPECT_ALLCLOSE(deconv, conv_transpose2d(rounded(x), rounded(wt), Tensor(), {.stride = 2}), 0, 0);
  // ... and it differs from plain f32 (the rounding is real).
  EXPECT_FALSE(test::allclose(conv, conv2d(x, w, b, {.padding = 1}), 0, 0));
}

TEST(Autocast, GradientsArriveInF32AndUseRoundedOperands) {
  BackendGuard ref("ref");
  manual_seed(2);
  const Tensor x = leaf(test::uniform({2, 3, 5, 5})), w = leaf(test::uniform({4, 3, 3, 3})),
               b = leaf(test::uniform({4}));
  const Tensor g = test::uniform({2, 4, 3, 3});
  Tensor y;
  {
    AutocastGuard amp;
    y = conv2d(x, w, b);
  }
  sum(y * g).backward();  // backward outside the scope, as in PyTorch
  for (const Tensor* t : {&x, &w, &b}) {
    ASSERT_TRUE(t->grad().defined());
    EXPECT_EQ(t->grad().dtype(), DType::f32);
  }
  // Expected: the f32 backward of the convolution of the rounded operands, with dy rounded too.
  const Tensor xr = leaf(rounded(x)), wr = leaf(rounded(w)), br = leaf(b);
  sum(conv2d(xr, wr, br) * rounded(g)).backward();
  EXPECT_ALLCLOSE(x.grad(), xr.grad(), 0, 0);
  EXPECT_ALLCLOSE(w.grad(), wr.grad(), 0, 0);
  EXPECT_ALLCLOSE(b.grad(), br.grad(), 0, 0);
}

TEST(Autocast, NormalisationSoftmaxLossesAndReductionsStayF32) {
  manual_seed(3);
  const Tensor x = test::uniform({4, 3, 2, 2});
  const Tensor logits = test::uniform({4, 5});
  const Tensor target = from_vector(std::vector<int64_t>{0, 4, 2, 1}, {4});
  const Tensor mean0 = zeros({3}), var0 = ones({3});
  auto run = [&] {
    Tensor rm = mean0.clone(), rv = var0.clone();
    return std::vector<Tensor>{batch_norm(x, rm, rv, ones({3}), zeros({3}), true), softmax(logits, 1),
                               cross_entropy(logits, target), relu(x), sum(x), mean(x, {1}), rm, rv};
  };
  const std::vector<Tensor> plain = run();
  std::vector<Tensor> amp;
  {
    AutocastGuard guard;
    amp = run();
  }
  for (size_t i = 0; i < plain.size(); ++i) {
    EXPECT_EQ(amp[i].dtype(), DType::f32) << i;
    EXPECT_ALLCLOSE(amp[i], plain[i], 0, 0);  // untouched by autocast: the same f32 result
  }
}

TEST(Autocast, Bf16IsWithinBf16PrecisionOfF32OnBothBackends) {
  for (const char* name : {"ref", "onednn"}) {
    BackendGuard guard(name);
    manual_seed(4);
    const Tensor x = test::uniform({2, 16, 9, 9}), w = test::uniform({8, 16, 3, 3});
    const Tensor xl = test::uniform({8, 64}), wl = test::uniform({10, 64});
    const Tensor f32_conv = conv2d(x, w, Tensor(), {.padding = 1}), f32_lin = linear(xl, wl);
    AutocastGuard amp;
    // Sums of 144 and 64 products of values in [-1, 1], each operand off by at most 2^-9 relative.
    EXPECT_ALLCLOSE(conv2d(x, w, Tensor(), {.padding = 1}), f32_conv, 2e-2, 5e-2);
    EXPECT_ALLCLOSE(linear(xl, wl), f32_lin, 2e-2, 5e-2);
  }
}

TEST(Autocast, OneDnnBf16KernelsMatchTheReferenceOnAwkwardShapes) {
  {
    BackendGuard onednn("onednn");
    if (!backend().supports_bf16())
      GTEST_SKIP() << "this CPU has no native bf16 (oneDNN ISA " << cpu_isa_name() << "): autocast runs f32";
  }
  manual_seed(5);
  auto amp = [](std::function<Tensor(const std::vector<Tensor>&)> f) {
    return [f](const std::vector<Tensor>& in) {
      AutocastGuard guard;
      return f(in);
    };
  };
  // Odd channels, asymmetric stride, dilation, padding.
  EXPECT_TRUE(test::backend_parity(amp([](const std::vector<Tensor>& in) {
                                     return conv2d(in[0], in[1], in[2], {.stride = {2, 1}, .padding = Padding(1, 2),
                                                                         .dilation = {1, 2}});
                                   }),
                                   {test::uniform({3, 5, 9, 11}, true), test::uniform({7, 5, 3, 2}, true),
                                    test::uniform({7}, true)},
                                   1e-4, 1e-4));
  // Grouped and depthwise, channels-last input.
  EXPECT_TRUE(test::backend_parity(
      amp([](const std::vector<Tensor>& in) { return conv2d(in[0], in[1], Tensor(), {.padding = 1, .groups = 3}); }),
      {test::uniform({2, 6, 7, 7}, true), test::uniform({9, 2, 3, 3}, true)}, 1e-4, 1e-4));
  EXPECT_TRUE(test::backend_parity(
      amp([](const std::vector<Tensor>& in) {
        return conv2d(in[0].contiguous(MemoryFormat::channels_last), in[1], Tensor(), {.padding = 1, .groups = 8});
      }),
      {test::uniform({2, 8, 6, 5}, true), test::uniform({8, 1, 3, 3}, true)}, 1e-4, 1e-4));
  EXPECT_TRUE(test::backend_parity(amp([](const std::vector<Tensor>& in) {
                                     return conv_transpose2d(in[0], in[1], in[2], {.stride = 2, .padding = 1,
                                                                                   .output_padding = 1});
                                   }),
                                   {test::uniform({2, 5, 4, 3}, true), test::uniform({5, 3, 3, 3}, true),
                                    test::uniform({3}, true)},
                                   1e-4, 1e-4));
  EXPECT_TRUE(test::backend_parity(amp([](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }),
                                   {test::uniform({5, 37}, true), test::uniform({11, 37}, true),
                                    test::uniform({11}, true)},
                                   1e-4, 1e-4));
  EXPECT_TRUE(test::backend_parity(amp([](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); }),
                                   {test::uniform({3, 5, 7}, true), test::uniform({3, 7, 4}, true)}, 1e-4, 1e-4));
}

TEST(Autocast, GuardNestsAndIsPerThread) {
  EXPECT_FALSE(is_autocast_enabled());
  {
    AutocastGuard on;
    EXPECT_TRUE(is_autocast_enabled());
    EXPECT_EQ(autocast_dtype(), DType::bf16);
    {
      AutocastGuard off(DType::bf16, false);
      EXPECT_FALSE(is_autocast_enabled());
    }
    EXPECT_TRUE(is_autocast_enabled());
    bool other = true;
    std::thread([&] { other = is_autocast_enabled(); }).join();
    EXPECT_FALSE(other);  // thread-local, as torch.autocast
  }
  EXPECT_FALSE(is_autocast_enabled());
  EXPECT_EQ(test::error_message([] { AutocastGuard bad(DType::f32); }),
            "AutocastGuard: autocast lowers to bfloat16 only, got float32");
  EXPECT_EQ(parse_amp("bf16"), Amp::bf16);
  EXPECT_EQ(parse_amp("none"), Amp::none);
  EXPECT_EQ(test::error_message([] { parse_amp("fp16"); }), "--amp: expected none or bf16, got 'fp16'");
}

TEST(Autocast, TrainsWithF32MasterWeights) {
  manual_seed(6);
  Sequential model(Conv2d(1, 4, {.kernel_size = 3, .padding = 1}), BatchNorm2d(4), ReLU(), Flatten(),
                   Linear(4 * 6 * 6, 3));
  SGD opt(model.parameters(), {.lr = 0.05, .momentum = 0.9});
  const Tensor x = test::uniform({12, 1, 6, 6});
  const Tensor y = from_vector(std::vector<int64_t>{0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, {12});
  std::vector<double> losses;
  for (int step = 0; step < 30; ++step) {
    opt.zero_grad();
    Tensor loss;
    {
      AutocastGuard amp;
      loss = cross_entropy(model(x), y);
    }
    EXPECT_EQ(loss.dtype(), DType::f32);
    loss.backward();
    opt.step();
    losses.push_back(loss.item());
  }
  for (const Tensor& p : model.parameters()) {
    EXPECT_EQ(p.dtype(), DType::f32);
    EXPECT_EQ(p.grad().dtype(), DType::f32);
  }
  EXPECT_LT(losses.back(), 0.5 * losses.front());
}

}  // namespace
}  // namespace cnn

// int8 inference ops: hand-computed quantisation, convolution and linear; oneDNN (VNNI/AMX where present) against
// the reference loops on awkward shapes; and the int8 result against the f32 op within the quantisation error.
#include <cnn/cnn.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

std::vector<int64_t> as_ints(const Tensor& q) {
  std::vector<int64_t> out;
  const Tensor c = q.contiguous();
  for (int64_t i = 0; i < c.numel(); ++i) out.push_back(c.data<int8_t>()[i]);
  return out;
}

// Weights quantised per output channel: scale max|w_k| / 127.
std::pair<Tensor, Tensor> quantize_weights(const Tensor& w) {
  const int64_t K = w.size(0), per = w.numel() / K;
  const Tensor wc = w.contiguous();
  Tensor q = Tensor::empty(w.shape(), DType::i8), scale = Tensor::empty({K});
  for (int64_t k = 0; k < K; ++k) {
    float m = 0;
    for (int64_t i = 0; i < per; ++i) m = std::max(m, std::abs(wc.data<float>()[k * per + i]));
    const float s = m > 0 ? m / 127.0f : 1.0f;
    scale.data<float>()[k] = s;
    for (int64_t i = 0; i < per; ++i)
      q.data<int8_t>()[k * per + i] = static_cast<int8_t>(std::nearbyint(wc.data<float>()[k * per + i] / s));
  }
  return {q, scale};
}

TEST(Int8, QuantizeRoundsToNearestEvenAndSaturates) {
  for (const char* name : {"ref", "onednn"}) {
    BackendGuard guard(name);
    const Tensor x = from_vector(std::vector<float>{0.5f, -1.26f, 2.0f, -3.0f, 0.005f, 0.015f, 0.025f, 0.0f}, {2, 4});
    EXPECT_EQ(as_ints(quantize_per_tensor(x, 0.01)), (std::vector<int64_t>{50, -126, 127, -128, 0, 2, 2, 0})) << name;
  }
  EXPECT_EQ(test::error_message([] { quantize_per_tensor(zeros({2}), 0.0); }),
            "quantize_per_tensor: scale must be a positive number, got 0");
}

TEST(Int8, HandComputedConvAndLinear) {
  for (const char* name : {"ref", "onednn"}) {
    BackendGuard guard(name);
    // xq = [1 2; 3 4], one 2x2 filter [1 0; 0 -1] with weight scale 0.5, input scale 0.1, bias 1:
    // a 1x1 output 0.1 * 0.5 * (1 - 4) + 1 = 0.85.
    const Tensor xq = from_vector(std::vector<float>{1, 2, 3, 4}, {1, 1, 2, 2}).to(DType::i8);
    const Tensor wq = from_vector(std::vector<float>{1, 0, 0, -1}, {1, 1, 2, 2}).to(DType::i8);
    const Tensor y = conv2d_int8(xq, 0.1, wq, full({1}, 0.5), full({1}, 1.0));
    ASSERT_EQ(y.shape(), Shape({1, 1, 1, 1}));
    EXPECT_NEAR(y.item(), 0.85, 1e-6) << name;
    // Linear: [1 2 3] . [[1 1 1], [-1 0 2]] -> [6, 5] scaled by 0.1 * [1, 2] -> [0.6, 1.0].
    const Tensor x2 = from_vector(std::vector<float>{1, 2, 3}, {1, 3}).to(DType::i8);
    const Tensor w2 = from_vector(std::vector<float>{1, 1, 1, -1, 0, 2}, {2, 3}).to(DType::i8);
    const Tensor y2 = linear_int8(x2, 0.1, w2, from_vector(std::vector<float>{1, 2}, {2}), Tensor());
    EXPECT_ALLCLOSE(y2, from_vector(std::vector<float>{0.6f, 1.0f}, {1, 2}), 1e-6, 1e-6);
  }
  EXPECT_EQ(test::error_message([] { conv2d_int8(zeros({1, 1, 2, 2}), 0.1, zeros({1, 1, 2, 2}).to(DType::i8),
                                                 full({1}, 1.0), Tensor()); }),
            "conv2d_int8: expected int8 input and weight, got input float32 [1, 1, 2, 2] and weight int8 [1, 1, 2, 2]");
}

struct ConvCase {
  Shape x, w;
  Conv2dOptions options;
  bool bias;
};

TEST(Int8, OneDnnMatchesReferenceOnAwkwardShapes) {
  const std::vector<ConvCase> cases = {
      {{2, 5, 9, 7}, {6, 5, 3, 3}, {.padding = Padding(1, 1)}, true},
      {{1, 6, 11, 8}, {4, 3, 3, 2}, {.stride = {2, 1}, .padding = Padding(2, 0), .groups = 2}, true},
      {{3, 8, 10, 10}, {8, 1, 3, 3}, {.stride = {2, 2}, .padding = Padding(1, 1), .groups = 8}, false},
      {{1, 3, 13, 13}, {7, 3, 3, 3}, {.padding = Padding(2, 2), .dilation = {2, 2}}, true},
  };
  manual_seed(4);
  for (const ConvCase& c : cases) {
    const Tensor xq = (test::uniform(c.x) * 127.0).to(DType::i8);
    const Tensor wq = (test::uniform(c.w) * 127.0).to(DType::i8);
    const Tensor ws = test::uniform({c.w[0]}) * 0.01 + 0.02;
    const Tensor b = c.bias ? test::uniform({c.w[0]}) : Tensor();
    Tensor ref, fast;
    {
      BackendGuard g("ref");
      ref = conv2d_int8(xq, 0.05, wq, ws, b, c.options);
    }
    {
      BackendGuard g("onednn");
      fast = conv2d_int8(xq, 0.05, wq, ws, b, c.options);
      // An NHWC input gives the same result.
      EXPECT_ALLCLOSE(conv2d_int8(xq.contiguous(MemoryFormat::channels_last), 0.05, wq, ws, b, c.options), ref, 1e-6,
                      1e-5);
    }
    EXPECT_ALLCLOSE(fast, ref, 1e-6, 1e-5) << c.x.str() << " * " << c.w.str();
  }
  const Tensor xq = (test::uniform({5, 37}) * 127.0).to(DType::i8), wq = (test::uniform({9, 37}) * 127.0).to(DType::i8);
  const Tensor ws = test::uniform({9}) * 0.01 + 0.02, b = test::uniform({9});
  Tensor ref;
  {
    BackendGuard g("ref");
    ref = linear_int8(xq, 0.03, wq, ws, b);
  }
  EXPECT_ALLCLOSE(linear_int8(xq, 0.03, wq, ws, b), ref, 1e-6, 1e-5);
  const Tensor x = test::uniform({2, 3, 6, 6}).contiguous(MemoryFormat::channels_last);
  Tensor qref;
  {
    BackendGuard g("ref");
    qref = quantize_per_tensor(x, 0.007);
  }
  EXPECT_EQ(as_ints(quantize_per_tensor(x, 0.007)), as_ints(qref));
}

TEST(Int8, ConvApproximatesFloatWithinTheQuantisationError) {
  manual_seed(9);
  const Tensor x = test::uniform({2, 8, 12, 12}), w = test::uniform({16, 8, 3, 3}) * 0.2, b = test::uniform({16});
  const Conv2dOptions o{.padding = Padding(1, 1)};
  const Tensor exact = conv2d(x, w, b, o);
  const double input_scale = 1.0 / 127;  // |x| < 1
  const auto [wq, ws] = quantize_weights(w);
  const Tensor approx = conv2d_int8(quantize_per_tensor(x, input_scale), input_scale, wq, ws, b, o);
  // Each of the 72 products errs by at most about |w| * s_x / 2 + |x| * s_w / 2; the sum of 72 such errors is far
  // below 0.05 for these sizes (and the typical error is much smaller).
  EXPECT_ALLCLOSE(approx, exact, 0, 0.05);
  const Tensor diff = (approx - exact).contiguous();
  double mean_abs = 0;
  for (int64_t i = 0; i < diff.numel(); ++i) mean_abs += std::abs(diff.data<float>()[i]);
  EXPECT_LT(mean_abs / static_cast<double>(diff.numel()), 0.01);
}

}  // namespace
}  // namespace cnn

// Pooling ops: hand-computed cases, output-size rules, finite-difference gradients, reference-vs-oneDNN parity on
// awkward shapes, PyTorch fixtures (tests/fixtures/gen_pool.py) and error messages.
#include "test_util.h"

#include <algorithm>
#include <cmath>
#include <random>

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }

using test::error_message;

// Distinct values 0.1 apart in shuffled order, so finite differences never change which element is the maximum.
Tensor distinct(const Shape& shape, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < v.size(); ++i) v[i] = 0.1f * static_cast<float>(i) - 0.05f * static_cast<float>(v.size());
  std::mt19937 rng(seed);
  std::shuffle(v.begin(), v.end(), rng);
  Tensor t = from_vector(v, shape);
  t.requires_grad_();
  return t;
}

int64_t fixture_int(const std::string& name, const char* key) {
  return static_cast<int64_t>(test::fixture_value("pool", name, key));
}

}  // namespace

TEST(Pool, OutputSizeRules) {
  EXPECT_EQ(pool_output_size(5, 2, 2, 0, 1, false), 2);
  EXPECT_EQ(pool_output_size(5, 2, 2, 0, 1, true), 3);
  EXPECT_EQ(pool_output_size(6, 3, 2, 1, 1, true), 4);
  // The last ceil-mode window would start in the right padding: dropped, as PyTorch.
  EXPECT_EQ(pool_output_size(5, 2, 2, 1, 1, true), 3);
  EXPECT_EQ(pool_output_size(9, 3, 1, 1, 2, false), 7);
  EXPECT_EQ(pool_output_size(112, 3, 2, 1, 1, false), 56);
}

TEST(Pool, HandComputedMax) {
  Tensor x = arange(16).reshape({1, 1, 4, 4}).requires_grad_();
  auto [y, indices] = max_pool2d_with_indices(x, {.kernel_size = 2});
  EXPECT_EQ(values(y), std::vector<float>({5, 7, 13, 15}));
  EXPECT_EQ(indices.to_vector<int64_t>(), std::vector<int64_t>({5, 7, 13, 15}));
  sum(y).backward();
  EXPECT_EQ(values(x.grad()), std::vector<float>({0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1}));
  // Padding never wins a maximum, even over negative values.
  auto [yp, ip] = max_pool2d_with_indices(neg(arange(16)).reshape({1, 1, 4, 4}), {.kernel_size = 3, .stride = 2,
                                                                                   .padding = 1});
  EXPECT_EQ(values(yp), std::vector<float>({0, -1, -4, -5}));
  EXPECT_EQ(ip.to_vector<int64_t>(), std::vector<int64_t>({0, 1, 4, 5}));
  // ceil_mode keeps the partial windows on the right and bottom.
  Tensor yc = max_pool2d(arange(25).reshape({1, 1, 5, 5}), {.kernel_size = 2, .ceil_mode = true});
  EXPECT_EQ(values(yc), std::vector<float>({6, 8, 9, 16, 18, 19, 21, 23, 24}));
  // Dilation 2 takes every other element: rows/cols {0, 2} and {1, 3}.
  Tensor yd = max_pool2d(neg(arange(16)).reshape({1, 1, 4, 4}), {.kernel_size = 2, .stride = 1, .dilation = 2});
  EXPECT_EQ(values(yd), std::vector<float>({0, -1, -4, -5}));
}

TEST(Pool, ReferenceMaxPropagatesNaN) {
  BackendGuard ref("ref");
  Tensor x = from_vector(std::vector<float>{1, NAN, 3, 4}, {1, 1, 2, 2});
  EXPECT_TRUE(std::isnan(max_pool2d(x).item()));
  EXPECT_TRUE(std::isnan(adaptive_max_pool2d(x, 1).item()));
}

TEST(Pool, HandComputedAvg) {
  Tensor x = arange(16).reshape({1, 1, 4, 4});
  EXPECT_EQ(values(avg_pool2d(x)), std::vector<float>({2.5, 4.5, 10.5, 12.5}));
  // Windows at -1..1 and 1..3: in-bounds sums 10, 24, 51, 90 over 4, 6, 6, 9 elements.
  Tensor include = avg_pool2d(x, {.kernel_size = 3, .stride = 2, .padding = 1});
  EXPECT_ALLCLOSE(include, from_vector(std::vector<float>{10 / 9.f, 24 / 9.f, 51 / 9.f, 10}, {1, 1, 2, 2}));
  Tensor exclude = avg_pool2d(x, {.kernel_size = 3, .stride = 2, .padding = 1, .count_include_pad = false});
  EXPECT_ALLCLOSE(exclude, from_vector(std::vector<float>{2.5, 4, 8.5, 10}, {1, 1, 2, 2}));
}

TEST(Pool, HandComputedAvgCeilModeDivisors) {
  // 6 -> 4 windows starting at -1, 1, 3, 5; the last one is clipped to the padded input (2 wide, 1 inside).
  Tensor x = ones({1, 1, 6, 6}).requires_grad_();
  Tensor y = avg_pool2d(x, {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true});
  const float a = 4 / 9.f, b = 6 / 9.f, c = 2 / 6.f, d = 3 / 6.f;
  EXPECT_ALLCLOSE(y, from_vector(std::vector<float>{a, b, b, c, b, 1, 1, d, b, 1, 1, d, c, d, d, 0.25f}, {1, 1, 4, 4}));
  Tensor ex = avg_pool2d(x, {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true,
                             .count_include_pad = false});
  EXPECT_ALLCLOSE(ex, ones({1, 1, 4, 4}));
  // Backward spreads dy / divisor over the in-bounds window: the top-left corner sits in one window (divisor 9),
  // the bottom-right one in four (divisors 9, 6, 6 and 4).
  sum(y).backward();
  EXPECT_FLOAT_EQ(x.grad().to_vector<float>()[0], 1 / 9.f);
  EXPECT_FLOAT_EQ(x.grad().to_vector<float>()[35], 1 / 9.f + 2 / 6.f + 1 / 4.f);
}

TEST(Pool, HandComputedAdaptive) {
  // 5 -> 3 bins: [0, 2), [1, 4), [3, 5).
  Tensor x = arange(5).reshape({1, 1, 1, 5}).requires_grad_();
  Tensor y = adaptive_avg_pool2d(x, {1, 3});
  EXPECT_ALLCLOSE(y, from_vector(std::vector<float>{0.5, 2, 3.5}, {1, 1, 1, 3}));
  sum(y).backward();
  const float third = 1 / 3.f;
  EXPECT_ALLCLOSE(x.grad(), from_vector(std::vector<float>{0.5, 0.5f + third, third, 0.5f + third, 0.5}, {1, 1, 1, 5}));
  auto [m, i] = adaptive_max_pool2d_with_indices(x, {1, 3});
  EXPECT_EQ(values(m), std::vector<float>({1, 3, 4}));
  EXPECT_EQ(i.to_vector<int64_t>(), std::vector<int64_t>({1, 3, 4}));
  EXPECT_EQ(values(adaptive_avg_pool2d(arange(6).reshape({1, 1, 2, 3}), 1)), std::vector<float>({2.5}));
}

TEST(Pool, UnbatchedInput) {
  Tensor x = arange(32).reshape({2, 4, 4});
  EXPECT_EQ(max_pool2d(x).shape(), Shape({2, 2, 2}));
  EXPECT_EQ(avg_pool2d(x).shape(), Shape({2, 2, 2}));
  EXPECT_EQ(adaptive_avg_pool2d(x, 3).shape(), Shape({2, 3, 3}));
  auto [y, i] = adaptive_max_pool2d_with_indices(x, {1, 2});
  EXPECT_EQ(i.shape(), Shape({2, 1, 2}));
  EXPECT_ALLCLOSE(max_pool2d(x), max_pool2d(x.unsqueeze(0)).squeeze(0));
}

TEST(Pool, FiniteDifferenceGradients) {
  manual_seed(11);
  const std::vector<std::pair<std::string, Fn>> cases = {
      {"max k2", [](const auto& t) { return max_pool2d(t[0]); }},
      {"max k3 s2 p1 ceil", [](const auto& t) {
         return max_pool2d(t[0], {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true});
       }},
      {"max dilation", [](const auto& t) {
         return max_pool2d(t[0], {.kernel_size = {2, 3}, .stride = 1, .padding = 1, .dilation = 2});
       }},
      {"avg include pad", [](const auto& t) {
         return avg_pool2d(t[0], {.kernel_size = 3, .stride = 2, .padding = 1});
       }},
      {"avg exclude pad ceil", [](const auto& t) {
         return avg_pool2d(t[0], {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true,
                                  .count_include_pad = false});
       }},
      {"avg include pad ceil", [](const auto& t) {
         return avg_pool2d(t[0], {.kernel_size = {2, 3}, .stride = {2, 2}, .padding = {1, 1}, .ceil_mode = true});
       }},
      {"adaptive avg 7x5 -> 3x2", [](const auto& t) { return adaptive_avg_pool2d(t[0], {3, 2}); }},
      {"adaptive avg 7x5 -> 9x6", [](const auto& t) { return adaptive_avg_pool2d(t[0], {9, 6}); }},
      {"adaptive max 7x5 -> 3x4", [](const auto& t) { return adaptive_max_pool2d(t[0], {3, 4}); }},
  };
  uint32_t seed = 1;
  for (const auto& [name, f] : cases)
    EXPECT_TRUE(test::gradcheck(f, {distinct({2, 2, 7, 5}, seed++)})) << name;
}

TEST(Pool, BackendParityAwkwardShapes) {
  manual_seed(12);
  const std::vector<std::pair<std::string, Fn>> ops = {
      {"max k3 s2 p1", [](const auto& t) { return max_pool2d(t[0], {.kernel_size = 3, .stride = 2, .padding = 1}); }},
      {"max k2 ceil", [](const auto& t) { return max_pool2d(t[0], {.kernel_size = 2, .ceil_mode = true}); }},
      {"max dilation", [](const auto& t) { return max_pool2d(t[0], {.kernel_size = 2, .stride = 1, .dilation = 2}); }},
      {"avg k3 s2 p1", [](const auto& t) { return avg_pool2d(t[0], {.kernel_size = 3, .stride = 2, .padding = 1}); }},
      {"avg exclude ceil", [](const auto& t) {
         return avg_pool2d(t[0], {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true,
                                  .count_include_pad = false});
       }},
      {"avg include ceil", [](const auto& t) {
         return avg_pool2d(t[0], {.kernel_size = 2, .padding = 1, .ceil_mode = true});
       }},
      {"adaptive avg global", [](const auto& t) { return adaptive_avg_pool2d(t[0], 1); }},
      {"adaptive avg 3x4", [](const auto& t) { return adaptive_avg_pool2d(t[0], {3, 4}); }},
      {"adaptive max 3x2", [](const auto& t) { return adaptive_max_pool2d(t[0], {3, 2}); }},
  };
  const std::vector<Shape> shapes = {{1, 5, 6, 7}, {2, 3, 7, 9}, {3, 9, 5, 5}};
  for (const auto& [name, f] : ops)
    for (const Shape& s : shapes)
      for (bool cl : {false, true}) {
        Fn g = [f = f, cl](const auto& t) { return f({cl ? t[0].contiguous(MemoryFormat::channels_last) : t[0]}); };
        EXPECT_TRUE(test::backend_parity(g, {test::uniform(s, true)}))
            << name << " on " << s.str() << (cl ? " channels-last" : "");
      }
}

TEST(Pool, MatchesPyTorchMax) {
  for (const std::string& backend_name : available_backends()) {
    for (const std::string name :
         {"max_basic", "max_k3s2p1", "max_ceil", "max_ceil_pad", "max_dilation", "max_rect", "max_overlap"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      Tensor x = test::fixture("pool", name, "x").requires_grad_();
      const MaxPool2dOptions o{.kernel_size = {fixture_int(name, "kernel_h"), fixture_int(name, "kernel_w")},
                               .stride = {fixture_int(name, "stride_h"), fixture_int(name, "stride_w")},
                               .padding = {fixture_int(name, "pad_h"), fixture_int(name, "pad_w")},
                               .dilation = {fixture_int(name, "dilation_h"), fixture_int(name, "dilation_w")},
                               .ceil_mode = fixture_int(name, "ceil_mode") != 0};
      auto [y, indices] = max_pool2d_with_indices(x, o);
      EXPECT_ALLCLOSE(y, test::fixture("pool", name, "y"));
      EXPECT_EQ(indices.to_vector<int64_t>(), test::fixture("pool", name, "indices").to_vector<int64_t>());
      y.backward(test::fixture("pool", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("pool", name, "dx"));
    }
  }
}

TEST(Pool, MatchesPyTorchAvg) {
  for (const std::string& backend_name : available_backends()) {
    for (const std::string name : {"avg_basic", "avg_pad_include", "avg_pad_exclude", "avg_ceil_include",
                                   "avg_ceil_exclude", "avg_ceil_nopad", "avg_rect"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      Tensor x = test::fixture("pool", name, "x").requires_grad_();
      const AvgPool2dOptions o{.kernel_size = {fixture_int(name, "kernel_h"), fixture_int(name, "kernel_w")},
                               .stride = {fixture_int(name, "stride_h"), fixture_int(name, "stride_w")},
                               .padding = {fixture_int(name, "pad_h"), fixture_int(name, "pad_w")},
                               .ceil_mode = fixture_int(name, "ceil_mode") != 0,
                               .count_include_pad = fixture_int(name, "count_include_pad") != 0};
      Tensor y = avg_pool2d(x, o);
      EXPECT_ALLCLOSE(y, test::fixture("pool", name, "y"));
      y.backward(test::fixture("pool", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("pool", name, "dx"));
    }
  }
}

TEST(Pool, MatchesPyTorchAdaptive) {
  for (const std::string& backend_name : available_backends()) {
    for (const std::string name : {"adaptive_avg_nondivisible", "adaptive_avg_global", "adaptive_avg_upsample",
                                   "adaptive_max_nondivisible", "adaptive_max_global"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      Tensor x = test::fixture("pool", name, "x").requires_grad_();
      const Pair2 size{fixture_int(name, "out_h"), fixture_int(name, "out_w")};
      const bool is_max = name.starts_with("adaptive_max");
      Tensor y;
      if (is_max) {
        Tensor indices;
        std::tie(y, indices) = adaptive_max_pool2d_with_indices(x, size);
        EXPECT_EQ(indices.to_vector<int64_t>(), test::fixture("pool", name, "indices").to_vector<int64_t>());
      } else {
        y = adaptive_avg_pool2d(x, size);
      }
      EXPECT_ALLCLOSE(y, test::fixture("pool", name, "y"));
      y.backward(test::fixture("pool", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("pool", name, "dx"));
    }
  }
}

TEST(Pool, ErrorMessages) {
  EXPECT_THROW(max_pool2d(ones({4, 4})), Error);
  EXPECT_EQ(error_message([] { max_pool2d(ones({4, 4})); }),
            "max_pool2d: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape [4, 4]");
  EXPECT_EQ(error_message([] { max_pool2d(ones({1, 1, 8, 8}), {.kernel_size = 3, .padding = 2}); }),
            "max_pool2d: pad should be at most half of kernel size, got kernel_size=(3, 3), stride=(3, 3), "
            "padding=(2, 2), dilation=(1, 1)");
  EXPECT_EQ(error_message([] { max_pool2d(ones({1, 1, 2, 2}), {.kernel_size = 3}); }),
            "max_pool2d: output size is too small: input [1, 1, 2, 2] gives output (0 x 0) for kernel_size=(3, 3), "
            "stride=(3, 3), padding=(0, 0), dilation=(1, 1)");
  EXPECT_EQ(error_message([] { avg_pool2d(ones({1, 1, 4, 4}), {.kernel_size = {0, 2}}); }),
            "avg_pool2d: kernel_size must be greater than zero, got kernel_size=(0, 2), stride=(0, 2), "
            "padding=(0, 0), dilation=(1, 1)");
  EXPECT_EQ(error_message([] { adaptive_avg_pool2d(ones({2, 3, 4, 4}), {0, 2}); }),
            "adaptive_avg_pool2d: output_size must be positive, got (0, 2) for input of shape [2, 3, 4, 4]");
  EXPECT_EQ(error_message([] { adaptive_max_pool2d(ones({2, 0, 4, 4}), 2); }),
            "adaptive_max_pool2d: expected input with non-zero channels, height and width, got input of shape "
            "[2, 0, 4, 4]");
}

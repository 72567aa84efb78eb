// conv2d: hand-computed cases, finite-difference gradients, reference-vs-oneDNN parity on awkward shapes,
// PyTorch fixtures (tests/fixtures/gen_conv.py) and error messages.
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v, const Shape& shape) { return from_vector(v, shape); }

// The message of the cnn::Error that f throws; a test failure when it throws none.
using test::error_message;

Conv2dOptions fixture_options(const std::string& name) {
  auto value = [&](const char* key) { return static_cast<int64_t>(test::fixture_value("conv", name, key)); };
  Conv2dOptions o;
  o.stride = {value("stride_h"), value("stride_w")};
  o.dilation = {value("dilation_h"), value("dilation_w")};
  o.groups = value("groups");
  o.padding = value("same") ? Padding::same() : Padding(value("pad_h"), value("pad_w"));
  return o;
}

}  // namespace

TEST(Conv2d, HandComputedBoxFilter) {
  // x[i, j] = 4i + j; a 2x2 box filter sums each 2x2 block: 4*(4i + j) + 10.
  Tensor x = arange(16).reshape({1, 1, 4, 4}).requires_grad_();
  Tensor w = ones({1, 1, 2, 2}).requires_grad_();
  Tensor b = full({1}, 0.5).requires_grad_();
  Tensor y = conv2d(x, w, b);
  EXPECT_EQ(y.shape(), Shape({1, 1, 3, 3}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({10.5, 14.5, 18.5, 26.5, 30.5, 34.5, 42.5, 46.5, 50.5}));
  sum(y).backward();
  // Each input element is counted once per window covering it.
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1}));
  // dw[r, s] = sum of the 3x3 block of x starting at (r, s).
  EXPECT_EQ(w.grad().to_vector<float>(), std::vector<float>({45, 54, 81, 90}));
  EXPECT_EQ(b.grad().to_vector<float>(), std::vector<float>({9}));
}

TEST(Conv2d, HandComputedPaddingCountsNeighbours) {
  Tensor y = conv2d(ones({1, 1, 3, 3}), ones({1, 1, 3, 3}), Tensor(), {.padding = 1});
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({4, 6, 4, 6, 9, 6, 4, 6, 4}));
  // "same" with an even kernel pads 0 before and 1 after, as PyTorch.
  Tensor same = conv2d(ones({1, 1, 3, 3}), ones({1, 1, 2, 2}), Tensor(), {.padding = "same"});
  EXPECT_EQ(same.to_vector<float>(), std::vector<float>({4, 4, 2, 4, 4, 2, 2, 2, 1}));
}

TEST(Conv2d, HandComputedStrideDilation) {
  // x[r, c] = 5r + c; taps at (2i, 2j), (2i, 2j+2), (2i+2, 2j), (2i+2, 2j+2) weighted 1, 2, 3, 4.
  Tensor x = arange(25).reshape({1, 1, 5, 5});
  Tensor w = grid({1, 2, 3, 4}, {1, 1, 2, 2});
  Tensor y = conv2d(x, w, Tensor(), {.stride = 2, .padding = 0, .dilation = 2});
  EXPECT_EQ(y.shape(), Shape({1, 1, 2, 2}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({82, 102, 182, 202}));
}

TEST(Conv2d, HandComputedGroups) {
  // Channel 0 holds 1s, channel 1 holds 2s; each group has its own 1x1 weight.
  Tensor x = grid({1, 1, 1, 1, 2, 2, 2, 2}, {1, 2, 2, 2});
  Tensor y = conv2d(x, grid({3, 5}, {2, 1, 1, 1}), grid({0, 1}, {2}), {.padding = 0, .groups = 2});
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({3, 3, 3, 3, 11, 11, 11, 11}));
}

TEST(Conv2d, OutputShapeAndParams) {
  EXPECT_EQ(conv2d_output_shape({8, 3, 32, 32}, {16, 3, 3, 3}, {.stride = 2, .padding = 1}), Shape({8, 16, 16, 16}));
  EXPECT_EQ(conv2d_output_shape({8, 3, 32, 32}, {16, 3, 3, 3}, {.padding = "valid"}), Shape({8, 16, 30, 30}));
  EXPECT_EQ(conv2d_output_shape({8, 3, 32, 31}, {16, 3, 4, 3}, {.padding = "same", .dilation = {1, 2}}),
            Shape({8, 16, 32, 31}));
  const ConvParams p = conv2d_params({1, 3, 9, 9}, {4, 3, 4, 3}, {.padding = "same", .dilation = {3, 2}});
  // total = d * (k - 1): 9 rows (4 before, 5 after) and 4 columns (2, 2).
  EXPECT_EQ(p.pad_top, 4);
  EXPECT_EQ(p.pad_bottom, 5);
  EXPECT_EQ(p.pad_left, 2);
  EXPECT_EQ(p.pad_right, 2);
}

TEST(Conv2d, FiniteDifferenceGradients) {
  manual_seed(3);
  struct Case {
    Shape x, w;
    bool bias;
    Conv2dOptions options;
  };
  const std::vector<Case> cases = {
      {{2, 3, 5, 4}, {2, 3, 3, 3}, true, {.padding = 1}},
      {{1, 2, 7, 6}, {3, 2, 3, 2}, false, {.stride = {2, 1}, .padding = {1, 0}}},
      {{1, 2, 7, 7}, {2, 2, 3, 3}, true, {.stride = 2, .padding = 2, .dilation = 2}},
      {{2, 4, 5, 5}, {6, 2, 3, 3}, true, {.padding = 1, .groups = 2}},
      {{1, 3, 6, 5}, {3, 1, 3, 3}, false, {.stride = 2, .padding = 1, .groups = 3}},
      {{1, 2, 5, 6}, {2, 2, 2, 3}, true, {.padding = "same", .dilation = {1, 2}}},
  };
  for (const Case& c : cases) {
    std::vector<Tensor> in = {test::uniform(c.x, true), test::uniform(c.w, true),
                              c.bias ? test::uniform({c.w[0]}, true) : Tensor()};
    const Conv2dOptions o = c.options;
    EXPECT_TRUE(test::gradcheck([o](const auto& t) { return conv2d(t[0], t[1], t[2], o); }, in))
        << "x " << c.x.str() << " w " << c.w.str() << " padding " << o.padding.str() << " groups " << o.groups;
  }
}

TEST(Conv2d, BackendParityAwkwardShapes) {
  manual_seed(4);
  struct Case {
    Shape x, w;
    bool bias;
    Conv2dOptions options;
    bool channels_last;
  };
  const std::vector<Case> cases = {
      {{1, 5, 6, 7}, {3, 5, 3, 3}, true, {.padding = 1}, false},
      {{2, 6, 7, 5}, {9, 2, 3, 3}, true, {.stride = 2, .padding = 1, .groups = 3}, false},
      {{1, 12, 9, 9}, {12, 1, 3, 3}, false, {.padding = 1, .groups = 12}, false},
      {{3, 7, 11, 6}, {5, 7, 5, 3}, true, {.stride = {2, 1}, .padding = {2, 0}, .dilation = {1, 2}}, false},
      {{1, 5, 6, 7}, {3, 5, 3, 3}, true, {.padding = 1}, true},
      {{2, 3, 8, 9}, {7, 3, 2, 2}, false, {.padding = "same"}, true},
  };
  for (const Case& c : cases) {
    std::vector<Tensor> in = {test::uniform(c.x, true), test::uniform(c.w, true),
                              c.bias ? test::uniform({c.w[0]}, true) : Tensor()};
    const Conv2dOptions o = c.options;
    const bool cl = c.channels_last;
    Fn f = [o, cl](const auto& t) {
      return conv2d(cl ? t[0].contiguous(MemoryFormat::channels_last) : t[0], t[1], t[2], o);
    };
    EXPECT_TRUE(test::backend_parity(f, in, 1e-4, 1e-4))
        << "x " << c.x.str() << " w " << c.w.str() << " channels_last " << cl;
  }
}

TEST(Conv2d, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends()) {
    for (const std::string name : {"basic", "stride_pad", "dilation", "groups", "depthwise", "depthwise_multiplier",
                                   "same_even_kernel", "pointwise", "stride_larger_than_kernel"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      Tensor x = test::fixture("conv", name, "x").requires_grad_();
      Tensor w = test::fixture("conv", name, "w").requires_grad_();
      const bool bias = name != "stride_pad" && name != "depthwise";
      Tensor b = bias ? test::fixture("conv", name, "b").requires_grad_() : Tensor();
      Tensor y = conv2d(x, w, b, fixture_options(name));
      EXPECT_ALLCLOSE(y, test::fixture("conv", name, "y"), 1e-4, 1e-4);
      y.backward(test::fixture("conv", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("conv", name, "dx"), 1e-4, 1e-4);
      EXPECT_ALLCLOSE(w.grad(), test::fixture("conv", name, "dw"), 1e-4, 1e-4);
      if (bias) {
        EXPECT_ALLCLOSE(b.grad(), test::fixture("conv", name, "db"), 1e-4, 1e-4);
      }
    }
  }
}

TEST(Conv2d, ChannelsLastInputGivesSameValues) {
  manual_seed(5);
  Tensor x = test::uniform({2, 3, 6, 5}), w = test::uniform({4, 3, 3, 3}), b = test::uniform({4});
  EXPECT_ALLCLOSE(conv2d(x.contiguous(MemoryFormat::channels_last), w, b, {.padding = 1}),
                  conv2d(x, w, b, {.padding = 1}));
}

TEST(Conv2d, SkipsGradientsNobodyNeeds) {
  Tensor x = ones({1, 1, 3, 3});
  Tensor w = ones({1, 1, 2, 2}).requires_grad_();
  sum(conv2d(x, w)).backward();
  EXPECT_FALSE(x.grad().defined());
  EXPECT_EQ(w.grad().to_vector<float>(), std::vector<float>({4, 4, 4, 4}));
}

TEST(Conv2d, ErrorMessages) {
  EXPECT_THROW(conv2d(ones({8, 1, 32, 32}), ones({16, 3, 3, 3})), Error);
  EXPECT_EQ(error_message([] { conv2d(ones({8, 1, 32, 32}), ones({16, 3, 3, 3})); }),
            "conv2d: expected input with 3 channels for weight [16, 3, 3, 3] (groups=1), got input [8, 1, 32, 32]");
  const Conv2dOptions two_groups{.padding = 0, .groups = 2};
  EXPECT_EQ(error_message([&] { conv2d(ones({8, 4, 8, 8}), ones({6, 1, 3, 3}), Tensor(), two_groups); }),
            "conv2d: expected input with 2 channels for weight [6, 1, 3, 3] (groups=2), got input [8, 4, 8, 8]");
  EXPECT_EQ(error_message([&] { conv2d(ones({1, 4, 8, 8}), ones({3, 2, 3, 3}), Tensor(), two_groups); }),
            "conv2d: given groups=2, expected weight [3, 2, 3, 3] to be divisible by 2 at dimension 0");
  EXPECT_EQ(error_message([] { conv2d(ones({3, 32, 32}), ones({16, 3, 3, 3})); }),
            "conv2d: expected 4-D input [N, C, H, W], got input of shape [3, 32, 32]");
  EXPECT_EQ(error_message([] { conv2d(ones({1, 3, 8, 8}), ones({16, 3, 3})); }),
            "conv2d: expected 4-D weight [out_channels, in_channels/groups, kH, kW], got weight [16, 3, 3]");
  EXPECT_EQ(error_message([] { conv2d(ones({1, 3, 8, 8}), ones({16, 3, 3, 3}), ones({8})); }),
            "conv2d: expected bias of shape [16] for weight [16, 3, 3, 3], got bias [8]");
  EXPECT_EQ(error_message([] { conv2d(ones({1, 3, 4, 4}), ones({2, 3, 5, 5}), Tensor(), {.padding = {0, 1}}); }),
            "conv2d: padded input size (4 x 6) is smaller than the dilated kernel size (5 x 5) for input "
            "[1, 3, 4, 4] and weight [2, 3, 5, 5] (stride=(1, 1), padding=(0, 1), dilation=(1, 1), groups=1)");
  const std::string strided_same =
      error_message([] { conv2d(ones({1, 3, 8, 8}), ones({2, 3, 3, 3}), Tensor(), {.stride = 2, .padding = "same"}); });
  EXPECT_NE(strided_same.find("padding='same' is not supported for strided convolutions"), std::string::npos);
  EXPECT_NE(error_message([] { conv2d(ones({1, 3, 8, 8}), ones({2, 3, 3, 3}), Tensor(), {.stride = 0, .padding = 0}); })
                .find("conv2d: stride must be positive"),
            std::string::npos);
  EXPECT_THROW(conv2d(ones({1, 3, 8, 8}), ones({2, 3, 3, 3}), Tensor(), {.padding = -1}), Error);
}

// conv_transpose2d and conv1d: hand-computed cases, output sizes, finite-difference gradients, reference-vs-oneDNN
// parity on awkward shapes, PyTorch fixtures (tests/fixtures/gen_conv_transpose.py) and error messages.
#include "test_util.h"

using namespace cnn;

namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

Tensor grid(std::vector<float> v, const Shape& shape) { return from_vector(v, shape); }

using test::error_message;

ConvTranspose2dOptions fixture_options(const std::string& name) {
  auto value = [&](const char* key) { return static_cast<int64_t>(test::fixture_value("conv_transpose", name, key)); };
  return {.stride = {value("stride_h"), value("stride_w")},
          .padding = {value("pad_h"), value("pad_w")},
          .output_padding = {value("output_padding_h"), value("output_padding_w")},
          .groups = value("groups"),
          .dilation = {value("dilation_h"), value("dilation_w")}};
}

}  // namespace

TEST(ConvTranspose2d, HandComputedOverlappingStamps) {
  // Each input pixel stamps the 2x2 kernel of ones at its own position: overlaps add up.
  Tensor x = grid({1, 2, 3, 4}, {1, 1, 2, 2}).requires_grad_();
  Tensor w = ones({1, 1, 2, 2}).requires_grad_();
  Tensor b = full({1}, 0.5).requires_grad_();
  Tensor y = conv_transpose2d(x, w, b);
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5}));
  sum(y).backward();
  EXPECT_EQ(x.grad().to_vector<float>(), std::vector<float>({4, 4, 4, 4}));    // each pixel reaches 4 outputs
  EXPECT_EQ(w.grad().to_vector<float>(), std::vector<float>({10, 10, 10, 10}));  // each tap sees every pixel
  EXPECT_EQ(b.grad().to_vector<float>(), std::vector<float>({9}));
}

TEST(ConvTranspose2d, HandComputedStrideMakesBlocks) {
  // stride 2 with a 2x2 kernel: no overlap, every pixel becomes a block weighted by w = [[1, 2], [3, 4]].
  Tensor y = conv_transpose2d(grid({1, 10}, {1, 1, 1, 2}), grid({1, 2, 3, 4}, {1, 1, 2, 2}), Tensor(),
                              {.stride = 2});
  EXPECT_EQ(y.shape(), Shape({1, 1, 2, 4}));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({1, 2, 10, 20, 3, 4, 30, 40}));
  // padding 1 crops one row/column on each side; output_padding 1 adds one row/column back on the bottom/right.
  Tensor cropped = conv_transpose2d(ones({1, 1, 2, 2}), ones({1, 1, 3, 3}), Tensor(),
                                    {.stride = 2, .padding = 1, .output_padding = 1});
  EXPECT_EQ(cropped.shape(), Shape({1, 1, 4, 4}));
  EXPECT_EQ(cropped.to_vector<float>(), std::vector<float>({1, 2, 1, 1, 2, 4, 2, 2, 1, 2, 1, 1, 1, 2, 1, 1}));
}

TEST(ConvTranspose2d, OutputSizeRule) {
  // The check: kernel 4, stride 2, padding 1 doubles 8x8 to 16x16.
  EXPECT_EQ(conv_transpose2d_output_shape({1, 16, 8, 8}, {16, 8, 4, 4}, {.stride = 2, .padding = 1}),
            Shape({1, 8, 16, 16}));
  EXPECT_EQ(conv_transpose2d(zeros({1, 16, 8, 8}), zeros({16, 8, 4, 4}), Tensor(), {.stride = 2, .padding = 1})
                .shape(),
            Shape({1, 8, 16, 16}));
  // (H-1)*s - 2p + d(k-1) + op + 1 with groups: 3 groups of 2 output channels.
  EXPECT_EQ(conv_transpose2d_output_shape({2, 6, 5, 4}, {6, 2, 3, 2},
                                          {.stride = {2, 3}, .padding = {1, 0}, .output_padding = {1, 2},
                                           .groups = 3, .dilation = {2, 1}}),
            Shape({2, 6, 12, 13}));
  // An odd target needs output_padding: k3 s2 p1 gives 5 from 3; 6 needs output_padding 1.
  const ConvTranspose2dOptions o{.stride = 2, .padding = 1};
  EXPECT_EQ(conv_transpose2d_output_padding({1, 1, 3, 3}, {1, 1, 3, 3}, o, {6, 5}), Pair2(1, 0));
  const ConvParams p = conv_transpose2d_params({1, 1, 3, 3}, {1, 1, 3, 3}, {.stride = 2, .padding = 1,
                                                                           .output_padding = 1});
  EXPECT_EQ(p.pad_top, 1);
  EXPECT_EQ(p.pad_bottom, 0);
}

TEST(ConvTranspose2d, IsTheAdjointOfConv2d) {
  // <conv2d(x, w), y> == <x, conv_transpose2d(y, w)> for the same weights and geometry.
  manual_seed(1);
  Tensor x = test::uniform({2, 3, 7, 6}), w = test::uniform({4, 3, 3, 3}), y = test::uniform({2, 4, 4, 3});
  const double lhs = sum(conv2d(x, w, Tensor(), {.stride = 2, .padding = 1}) * y).item();
  const double rhs = sum(x * conv_transpose2d(y, w, Tensor(), {.stride = 2, .padding = 1, .output_padding = {0, 1}}))
                         .item();
  EXPECT_NEAR(lhs, rhs, 1e-4 * std::abs(lhs) + 1e-4);
}

TEST(ConvTranspose2d, FiniteDifferenceGradients) {
  manual_seed(3);
  struct Case {
    Shape x, w;
    bool bias;
    ConvTranspose2dOptions options;
  };
  const std::vector<Case> cases = {
      {{2, 3, 3, 4}, {3, 2, 3, 3}, true, {}},
      {{1, 2, 3, 3}, {2, 3, 4, 4}, false, {.stride = 2, .padding = 1}},
      {{1, 4, 3, 2}, {4, 1, 3, 2}, true, {.stride = {2, 1}, .padding = {1, 0}, .output_padding = {1, 0}, .groups = 2}},
      {{1, 2, 3, 3}, {2, 2, 2, 3}, true, {.stride = 1, .padding = 1, .output_padding = 1, .dilation = 2}},
  };
  for (const Case& c : cases) {
    std::vector<Tensor> in = {test::uniform(c.x, true), test::uniform(c.w, true),
                              c.bias ? test::uniform({c.w[1] * c.options.groups}, true) : Tensor()};
    const ConvTranspose2dOptions o = c.options;
    EXPECT_TRUE(test::gradcheck([o](const auto& t) { return conv_transpose2d(t[0], t[1], t[2], o); }, in))
        << "x " << c.x.str() << " w " << c.w.str();
  }
}

TEST(ConvTranspose2d, BackendParityAwkwardShapes) {
  manual_seed(4);
  struct Case {
    Shape x, w;
    bool bias;
    ConvTranspose2dOptions options;
    bool channels_last;
  };
  const std::vector<Case> cases = {
      {{1, 5, 6, 7}, {5, 3, 3, 3}, true, {.padding = 1}, false},
      {{2, 6, 5, 4}, {6, 3, 4, 4}, true, {.stride = 2, .padding = 1, .groups = 3}, false},
      {{1, 12, 5, 5}, {12, 1, 3, 3}, false, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 12}, true},
      {{3, 7, 4, 6}, {7, 5, 5, 3}, true, {.stride = {3, 2}, .padding = {2, 0}, .output_padding = {2, 1}}, false},
      {{1, 5, 6, 7}, {5, 3, 3, 2}, true, {.padding = 1, .output_padding = 1, .dilation = 2}, true},
      {{2, 16, 8, 8}, {16, 9, 4, 4}, false, {.stride = 2, .padding = 1}, true},
  };
  for (const Case& c : cases) {
    std::vector<Tensor> in = {test::uniform(c.x, true), test::uniform(c.w, true),
                              c.bias ? test::uniform({c.w[1] * c.options.groups}, true) : Tensor()};
    const ConvTranspose2dOptions o = c.options;
    const bool cl = c.channels_last;
    Fn f = [o, cl](const auto& t) {
      return conv_transpose2d(cl ? t[0].contiguous(MemoryFormat::channels_last) : t[0], t[1], t[2], o);
    };
    EXPECT_TRUE(test::backend_parity(f, in, 1e-4, 1e-4))
        << "x " << c.x.str() << " w " << c.w.str() << " channels_last " << cl;
  }
}

TEST(ConvTranspose2d, MatchesPyTorch) {
  for (const std::string& backend_name : available_backends()) {
    for (const std::string name : {"basic", "k4s2p1", "output_padding", "groups", "dilation",
                                   "output_padding_below_dilation", "depthwise", "rect_stride_larger_than_kernel"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      Tensor x = test::fixture("conv_transpose", name, "x").requires_grad_();
      Tensor w = test::fixture("conv_transpose", name, "w").requires_grad_();
      const bool bias = name != "output_padding";
      Tensor b = bias ? test::fixture("conv_transpose", name, "b").requires_grad_() : Tensor();
      Tensor y = conv_transpose2d(x, w, b, fixture_options(name));
      EXPECT_ALLCLOSE(y, test::fixture("conv_transpose", name, "y"), 1e-4, 1e-4);
      y.backward(test::fixture("conv_transpose", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("conv_transpose", name, "dx"), 1e-4, 1e-4);
      EXPECT_ALLCLOSE(w.grad(), test::fixture("conv_transpose", name, "dw"), 1e-4, 1e-4);
      if (bias) {
        EXPECT_ALLCLOSE(b.grad(), test::fixture("conv_transpose", name, "db"), 1e-4, 1e-4);
      }
    }
  }
}

TEST(ConvTranspose2d, ErrorMessages) {
  EXPECT_EQ(error_message([] {
              conv_transpose2d(ones({1, 2, 3, 3}), ones({2, 2, 3, 3}), Tensor(), {.stride = 2, .output_padding = 2});
            }),
            "conv_transpose2d: output_padding (2, 2) must be smaller than either stride (2, 2) or dilation (1, 1)");
  EXPECT_EQ(error_message([] {
              conv_transpose2d(ones({1, 2, 3, 3}), ones({2, 2, 3, 3}), Tensor(), {.output_padding = {0, 1}});
            }),
            "conv_transpose2d: output_padding (0, 1) must be smaller than either stride (1, 1) or dilation (1, 1)");
  EXPECT_EQ(error_message([] { conv_transpose2d(ones({1, 3, 3, 3}), ones({2, 2, 3, 3})); }),
            "conv_transpose2d: expected input with 2 channels for weight [2, 2, 3, 3] (groups=1), got input "
            "[1, 3, 3, 3]");
  EXPECT_EQ(error_message([] { conv_transpose2d(ones({1, 3, 3, 3}), ones({3, 2, 3, 3}), Tensor(), {.groups = 2}); }),
            "conv_transpose2d: given groups=2, expected weight [3, 2, 3, 3] to be divisible by 2 at dimension 0");
  EXPECT_EQ(error_message([] { conv_transpose2d(ones({1, 2, 3, 3}), ones({2, 2, 3, 3}), ones({3})); }),
            "conv_transpose2d: expected bias of shape [2] for weight [2, 2, 3, 3] (groups=1), got bias [3]");
  EXPECT_EQ(error_message([] { conv_transpose2d(ones({2, 3, 3}), ones({2, 2, 3, 3})); }),
            "conv_transpose2d: expected 4-D input [N, C_in, H, W], got input of shape [2, 3, 3]");
  EXPECT_EQ(error_message([] { conv_transpose2d_output_padding({1, 2, 3, 3}, {2, 2, 3, 3}, {.stride = 2}, {9, 9}); }),
            "conv_transpose2d: requested an output size of (9, 9), but valid sizes range from (7, 7) to (8, 8) (for an "
            "input of (3, 3))");
  EXPECT_EQ(error_message([] { conv_transpose2d(ones({1, 1, 1, 1}), ones({1, 1, 1, 1}), Tensor(), {.padding = 1}); }),
            "conv_transpose2d: output size (-1 x -1) is too small for input [1, 1, 1, 1] and weight [1, 1, 1, 1] "
            "(stride=(1, 1), padding=(1, 1), output_padding=(0, 0), groups=1, dilation=(1, 1))");
}

TEST(Conv1d, HandComputedAndMatchesConv2d) {
  // x = 0, 1, ..., 5 with kernel [1, -1]: first differences -1; bias 1.
  Tensor y = conv1d(arange(6).reshape({1, 1, 6}), grid({1, -1}, {1, 1, 2}), full({1}, 1.0));
  EXPECT_EQ(y.to_vector<float>(), std::vector<float>({0, 0, 0, 0, 0}));
  manual_seed(2);
  Tensor x = test::uniform({2, 4, 9}), w = test::uniform({6, 2, 3}), b = test::uniform({6});
  Tensor via2d = conv2d(x.unsqueeze(2), w.unsqueeze(2), b, {.stride = {1, 2}, .padding = {0, 1}, .groups = 2});
  EXPECT_ALLCLOSE(conv1d(x, w, b, {.stride = 2, .padding = 1, .groups = 2}), via2d.squeeze(2));
  EXPECT_EQ(conv1d(x, w, b, {.padding = "same", .groups = 2}).shape(), Shape({2, 6, 9}));
}

TEST(Conv1d, GradientsParityAndPyTorch) {
  manual_seed(6);
  std::vector<Tensor> in = {test::uniform({2, 3, 7}, true), test::uniform({4, 3, 3}, true), test::uniform({4}, true)};
  Fn f = [](const auto& t) { return conv1d(t[0], t[1], t[2], {.stride = 2, .padding = 1, .dilation = 2}); };
  EXPECT_TRUE(test::gradcheck(f, in));
  EXPECT_TRUE(test::backend_parity(f, {test::uniform({3, 5, 13}, true), test::uniform({7, 5, 4}, true),
                                       test::uniform({7}, true)}, 1e-4, 1e-4));
  for (const std::string& backend_name : available_backends())
    for (const std::string name : {"conv1d_basic", "conv1d_strided_grouped", "conv1d_same"}) {
      SCOPED_TRACE(name + " on " + backend_name);
      BackendGuard backend_guard(backend_name);
      auto value = [&](const char* key) {
        return static_cast<int64_t>(test::fixture_value("conv_transpose", name, key));
      };
      Tensor x = test::fixture("conv_transpose", name, "x").requires_grad_();
      Tensor w = test::fixture("conv_transpose", name, "w").requires_grad_();
      const bool bias = name != "conv1d_same";
      Tensor b = bias ? test::fixture("conv_transpose", name, "b").requires_grad_() : Tensor();
      const Conv1dOptions o{.stride = value("stride"),
                            .padding = value("same") ? Padding::same() : Padding(value("pad")),
                            .dilation = value("dilation"),
                            .groups = value("groups")};
      Tensor y = conv1d(x, w, b, o);
      EXPECT_ALLCLOSE(y, test::fixture("conv_transpose", name, "y"), 1e-4, 1e-4);
      y.backward(test::fixture("conv_transpose", name, "dy"));
      EXPECT_ALLCLOSE(x.grad(), test::fixture("conv_transpose", name, "dx"), 1e-4, 1e-4);
      EXPECT_ALLCLOSE(w.grad(), test::fixture("conv_transpose", name, "dw"), 1e-4, 1e-4);
      if (bias) {
        EXPECT_ALLCLOSE(b.grad(), test::fixture("conv_transpose", name, "db"), 1e-4, 1e-4);
      }
    }
}

TEST(Conv1d, ErrorMessages) {
  EXPECT_EQ(error_message([] { conv1d(ones({1, 3, 8, 8}), ones({4, 3, 3})); }),
            "conv1d: expected 3-D input [N, C, L], got input of shape [1, 3, 8, 8]");
  EXPECT_EQ(error_message([] { conv1d(ones({1, 2, 8}), ones({4, 3, 3})); }),
            "conv1d: expected input with 3 channels for weight [4, 3, 3] (groups=1), got input [1, 2, 8]");
  EXPECT_EQ(error_message([] { conv1d(ones({1, 3, 2}), ones({4, 3, 5})); }),
            "conv1d: padded input size 2 is smaller than the dilated kernel size 5 for input [1, 3, 2] and weight "
            "[4, 3, 5]");
  EXPECT_EQ(error_message([] { conv1d(ones({1, 3, 8}), ones({4, 3, 3}), Tensor(), {.stride = 2, .padding = "same"}); }),
            "conv1d: padding='same' is not supported for strided convolutions, got stride=2");
  EXPECT_EQ(error_message([] { conv1d(ones({1, 3, 8}), ones({4, 3, 3}), Tensor(), {.padding = {1, 2}}); }),
            "conv1d: expected one non-negative padding amount, got (1, 2)");
}

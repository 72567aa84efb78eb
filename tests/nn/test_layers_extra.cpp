// The extra layers (layers_conv.h, layers_norm.h, layers_activation.h, layers_resample.h, MaxPool2d's indices):
// printing equal to PyTorch's print(), parameters and buffers under PyTorch's names, output_shape against the real
// output, macs and geometry, train/eval behaviour and errors. The ops themselves are tested in tests/ops/.
#include <cnn/nn.h>

#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

void expect_shape_agrees(Module& m, const Tensor& x) { EXPECT_EQ(m(x).shape(), m.output_shape(x.shape())) << m.str(); }

std::vector<std::string> keys(const StateDict& d) {
  std::vector<std::string> k;
  for (const auto& [name, t] : d) k.push_back(name);
  return k;
}

using test::error_message;

TEST(LayersExtra, PrintLikePyTorch) {
  // Each line is what PyTorch 1.13's print() gives for the same arguments.
  const std::vector<std::pair<std::shared_ptr<Module>, std::string>> cases = {
      {std::make_shared<ConvTranspose2d>(16, 8,
                                         ConvTranspose2dLayerOptions{.kernel_size = 4, .stride = 2, .padding = 1}),
       "ConvTranspose2d(16, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))"},
      {std::make_shared<ConvTranspose2d>(16, 8, ConvTranspose2dLayerOptions{.kernel_size = {3, 2}, .stride = {2, 1},
                                                                            .padding = {1, 0}, .output_padding = {1, 0},
                                                                            .groups = 2, .bias = false, .dilation = 2}),
       "ConvTranspose2d(16, 8, kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(2, 2), "
       "output_padding=(1, 0), groups=2, bias=False)"},
      {std::make_shared<Conv1d>(3, 8, Conv1dLayerOptions{.kernel_size = 3}),
       "Conv1d(3, 8, kernel_size=(3,), stride=(1,))"},
      {std::make_shared<Conv1d>(3, 8, Conv1dLayerOptions{.kernel_size = 3, .stride = 2, .padding = 1, .dilation = 2,
                                                         .bias = false}),
       "Conv1d(3, 8, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), bias=False)"},
      {std::make_shared<Conv1d>(3, 9, Conv1dLayerOptions{.kernel_size = 3, .padding = "same", .groups = 3}),
       "Conv1d(3, 9, kernel_size=(3,), stride=(1,), padding=same, groups=3)"},
      {std::make_shared<MaxPool2d>(MaxPool2dOptions{.kernel_size = 2, .return_indices = true}),
       "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"},
      {std::make_shared<MaxUnpool2d>(2), "MaxUnpool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))"},
      {std::make_shared<MaxUnpool2d>(MaxUnpool2dOptions{.kernel_size = {3, 2}, .stride = 1, .padding = 1}),
       "MaxUnpool2d(kernel_size=(3, 2), stride=(1, 1), padding=(1, 1))"},
      {std::make_shared<GroupNorm>(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=True)"},
      {std::make_shared<GroupNorm>(2, 4, GroupNormOptions{.eps = 1e-3, .affine = false}),
       "GroupNorm(2, 4, eps=0.001, affine=False)"},
      {std::make_shared<LayerNorm>(10), "LayerNorm((10,), eps=1e-05, elementwise_affine=True)"},
      {std::make_shared<LayerNorm>(Shape{5, 10}, LayerNormOptions{.eps = 1e-6, .elementwise_affine = false}),
       "LayerNorm((5, 10), eps=1e-06, elementwise_affine=False)"},
      {std::make_shared<InstanceNorm2d>(3),
       "InstanceNorm2d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)"},
      {std::make_shared<InstanceNorm2d>(3, InstanceNorm2dOptions{.momentum = 0.2, .affine = true,
                                                                 .track_running_stats = true}),
       "InstanceNorm2d(3, eps=1e-05, momentum=0.2, affine=True, track_running_stats=True)"},
      {std::make_shared<LocalResponseNorm>(5), "LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=1.0)"},
      {std::make_shared<LocalResponseNorm>(2, LocalResponseNormOptions{.alpha = 2e-5, .beta = 0.5, .k = 2.5}),
       "LocalResponseNorm(2, alpha=2e-05, beta=0.5, k=2.5)"},
      {std::make_shared<Dropout2d>(), "Dropout2d(p=0.5, inplace=False)"},
      {std::make_shared<Dropout2d>(0.2), "Dropout2d(p=0.2, inplace=False)"},
      {std::make_shared<GELU>(), "GELU(approximate='none')"},
      {std::make_shared<GELU>("tanh"), "GELU(approximate='tanh')"},
      {std::make_shared<SiLU>(), "SiLU()"},
      {std::make_shared<Hardswish>(), "Hardswish()"},
      {std::make_shared<Hardsigmoid>(), "Hardsigmoid()"},
      {std::make_shared<ELU>(), "ELU(alpha=1.0)"},
      {std::make_shared<ELU>(0.5), "ELU(alpha=0.5)"},
      {std::make_shared<SELU>(), "SELU()"},
      {std::make_shared<Mish>(), "Mish()"},
      {std::make_shared<PReLU>(), "PReLU(num_parameters=1)"},
      {std::make_shared<PReLU>(64, 0.1), "PReLU(num_parameters=64)"},
      {std::make_shared<Softmax>(1), "Softmax(dim=1)"},
      {std::make_shared<Softmax>(-1), "Softmax(dim=-1)"},
      {std::make_shared<Upsample>(InterpolateOptions{.scale_factor = 2}), "Upsample(scale_factor=2.0, mode=nearest)"},
      {std::make_shared<Upsample>(InterpolateOptions{.size = Pair2(4, 5), .mode = "bilinear", .align_corners = true}),
       "Upsample(size=(4, 5), mode=bilinear)"},
      {std::make_shared<Upsample>(InterpolateOptions{.size = Pair2(4), .mode = "bilinear"}),
       "Upsample(size=4, mode=bilinear)"},
      {std::make_shared<Upsample>(InterpolateOptions{.scale_factor = Scale2(2, 1.5)}),
       "Upsample(scale_factor=(2.0, 1.5), mode=nearest)"},
      {std::make_shared<ZeroPad2d>(1), "ZeroPad2d((1, 1, 1, 1))"},
      {std::make_shared<ZeroPad2d>(Pad4(1, 2, 3, 4)), "ZeroPad2d((1, 2, 3, 4))"},
      {std::make_shared<ChannelShuffle>(2), "ChannelShuffle(groups=2)"},
  };
  for (const auto& [m, text] : cases) EXPECT_EQ(m->str(), text);
  Sequential decoder(ConvTranspose2d(8, 4, {.kernel_size = 2, .stride = 2}), GroupNorm(2, 4), GELU(),
                     Upsample({.scale_factor = 2, .mode = "bilinear"}));
  EXPECT_EQ(decoder.str(),
            "Sequential(\n"
            "  (0): ConvTranspose2d(8, 4, kernel_size=(2, 2), stride=(2, 2))\n"
            "  (1): GroupNorm(2, 4, eps=1e-05, affine=True)\n"
            "  (2): GELU(approximate='none')\n"
            "  (3): Upsample(scale_factor=2.0, mode=bilinear)\n"
            ")");
}

TEST(LayersExtra, ParametersAndBuffersUnderPyTorchNames) {
  ConvTranspose2d up(4, 6, {.kernel_size = 3, .groups = 2});
  EXPECT_EQ(up.weight.shape(), Shape({4, 3, 3, 3}));  // [in, out/groups, kh, kw]
  EXPECT_EQ(keys(up.state_dict()), std::vector<std::string>({"weight", "bias"}));
  EXPECT_EQ(Conv1d(3, 8, {.kernel_size = 5}).weight.shape(), Shape({8, 3, 5}));
  EXPECT_EQ(keys(GroupNorm(2, 4).state_dict()), std::vector<std::string>({"weight", "bias"}));
  EXPECT_EQ(LayerNorm(Shape{5, 10}).weight.shape(), Shape({5, 10}));
  EXPECT_TRUE(InstanceNorm2d(3).state_dict().empty());
  EXPECT_EQ(keys(InstanceNorm2d(3, {.affine = true, .track_running_stats = true}).state_dict()),
            std::vector<std::string>({"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(keys(InstanceNorm2d(3, {.track_running_stats = true}).state_dict()),
            std::vector<std::string>({"running_mean", "running_var", "num_batches_tracked"}));
  // PyTorch's init: kaiming_uniform(a=sqrt(5)) with fan_in = out/groups * k*k: bound 1/sqrt(fan_in).
  manual_seed(0);
  ConvTranspose2d big(64, 32, {.kernel_size = 4});
  const double bound = 1.0 / std::sqrt(32.0 * 16.0);
  EXPECT_LE(max(big.weight).item(), bound);
  EXPECT_GE(min(big.weight).item(), -bound);
  EXPECT_GT(max(big.weight).item(), 0.9 * bound);
}

TEST(LayersExtra, ConvTranspose2dDoublesAndReachesRequestedSizes) {
  manual_seed(1);
  ConvTranspose2d up(16, 8, {.kernel_size = 4, .stride = 2, .padding = 1});
  const Tensor x = test::uniform({1, 16, 8, 8});
  EXPECT_EQ(up(x).shape(), Shape({1, 8, 16, 16}));  // the check
  expect_shape_agrees(up, x);
  EXPECT_EQ(up.macs({1, 16, 8, 8}), 64 * 16 * 8 * 16);
  const WindowGeometry g = *up.geometry();
  EXPECT_TRUE(g.transposed);
  EXPECT_EQ(g.stride, Pair2(2, 2));
  // k3 s2 p1 gives 2H - 1; output_size picks output_padding 1 for an even size, as PyTorch's forward(x, output_size).
  ConvTranspose2d odd(2, 2, {.kernel_size = 3, .stride = 2, .padding = 1});
  const Tensor y = test::uniform({1, 2, 4, 5});
  EXPECT_EQ(odd(y).shape(), Shape({1, 2, 7, 9}));
  EXPECT_EQ(odd.forward(y, {8, 9}).shape(), Shape({1, 2, 8, 9}));
  EXPECT_EQ(error_message([&] { odd.forward(y, {9, 9}); }),
            "conv_transpose2d: requested an output size of (9, 9), but valid sizes range from (7, 9) to (8, 10) (for "
            "an input of (4, 5))");
  EXPECT_EQ(error_message([] { ConvTranspose2d(2, 2, {.kernel_size = 3, .stride = 2, .output_padding = 2}); }),
            "conv_transpose2d: output_padding (2, 2) must be smaller than either stride (2, 2) or dilation (1, 1)");
  EXPECT_NE(error_message([&] { up(test::uniform({1, 8, 8, 8})); })
                .find("ConvTranspose2d(16, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1)): expected input "
                      "[N, 16, H, W], got [1, 8, 8, 8]"),
            std::string::npos);
}

TEST(LayersExtra, Conv1dShapesAndGeometry) {
  manual_seed(2);
  const Tensor x = test::uniform({2, 4, 11});
  Conv1d a(4, 6, {.kernel_size = 3, .stride = 2, .padding = 1});
  Conv1d b(4, 4, {.kernel_size = 4, .padding = "same", .groups = 4, .bias = false});
  Conv1d c(4, 2, {.kernel_size = 3, .dilation = 3});
  for (Conv1d* m : {&a, &b, &c}) expect_shape_agrees(*m, x);
  EXPECT_EQ(b(x).shape(), Shape({2, 4, 11}));
  EXPECT_EQ(a.macs({2, 4, 11}), 2 * 6 * 6 * 4 * 3);
  EXPECT_EQ(a.geometry()->kernel_size, Pair2(1, 3));
  EXPECT_EQ(a.geometry()->padding, Pair2(0, 1));
}

TEST(LayersExtra, MaxPoolIndicesFeedMaxUnpool) {
  manual_seed(3);
  MaxPool2d pool({.kernel_size = 2, .return_indices = true});
  MaxUnpool2d unpool(2);
  const Tensor x = test::uniform({2, 3, 7, 6}) + 2.0;
  auto [y, indices] = pool.forward_with_indices(x);
  const Tensor back = unpool.forward(y, indices, Pair2(7, 6));
  EXPECT_EQ(back.shape(), x.shape());
  EXPECT_ALLCLOSE(MaxPool2d(2)(back), y);
  EXPECT_EQ(unpool.output_shape(y.shape()), Shape({2, 3, 6, 6}));
  EXPECT_TRUE(unpool.geometry()->transposed);
  EXPECT_NE(error_message([&] { pool(x); }).find("return_indices=True gives (output, indices): call "
                                                 "forward_with_indices(x)"),
            std::string::npos);
  EXPECT_NE(error_message([&] { unpool(y); }).find("call forward(x, indices)"), std::string::npos);
}

TEST(LayersExtra, NormLayers) {
  manual_seed(4);
  const Tensor x = test::uniform({2, 4, 3, 5});
  GroupNorm gn(2, 4);
  LayerNorm ln(Shape{3, 5});
  InstanceNorm2d in(4);
  LocalResponseNorm lrn(3);
  for (Module* m : std::initializer_list<Module*>{&gn, &ln, &in, &lrn}) expect_shape_agrees(*m, x);
  EXPECT_ALLCLOSE(gn(x), group_norm(x, 2));
  EXPECT_ALLCLOSE(in(x), GroupNorm(4, 4, {.affine = false})(x), 1e-5, 1e-5);
  EXPECT_ALLCLOSE(in(x[0]), in(x)[0], 1e-5, 1e-6);  // unbatched [C, H, W]
  EXPECT_EQ(gn.macs(x.shape()), x.numel());
  // Tracked running statistics move in training and are used in eval, as BatchNorm's.
  InstanceNorm2d tracked(4, {.track_running_stats = true});
  tracked(x * 3.0 + 1.0);
  EXPECT_GT(tracked.running_var.to_vector<float>()[0], 1.0f);
  EXPECT_EQ(tracked.num_batches_tracked.item(), 0);  // PyTorch's InstanceNorm never counts batches
  tracked.eval();
  const Tensor expected = instance_norm(x, tracked.running_mean, tracked.running_var, Tensor(), Tensor(),
                                        {.use_input_stats = false});
  EXPECT_ALLCLOSE(tracked(x), expected);
  EXPECT_NE(error_message([] { InstanceNorm2d(4, {.affine = true})(ones({2, 3, 4, 4})); })
                .find("expected input's size at dim=1 to match num_features (4), got input of shape [2, 3, 4, 4]"),
            std::string::npos);
  EXPECT_EQ(error_message([] { GroupNorm(3, 4); }),
            "GroupNorm: num_channels must be divisible by num_groups, got num_groups=3 num_channels=4");
}

TEST(LayersExtra, ActivationsDropoutAndResampling) {
  manual_seed(5);
  const Tensor x = test::uniform({2, 6, 4, 4});
  GELU g;
  SiLU s;
  Hardswish hs;
  Hardsigmoid hsig;
  Softmax sm(1);
  Dropout2d drop(0.5);
  Upsample up({.scale_factor = 2, .mode = "bilinear"});
  Upsample to_size({.size = Pair2(5, 3)});
  ZeroPad2d pad({1, 0, 2, 1});
  ChannelShuffle shuffle(3);
  for (Module* m : std::initializer_list<Module*>{&g, &s, &hs, &hsig, &sm, &drop, &up, &to_size, &pad, &shuffle})
    expect_shape_agrees(*m, x);
  EXPECT_ALLCLOSE(sum(sm(x), {1}), ones({2, 4, 4}), 1e-5, 1e-6);
  EXPECT_ALLCLOSE(hs(x), x * hsig(x));
  EXPECT_ALLCLOSE(s(x), x * sigmoid(x));
  drop.eval();
  EXPECT_TRUE(drop(x).is_same(x));
  EXPECT_EQ(up.output_shape({2, 6, 4, 4}), Shape({2, 6, 8, 8}));
  EXPECT_EQ(pad.output_shape({2, 6, 4, 4}), Shape({2, 6, 7, 5}));
  EXPECT_EQ(error_message([] { Upsample({.scale_factor = 2, .align_corners = true}); }),
            "Upsample: align_corners can only be set with mode \"bilinear\", got mode \"nearest\"");
  EXPECT_EQ(error_message([] { GELU("fast"); }), "GELU: approximate must be \"none\" or \"tanh\", got \"fast\"");
  EXPECT_EQ(error_message([] { Dropout2d(2.0); }), "Dropout2d: probability has to be between 0 and 1, but got 2");
}

TEST(LayersExtra, EluSeluMishAndPReluLayers) {
  manual_seed(6);
  const Tensor x = test::uniform({2, 6, 4, 4});
  ELU e(0.5);
  SELU se;
  Mish mi;
  PReLU shared, per_channel(6, 0.1);
  for (Module* m : std::initializer_list<Module*>{&e, &se, &mi, &shared, &per_channel}) expect_shape_agrees(*m, x);
  EXPECT_ALLCLOSE(e(x), elu(x, 0.5));
  EXPECT_ALLCLOSE(se(x), selu(x));
  EXPECT_ALLCLOSE(mi(x), mish(x));
  // nn.PReLU: a learnable `weight` [num_parameters] filled with init (0.25), the slope of channel dim 1.
  EXPECT_EQ(keys(shared.state_dict()), std::vector<std::string>({"weight"}));
  EXPECT_EQ(per_channel.weight.shape(), Shape({6}));
  EXPECT_ALLCLOSE(shared.weight, full({1}, 0.25));
  EXPECT_EQ(per_channel.num_parameters(), 6);
  EXPECT_EQ(Sequential(Conv2d(3, 6, {.kernel_size = 1}), PReLU(6)).num_parameters(), 3 * 6 + 6 + 6);
  EXPECT_TRUE(per_channel.weight.requires_grad());
  Tensor w = per_channel.weight.detach();
  w.copy_(from_vector(std::vector<float>{0, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, {6}));
  const Tensor y = per_channel(x);
  const Tensor negative = -1.0 * ones({2, 6, 4, 4});
  EXPECT_ALLCLOSE(per_channel(negative)[0][2][0], full({4}, -0.2));
  EXPECT_ALLCLOSE(y, relu(x) - relu(-x) * w.reshape({1, 6, 1, 1}));
  sum(y).backward();
  EXPECT_EQ(per_channel.weight.grad().shape(), Shape({6}));
  EXPECT_NE(error_message([&] { per_channel(ones({2, 3, 4, 4})); })
                .find("prelu: expected weight with 1 or 3 elements for input [2, 3, 4, 4], got [6]"),
            std::string::npos);
  EXPECT_EQ(error_message([] { PReLU(0); }), "PReLU: num_parameters must be positive, got 0");
}

}  // namespace
}  // namespace cnn

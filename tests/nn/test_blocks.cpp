// The blocks of blocks.h: state_dict keys, parameter counts and eval outputs against the course's and
// torchvision's PyTorch code (tests/fixtures/gen_zoo.py, "block_" cases), shapes, naming styles, training mode.
// Not whole models (tests/models/test_zoo.cpp).
#include <cnn/blocks.h>

#include "formula_weights.h"
#include "test_util.h"

using namespace cnn;

namespace {

// Eval output for formula weights and the fixture input equals PyTorch's; keys and counts equal too.
void expect_parity(Module& block, const std::string& case_name) {
  const std::string name = "block_" + case_name;
  EXPECT_TRUE(test::same_keys(block, name));
  test::fill_formula(block);
  block.eval();
  NoGradGuard no_grad;
  const auto& c = test::zoo_fixture()[name];
  const Tensor y = block(test::formula_input(Shape(c["input_shape"].get<std::vector<int64_t>>())));
  const Tensor expected = test::fixture("zoo", name, "output");
  ASSERT_EQ(y.shape(), expected.shape()) << name;
  EXPECT_LE(test::max_relative_diff(y, expected), 1e-5) << name;
}

TEST(Blocks, CourseBlocksMatchTheNotebook) {
  SEBasicBlock se_basic(64, 128, {.stride = 2});
  expect_parity(se_basic, "se_basic_block");
  MBConv mbconv(32, 32, {.expansion = 4});
  expect_parity(mbconv, "mbconv");
  DepthwiseSeparableConv separable(16, 32, 3, 2);
  expect_parity(separable, "depthwise_separable");
  DenseBlock dense(4, 16, {.growth_rate = 8, .naming = BlockNaming::course});
  expect_parity(dense, "dense_block_course");
  SEBlock se(64, 16);
  expect_parity(se, "se_block");
  EXPECT_EQ(se.num_parameters(), 512);
}

TEST(Blocks, TorchvisionBlocksMatchTorchvision) {
  SqueezeExcitation se(24, 6);
  expect_parity(se, "squeeze_excitation");
  InvertedResidual inverted(24, 32, {.stride = 2, .expand_ratio = 6});
  expect_parity(inverted, "inverted_residual");
  EfficientNetMBConv mb({.expand_ratio = 6, .kernel = 5, .input_channels = 40, .out_channels = 40,
                         .stochastic_depth_prob = 0.1});
  expect_parity(mb, "efficientnet_mbconv");
  Inception inception(192, {64, 96, 128, 16, 32, 32});
  expect_parity(inception, "inception");
  EXPECT_EQ(inception.out_channels(), 256);
  Bottleneck resnext(256, 128, {.stride = 2, .groups = 32, .base_width = 4});
  expect_parity(resnext, "bottleneck_resnext");
}

TEST(Blocks, ResidualShortcutNamesAndShapes) {
  BasicBlock same(64, 64);
  EXPECT_FALSE(same.named_children().contains("downsample"));
  BasicBlock down(64, 128, {.stride = 2});
  EXPECT_EQ(down.named_children().keys(),
            (std::vector<std::string>{"conv1", "bn1", "relu", "conv2", "bn2", "downsample"}));
  EXPECT_TRUE(down.state_dict().contains("downsample.0.weight"));
  EXPECT_TRUE(down.state_dict().contains("downsample.1.running_var"));
  BasicBlock course(64, 64, {.naming = BlockNaming::course});
  EXPECT_EQ(course.named_children().keys(), (std::vector<std::string>{"conv1", "bn1", "conv2", "bn2", "shortcut"}));
  EXPECT_NE(course.str().find("(shortcut): Sequential()"), std::string::npos) << course.str();
  EXPECT_EQ(down.output_shape({2, 64, 9, 9}), (Shape{2, 128, 5, 5}));
  down.eval();
  NoGradGuard no_grad;
  EXPECT_EQ(down(zeros({2, 64, 9, 9})).shape(), (Shape{2, 128, 5, 5}));
  Bottleneck wide(64, 64);
  EXPECT_EQ(wide.out_channels(), 256);
  EXPECT_THROW(BasicBlock(64, 64, {.groups = 2}), Error);
}

TEST(Blocks, ExerciseFourBottleneckSavesParameters) {
  ConvBottleneck block(256, 64, 256);
  const Conv2d single(256, 256, {.kernel_size = 3, .padding = 1});
  EXPECT_EQ(block.num_parameters(), 70'016);
  EXPECT_EQ(single.num_parameters(), 590'080);
  EXPECT_EQ(block.named_children().keys(),
            (std::vector<std::string>{"reduce", "relu1", "conv", "relu2", "expand"}));
  EXPECT_EQ(block(zeros({1, 256, 5, 5})).shape(), (Shape{1, 256, 5, 5}));
}

TEST(Blocks, DenseBlockTorchvisionNamesAndTransition) {
  DenseBlock block(6, 64, {.growth_rate = 32});
  EXPECT_EQ(block.out_channels(), 256);
  EXPECT_TRUE(block.state_dict().contains("denselayer6.conv2.weight"));
  EXPECT_TRUE(block.state_dict().contains("denselayer1.norm1.running_mean"));
  EXPECT_EQ(block.type_name(), "_DenseBlock");
  Transition transition(256, 128);
  EXPECT_EQ(transition.named_children().keys(), (std::vector<std::string>{"norm", "relu", "conv", "pool"}));
  block.eval();
  transition.eval();
  NoGradGuard no_grad;
  EXPECT_EQ(transition(block(zeros({1, 64, 8, 8}))).shape(), (Shape{1, 128, 4, 4}));
}

TEST(Blocks, StochasticDepthDropsWholeSamplesOnlyWhileTraining) {
  manual_seed(3);
  StochasticDepth drop(0.5);
  EXPECT_EQ(drop.str(), "StochasticDepth(p=0.5, mode=row)");
  const Tensor x = ones({64, 2, 3, 3});
  const Tensor y = drop(x).contiguous();
  int64_t kept = 0;
  for (int64_t n = 0; n < 64; ++n) {
    const float first = y.data<float>()[n * 18];
    EXPECT_TRUE(first == 0.0f || first == 2.0f) << first;
    for (int64_t i = 1; i < 18; ++i) EXPECT_EQ(y.data<float>()[n * 18 + i], first);
    kept += first != 0.0f;
  }
  EXPECT_GT(kept, 16);
  EXPECT_LT(kept, 48);
  drop.eval();
  EXPECT_TRUE(drop(x).is_same(x));
  EXPECT_THROW(StochasticDepth(1.5), Error);
}

TEST(Blocks, TrainingBackwardReachesEveryParameter) {
  manual_seed(0);
  MBConv block(8, 8, {.expansion = 2, .se_ratio = 4});
  const Tensor loss = sum(block(test::uniform({2, 8, 6, 6})));
  loss.backward();
  for (const auto& [name, p] : block.named_parameters()) EXPECT_TRUE(p.grad().defined()) << name;
}

TEST(Blocks, MakeDivisibleAsTorchvision) {
  EXPECT_EQ(make_divisible(32 * 0.35, 8), 16);
  EXPECT_EQ(make_divisible(1280 * 1.0, 8), 1280);
  EXPECT_EQ(make_divisible(24 * 0.35, 8), 8);
  EXPECT_EQ(make_divisible(96 * 1.4, 8), 136);
  EXPECT_EQ(make_divisible(3.0, 8), 8);
}

TEST(Blocks, ConvNormActivationPrintsAsTorchvision) {
  Conv2dNormActivation block(16, 32, {.stride = 2, .activation_layer = layer<ReLU6>});
  EXPECT_EQ(block.str(),
            "Conv2dNormActivation(\n"
            "  (0): Conv2d(16, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)\n"
            "  (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)\n"
            "  (2): ReLU6()\n"
            ")");
  Conv2dNormActivation plain(16, 32, {.kernel_size = 1, .norm = false, .activation_layer = nullptr});
  EXPECT_EQ(plain.size(), 1u);
  EXPECT_TRUE(plain.at<Conv2d>(0)->bias.defined());
}

}  // namespace

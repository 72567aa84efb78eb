// Runs the example programs of seeds 000 (exercises 1-4) and 001 (notebook §1-§5, exercises 1-3) at small sizes and
// checks the numbers they print against the documents' (or, where a document only gives code, against the values
// its PyTorch code computes: parameter counts, shapes, receptive fields).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "examples/examples_util.h"

using cnn::test::file_written;
using cnn::test::has;
using cnn::test::run_ok;

namespace {

std::string out_dir(const std::string& name) { return cnn::test::out_dir("000_001_" + name); }

}  // namespace

// ---- Seeds 001: the notebook ----

TEST(Examples001, ManualConvMatchesConv2d) {
  const std::string out = run_ok("ex001_1_1_manual_conv");
  EXPECT_TRUE(has(out, "Output shape: [3, 3]"));
  EXPECT_TRUE(has(out, "tensor([[ 6.,  0., -5.],\n        [ 0., -2., -2.],\n        [-4.,  0.,  1.]], shape=[3, 3])"));
  EXPECT_TRUE(has(out, "Matches manual: True (max |difference| 0)"));
}

TEST(Examples001, OutputSizes) {
  const std::string dir = out_dir("1_2");
  const std::string out = run_ok("ex001_1_2_output_sizes", "--output " + dir);
  EXPECT_TRUE(has(out, "Input=32, kernel=3, padding=0, stride=1: 30   conv2d gives [1, 1, 30, 30] ok"));
  EXPECT_TRUE(has(out, "Input=32, kernel=3, padding=1, stride=1: 32 (same padding)   conv2d gives [1, 1, 32, 32] ok"));
  EXPECT_TRUE(has(out, "Input=32, kernel=3, padding=1, stride=2: 16 (downsampling)   conv2d gives [1, 1, 16, 16] ok"));
  EXPECT_TRUE(has(out, "Input=32, kernel=3, padding=2, stride=1, dilation=2: 32   conv2d gives [1, 1, 32, 32] ok"));
  EXPECT_TRUE(has(out, "k=3, p=0, s=1, d=1 -> (6, 6)"));
  EXPECT_TRUE(has(out, "k=3, p=1, s=2, d=1 -> (4, 4)"));
  EXPECT_TRUE(has(out, "k=3, p=2, s=1, d=2 -> (8, 8)"));
  EXPECT_TRUE(file_written(dir + "/conv_params.png"));
}

TEST(Examples001, MultiChannel) {
  const std::string dir = out_dir("1_3");
  const std::string out = run_ok("ex001_1_3_multichannel", "--output " + dir);
  EXPECT_TRUE(has(out, "Weight shape: [16, 3, 3, 3]"));
  EXPECT_TRUE(has(out, "Bias shape: [16]"));
  EXPECT_TRUE(has(out, "Total parameters: 448\n  = 16 * (3 * 3 * 3 + 1)"));
  EXPECT_TRUE(has(out, "Output shape: [4, 16, 32, 32]"));
  EXPECT_TRUE(has(out, "per-channel sums match the layer: yes"));
  EXPECT_TRUE(file_written(dir + "/multichannel.png"));
}

TEST(Examples001, ReceptiveField) {
  const std::string out = run_ok("ex001_1_4_receptive_field");
  EXPECT_TRUE(has(out, "VGG-like receptive field: 16"));
  EXPECT_TRUE(has(out, "receptive_fields(): 16, graph of real layers: 16"));
  EXPECT_TRUE(has(out, "Dilated conv receptive field: 15"));
  EXPECT_TRUE(has(out, "receptive_fields(): 15, graph of real layers: 15"));
}

TEST(Examples001, Pooling) {
  const std::string out = run_ok("ex001_2_pooling");
  EXPECT_TRUE(has(out, "Max Pooling (2x2, stride 2):\ntensor([[ 6.,  8.],\n        [14., 16.]]"));
  EXPECT_TRUE(has(out, "Average Pooling (2x2, stride 2):\ntensor([[ 3.5000,  5.5000],\n        [11.5000, 13.5000]]"));
  EXPECT_TRUE(has(out, "Global Average Pooling:\ntensor([8.5000])"));
  EXPECT_TRUE(has(out, "Input shape: [1, 3, 37, 41]\nOutput shape: [1, 3, 7, 7]"));
  EXPECT_TRUE(has(out, "Indices (flattened positions):\ntensor([[ 5,  7],\n        [13, 15]]"));
  EXPECT_TRUE(has(out, "Unpooled:\ntensor([[ 0.,  0.,  0.,  0.],\n        [ 0.,  6.,  0.,  8.],\n"
                       "        [ 0.,  0.,  0.,  0.],\n        [ 0., 14.,  0., 16.]]"));
}

TEST(Examples001, Architectures) {
  const std::string out = run_ok("ex001_3_architectures", "--batch 1");
  EXPECT_TRUE(has(out, "Total parameters: 620,362 (the notebook's PyTorch code: 620,362) ok"));
  EXPECT_TRUE(has(out, "Total parameters: 1,806,154 (the notebook's PyTorch code: 1,806,154) ok"));
  EXPECT_TRUE(has(out, "BasicBlock: [1, 64, 32, 32] -> [1, 64, 32, 32]   (73,984 parameters"));
  EXPECT_TRUE(has(out, "BasicBlock (stride=2): [1, 64, 32, 32] -> [1, 128, 16, 16]   (230,144 parameters"));
  EXPECT_TRUE(has(out, "Bottleneck: [1, 64, 32, 32] -> [1, 256, 32, 32]   (75,008 parameters)"));
  EXPECT_TRUE(has(out, "output == relu(x): yes"));
  EXPECT_TRUE(has(out, "Total parameters: 11,173,962 (the notebook's PyTorch code: 11,173,962) ok"));
  EXPECT_TRUE(has(out, "Total parameters: 21,282,122 (the notebook's PyTorch code: 21,282,122) ok"));
  EXPECT_TRUE(has(out, "Total parameters: 23,520,842 (the notebook's PyTorch code: 23,520,842) ok"));
  EXPECT_TRUE(has(out, "Output shape: [1, 10]"));
}

TEST(Examples001, CifarRecipeOnSyntheticData) {
  const std::string dir = out_dir("4");
  const std::string out =
      run_ok("ex001_4_cifar_recipe", "--epochs 2 --steps 1 --batch-size 4 --synthetic 40 --output " + dir);
  EXPECT_TRUE(has(out, "RandomCrop(size=(32, 32), padding=[4]"));
  EXPECT_TRUE(has(out, "Normalize(mean=[0.4914, 0.4822, 0.4465], std=[0.247, 0.2435, 0.2616])"));
  EXPECT_TRUE(has(out, "Training samples: 40\nTest samples: 20"));
  // CosineAnnealingLR(T_max=20) from 0.1: 0.05 * (1 + cos(pi * epoch / 20)).
  EXPECT_TRUE(has(out, "Epoch  1/2 | Train Loss: "));
  EXPECT_TRUE(has(out, "| LR: 0.0994\n"));
  EXPECT_TRUE(has(out, "| LR: 0.0976\n"));
  EXPECT_TRUE(file_written(dir + "/samples.png"));
  EXPECT_TRUE(file_written(dir + "/curves.png"));
}

TEST(Examples001, FiltersAndFeatureMaps) {
  const std::string dir = out_dir("4_3");
  const std::string out = run_ok("ex001_4_3_features", "--output " + dir);
  EXPECT_TRUE(has(out, "conv1 filters: [64, 3, 3, 3]"));
  EXPECT_TRUE(has(out, "conv1   [1, 64, 32, 32]\nlayer1  [1, 64, 32, 32]\nlayer2  [1, 128, 16, 16]\n"
                       "layer3  [1, 256, 8, 8]"));
  EXPECT_TRUE(file_written(dir + "/filters.png"));
  EXPECT_TRUE(file_written(dir + "/feature_maps.png"));
}

TEST(Examples001, Conv1x1) {
  const std::string out = run_ok("ex001_5_1_conv1x1", "--size 8");
  EXPECT_TRUE(has(out, "Channel reduction: [1, 256, 8, 8] -> [1, 64, 8, 8]"));
  EXPECT_TRUE(has(out, "Parameters: 16448\n  vs 3x3 conv: 147520"));
  EXPECT_TRUE(has(out, "1x1 conv == Linear(256, 64) at every pixel: yes"));
}

TEST(Examples001, DepthwiseSeparable) {
  const std::string out = run_ok("ex001_5_2_depthwise_separable", "--size 8");
  EXPECT_TRUE(has(out, "Standard 3x3 conv parameters: 73,856"));
  EXPECT_TRUE(has(out, "Depthwise separable parameters: 9,152"));
  EXPECT_TRUE(has(out, "Reduction factor: 8.1x"));
  EXPECT_TRUE(has(out, "Mult-adds on [1, 64, 8, 8]: standard 4,718,592 vs depthwise + pointwise 561,152 (8.4x fewer)"));
  EXPECT_TRUE(has(out, "With stride=2: [1, 64, 8, 8] -> [1, 128, 4, 4]"));
}

TEST(Examples001, SqueezeExcitation) {
  const std::string out = run_ok("ex001_5_3_se_block", "--batch 2 --size 8");
  EXPECT_TRUE(has(out, "SE Block: [2, 64, 8, 8] -> [2, 64, 8, 8]\nParameters: 512"));
  EXPECT_TRUE(has(out, "out == x * weight[b, c] at every pixel: yes"));
  EXPECT_TRUE(has(out, "74,496 parameters (BasicBlock 73,984 + SE 512)"));
  EXPECT_TRUE(has(out, "SEBasicBlock(64, 128, stride=2): [2, 64, 8, 8] -> [2, 128, 4, 4], 232,192 parameters"));
}

TEST(Examples001, Exercise1MBConv) {
  const std::string out = run_ok("ex001_ex1_mbconv", "--batch 2");
  EXPECT_TRUE(has(out, "MBConv: [2, 32, 16, 16] -> [2, 32, 16, 16]\nParameters: 18,112"));
  EXPECT_TRUE(has(out, "Residual: out == branch + x: yes"));
  EXPECT_TRUE(has(out, "MBConv(32, 64, stride=2): [2, 32, 16, 16] -> [2, 64, 8, 8], 22,272 parameters"));
}

TEST(Examples001, Exercise2GradientReceptiveField) {
  const std::string dir = out_dir("ex2");
  const std::string out = run_ok("ex001_ex2_gradient_rf", "--output " + dir);
  EXPECT_TRUE(has(out, "output [1, 128, 16, 16]; output position (8, 8)"));
  EXPECT_TRUE(has(out, "Analytic receptive field: 10x10, rows 12-21, columns 12-21"));
  EXPECT_TRUE(has(out, "Gradient inside the analytic field: yes"));
  EXPECT_TRUE(file_written(dir + "/receptive_field.png"));
}

TEST(Examples001, Exercise3DenseBlock) {
  const std::string out = run_ok("ex001_ex3_densenet_block", "--batch 1");
  EXPECT_TRUE(has(out, "DenseBlock: [1, 64, 16, 16] -> [1, 192, 16, 16]"));
  EXPECT_TRUE(has(out, "Output channels = 64 + 4*32 = 192"));
  EXPECT_TRUE(has(out, "Parameters: 206,720"));
  EXPECT_TRUE(has(out, "layers.3            160             128            32      57,920"));
  EXPECT_TRUE(has(out, "The first 64 output channels are the input itself: yes"));
}

// ---- Seeds 000: the exercises ----

TEST(Examples000, Exercise1FirstLayerFilters) {
  const std::string mnist = cnn::test::mnist_dir();
  if (mnist.empty()) GTEST_SKIP() << "MNIST not found under ../shared/data/mnist";
  const bool fashion = std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
  const std::string dir = out_dir("000_ex1");
  const std::string out = run_ok("ex000_ex1_filters", "--data-dir " + mnist + " --steps 10 --eval 200 --compare " +
                                                          (fashion ? "fashion-mnist" : "none") + " --output " + dir);
  EXPECT_TRUE(has(out, "mnist: 10 steps of 64 images"));
  EXPECT_TRUE(has(out, "First-layer filters of the mnist model: [32, 1, 3, 3]"));
  const size_t at = out.find("test accuracy ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GT(std::stod(out.substr(at + 14)), 30.0) << out;  // far above chance (10%) after 10 steps
  if (fashion) {
    EXPECT_TRUE(has(out, "First-layer filters of the fashion-mnist model: [32, 1, 3, 3]"));
  }
  EXPECT_TRUE(file_written(dir + "/filters.png"));
}

TEST(Examples000, Exercise2TransposedConvolution) {
  const std::string dir = out_dir("000_ex2");
  const std::string out = run_ok("ex000_ex2_transposed", "--steps 60 --output " + dir);
  EXPECT_TRUE(has(out, "[1, 16, 8, 8] -> [1, 8, 16, 16] (= stride * H_in)"));
  EXPECT_TRUE(has(out, "k=2 p=0 -> 16x16\n  k=3 p=0 -> 17x17\n  k=4 p=1 -> 16x16\n  k=5 p=1 -> 17x17"));
  EXPECT_TRUE(has(out, "p=0 -> 17\n  p=1 -> 15\n  p=2 -> 13"));
  EXPECT_TRUE(has(out, "target 16: use output_padding=1"));
  EXPECT_TRUE(has(out, "output_padding=1 -> 16; forward(x, output_size=(16, 16)) -> 16"));
  EXPECT_TRUE(has(out, "[8, 1, 28, 28] -> code [8, 8, 14, 14] -> [8, 1, 28, 28]"));
  // <conv(a), b> and <a, conv_transpose(b)> print the same number.
  const size_t lhs = out.find("<conv(a), b> = "), rhs = out.find("<a, conv_transpose(b)> = ");
  ASSERT_NE(lhs, std::string::npos);
  ASSERT_NE(rhs, std::string::npos);
  EXPECT_NEAR(std::stod(out.substr(lhs + 15)), std::stod(out.substr(rhs + 25)), 1e-3);
  EXPECT_TRUE(file_written(dir + "/autoencoder.png"));
}

TEST(Examples000, Exercise3DilationAndGridding) {
  const std::string dir = out_dir("000_ex3");
  const std::string out = run_ok("ex000_ex3_dilation", "--output " + dir);
  EXPECT_TRUE(has(out, "       1        1                 3  [1, 8, 32, 32]            296              3x3"));
  EXPECT_TRUE(has(out, "       2        2                 5  [1, 8, 32, 32]            296              5x5"));
  EXPECT_TRUE(has(out, "       3        3                 7  [1, 8, 32, 32]            296              7x7"));
  EXPECT_TRUE(has(out, "1,1,1                       7       7x7           49      0"));
  EXPECT_TRUE(has(out, "1,2,4                      15     15x15          225      0"));
  EXPECT_TRUE(has(out, "2,2,2                      13     13x13           49    120"));
  EXPECT_TRUE(has(out, "1,2,5                      17     17x17          289      0"));
  EXPECT_TRUE(file_written(dir + "/dilation_gridding.png"));
}

TEST(Examples000, Exercise4Conv1x1AndBottleneck) {
  const std::string out = run_ok("ex000_ex4_conv1x1_bottleneck");
  EXPECT_TRUE(has(out, "Conv2d(64, 16, kernel_size=1)  -> [2, 16, 28, 28]  (1040 parameters"));
  EXPECT_TRUE(has(out, "Conv2d(64, 256, kernel_size=1) -> [2, 256, 28, 28]  (16640 parameters)"));
  EXPECT_TRUE(has(out, "direct 5x5 192->32 120,422,400 mult-adds"));
  EXPECT_TRUE(has(out, "12,443,648 (9.7x fewer)"));
  EXPECT_TRUE(has(out, "resnet50   36 of 53 convolutions are 1x1"));
  EXPECT_TRUE(has(out, " 256 ->  64 -> 256      70,016      218,365,952 | 3x3  256 -> 256     590,080    "
                       "1,849,688,064 |   8.4x   8.5x"));
  EXPECT_TRUE(has(out, " 256 ->  64 -> 512      86,656      269,746,176 | 3x3  256 -> 512   1,180,160    "
                       "3,699,376,128 |  13.6x  13.7x"));
}

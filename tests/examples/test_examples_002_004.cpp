// Runs the example programs of seeds 002 (course notes §2-§14), 003 (tutorial) and 004 (CS231n notes) at small
// sizes and checks the numbers they print against the documents' (421,642; 18C^2 vs 25C^2; the 74% reduction;
// VGG-16's 138,357,544; MobileNet's 569M mult-adds; ...), and that the pictures are written.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "examples/examples_util.h"

using cnn::test::file_written;
using cnn::test::has;
using cnn::test::run_ok;

namespace {

std::string out_dir(const std::string& name) { return cnn::test::out_dir("002_004_" + name); }

}  // namespace

// ---- Seeds 002: course notes ----

TEST(Examples002, MlpVersusConv) {
  const std::string out = run_ok("ex002_2_mlp_vs_conv", "--size 16");
  EXPECT_TRUE(has(out, "Linear(784, 512): 401,920 parameters"));
  EXPECT_TRUE(has(out, "Linear(150528, 512) weights: 77,070,336"));
  EXPECT_TRUE(has(out, "Conv2d(1, 1, 3): 10 parameters"));
  EXPECT_TRUE(has(out, "max |conv(shift(x)) - shift(conv(x))| inside = 0\n"));
  EXPECT_TRUE(has(out, "equivariant: yes"));
}

TEST(Examples002, Conv1d2dCrossCorrelationMultiChannel) {
  const std::string out = run_ok("ex002_3_conv1d_2d");
  EXPECT_TRUE(has(out, "conv1d = [-2, -2, -2]"));
  EXPECT_TRUE(has(out, "  [411, 456, 501]\n  [636, 681, 726]\n  [861, 906, 951]\n"));
  EXPECT_TRUE(has(out, "by loops: max difference 0"));
  EXPECT_TRUE(has(out, "(cross-correlation, PyTorch's Conv2d):\n  [-8, -8, -8]"));
  EXPECT_TRUE(has(out, "true convolution sum X[i-m, j-n] W[m, n]:\n  [8, 8, 8]"));
  EXPECT_TRUE(has(out, "weight [64, 3, 3, 3] -> 64 filters, each 3x3x3; bias [64]"));
  EXPECT_TRUE(has(out, "match: yes"));
}

TEST(Examples002, Im2colEqualsConv2d) {
  const std::string out = run_ok("ex002_3_5_im2col", "--in-channels 2 --out-channels 4 --size 9 --stride 2");
  EXPECT_TRUE(has(out, "X_col [25, 18]"));
  EXPECT_TRUE(has(out, "W_col [18, 4]"));
  EXPECT_TRUE(has(out, "conv2d output [1, 4, 5, 5]"));
  EXPECT_TRUE(has(out, "im2col equals conv2d: yes"));
  EXPECT_TRUE(has(out, "784 x 784 = 614,656 weights"));
}

TEST(Examples002, OutputSizeFormula) {
  const std::string out = run_ok("ex002_4_output_size");
  EXPECT_TRUE(has(out, "valid  K=3 P=0         out = floor((28 + 2*0 - 1*(3-1) - 1) / 1) + 1 = 26   conv2d: 26 ok"));
  EXPECT_TRUE(has(out, "same   K=5 P=2         out = floor((28 + 2*2 - 1*(5-1) - 1) / 1) + 1 = 28   conv2d: 28 ok"));
  EXPECT_TRUE(has(out, "full   K=5 P=4         out = floor((28 + 2*4 - 1*(5-1) - 1) / 1) + 1 = 32   conv2d: 32 ok"));
  EXPECT_TRUE(has(out, "K=3 P=1 S=2            out = floor((28 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 14   conv2d: 14 ok"));
  EXPECT_TRUE(has(out, "K=3 D=3: effective kernel D(K-1)+1 = 7, parameters 10"));
  EXPECT_EQ(out.find("MISMATCH"), std::string::npos) << out;
}

TEST(Examples002, Pooling) {
  const std::string out = run_ok("ex002_5_pooling");
  EXPECT_TRUE(has(out, "MaxPool2d(kernel_size=2, stride=2) [1, 1, 2, 2]:\n  [6, 5]\n  [7, 9]\n"));
  EXPECT_TRUE(has(out, "AvgPool2d(2) [1, 1, 2, 2]:\n  [3.5, 2]\n  [2.5, 6]\n"));
  EXPECT_TRUE(has(out, "pooled outputs identical: yes"));
  EXPECT_TRUE(has(out, "[2, 64, 7, 7] -> [2, 64, 1, 1] -> flatten [2, 64]"));
  EXPECT_TRUE(has(out, "Linear(3136, 10) weights 31,360"));
  EXPECT_TRUE(has(out, "Linear(64, 10) weights 640"));
}

TEST(Examples002, ReceptiveFieldExercise2) {
  const std::string out = run_ok("ex002_6_receptive_field");
  EXPECT_TRUE(has(out, "conv1     3  1  1                1    3   1 + 2 x 1 x 1 = 3"));
  EXPECT_TRUE(has(out, "pool      2  2  1                1    4   3 + 1 x 1 x 1 = 4"));
  EXPECT_TRUE(has(out, "conv2     3  1  1                2    8   4 + 2 x 1 x 2 = 8"));
  EXPECT_TRUE(has(out, "pool      2  2  1                2   10   8 + 1 x 1 x 2 = 10"));
  EXPECT_TRUE(has(out, "sees a 10x10 patch"));
  EXPECT_TRUE(has(out, "pool2   rf 10  jump 4  size 7"));
  EXPECT_TRUE(has(out, "pool   MaxPool2d  rf 10"));
}

TEST(Examples002, SimpleCnnParametersAndBatchNorm) {
  const std::string out = run_ok("ex002_8_simplecnn", "--batch 2");
  EXPECT_TRUE(has(out, "relu + pool (2x2, s2)  [2, 64, 7, 7]"));
  EXPECT_TRUE(has(out, "flatten                [2, 3136]"));
  EXPECT_TRUE(has(out, "layer by layer equals model(x): yes"));
  EXPECT_TRUE(has(out, "Conv2d(1, 32, 3)   32 x (1 x 9 + 1)   =       320  module:       320"));
  EXPECT_TRUE(has(out, "Conv2d(32, 64, 3)  64 x (32 x 9 + 1)  =    18,496  module:    18,496"));
  EXPECT_TRUE(has(out, "Linear(3136, 128)  3136 x 128 + 128   =   401,536  module:   401,536"));
  EXPECT_TRUE(has(out, "Linear(128, 10)    128 x 10 + 10      =     1,290  module:     1,290"));
  EXPECT_TRUE(has(out, "Total parameters: 421,642"));
  EXPECT_TRUE(has(out, "fc1 share: 95.2%"));
  EXPECT_TRUE(has(out, "BatchNorm2d(64): 128 learnable parameters"));
  EXPECT_TRUE(has(out, "output per-channel mean -0.0000, variance 1.0000") ||
              has(out, "output per-channel mean 0.0000, variance 1.0000"));
}

TEST(Examples002, TransferFrozenResNet18AndDiscriminativeRates) {
  const std::string out = run_ok("ex002_10_transfer");
  EXPECT_TRUE(has(out, "Trainable: 5,130 / 11,181,642"));
  EXPECT_TRUE(has(out, "parameters with a gradient after backward: fc.weight, fc.bias\n"));
  EXPECT_TRUE(has(out, "everything else               2,782,784    1e-05"));
  EXPECT_TRUE(has(out, "layer4                        8,393,728    1e-04"));
  EXPECT_TRUE(has(out, "fc (new head)                     5,130    1e-03               1.00e-03"));
}

TEST(Examples002, AblationConfigurations) {
  const std::string out = run_ok("ex002_11_ablation");
  EXPECT_TRUE(has(out, "depth    2              19,562      3,839,104  2 conv"));
  EXPECT_TRUE(has(out, "depth    3*             94,186      7,452,416  3 conv (baseline)"));
  EXPECT_TRUE(has(out, "depth    8             334,442     43,579,136  8 conv"));
  EXPECT_TRUE(has(out, "pool     stride         94,186      2,140,544  3 conv"));
  EXPECT_TRUE(has(out, "bn       off            93,962      7,452,416  3 conv"));
  EXPECT_TRUE(has(out, "head     flatten       104,426      7,462,656  3 conv"));
}

TEST(Examples002, FiltersHooksSaliency) {
  const std::string dir = out_dir("9");
  const std::string mnist = cnn::test::mnist_dir();
  const std::string out = run_ok("ex002_9_filters_hooks",
                                 "--steps 10 --output " + dir + " --data-dir " + (mnist.empty() ? "/nonexistent" : mnist));
  EXPECT_TRUE(has(out, "conv1.weight [32, 1, 3, 3] -> 32 filters of 3x3"));
  EXPECT_TRUE(has(out, "activations['conv1'] [1, 32, 28, 28]"));
  EXPECT_TRUE(has(out, "activations['pool#0'] [1, 32, 14, 14]"));
  EXPECT_TRUE(has(out, "activations['conv2'] [1, 64, 14, 14]"));
  EXPECT_TRUE(has(out, "activations['pool#1'] [1, 64, 7, 7]"));
  EXPECT_TRUE(has(out, "saliency [28, 28]"));
  if (!mnist.empty()) {
    EXPECT_TRUE(has(out, "trained 10 Adam steps on MNIST"));
  }
  for (const char* png : {"ex002_9_filters.png", "ex002_9_activations.png", "ex002_9_saliency.png"})
    EXPECT_TRUE(file_written(dir + "/" + png)) << png;
}

TEST(Examples002, StackedThreeByThree) {
  const std::string out = run_ok("ex002_12_stacked_3x3", "--channels 8 --size 8");
  EXPECT_TRUE(has(out, "2 x 3x3: 2 x (3 x 3 x C x C) = 18C^2 =      1,152 parameters, receptive field 5x5"));
  EXPECT_TRUE(has(out, "1 x 5x5: 5 x 5 x C x C     = 25C^2 =      1,600 parameters, receptive field 5x5"));
  EXPECT_TRUE(has(out, "ratio 18/25 = 72%; same output shape: yes"));
  EXPECT_TRUE(has(out, "3 x 3x3: 3 x (3 x 3 x C x C) = 27C^2 =      1,728 parameters, receptive field 7x7"));
  EXPECT_TRUE(has(out, "1 x 7x7: 7 x 7 x C x C     = 49C^2 =      3,136 parameters, receptive field 7x7"));
  EXPECT_TRUE(has(out, "ratio 27/49 = 55%"));
}

TEST(Examples002, DeeperCnnWithBatchNormAndGap) {
  const std::string out = run_ok("ex002_14_deeper_cnn");
  EXPECT_TRUE(has(out, "5-layer CNN with BN + GAP: 140,458 parameters (640 of them BatchNorm gamma/beta"));
  EXPECT_TRUE(has(out, "SimpleCNN (Flatten + FC):  421,642 parameters"));
  EXPECT_TRUE(has(out, "17   AdaptiveAvgPool2d  [1, 128, 1, 1]"));
}

// ---- Seeds 003: tutorial ----

TEST(Examples003, ReceptiveFieldWithJumps) {
  const std::string dir = out_dir("003_rf");
  const std::string out = run_ok("ex003_receptive_field", "--size 24 --output " + dir);
  EXPECT_TRUE(has(out, "Conv3     3  1  5 + 2 x 1 = 7              1 x 1 = 1"));
  EXPECT_TRUE(has(out, "Conv3     3  2  5 + 2 x 2 = 9              2 x 2 = 4"));
  EXPECT_TRUE(has(out, "Conv2     3  2  3 + 2 x 1 = 5              1 x 2 = 2"));
  EXPECT_TRUE(has(out, "of 24x24: 7x7 input pixels"));
  EXPECT_TRUE(has(out, "of 6x6: 9x9 input pixels"));
  EXPECT_TRUE(has(out, "of 12x12: 5x5 input pixels"));
  EXPECT_TRUE(file_written(dir + "/ex003_receptive_field.png"));
}

TEST(Examples003, Activations) {
  const std::string out = run_ok("ex003_2_activations", "--depth 10");
  EXPECT_TRUE(has(out, "  relu     0, 0, 1, 1, 1, 1\n"));
  EXPECT_TRUE(has(out, "  sigmoid  4.54e-05, 0.105, 0.235, 0.105, 0.006648, 4.542e-05\n"));
  EXPECT_TRUE(has(out, "sparsity: relu(randn(100000)) has 50."));
  EXPECT_TRUE(has(out, "through 10 Linear(64, 64)"));
  EXPECT_TRUE(has(out, "tanh through the same 10 layers"));
  EXPECT_TRUE(has(out, "its gradient vanishes only when the weights shrink"));
}

TEST(Examples003, ParametersIgnoreStrideAndPadding) {
  const std::string out = run_ok("ex003_4_parameters");
  EXPECT_TRUE(has(out, "weights F_w x F_h x C_in x C_out = 3 x 3 x 64 x 128 = 73,728, biases C_out = 128"));
  EXPECT_TRUE(has(out, "1        0        1         [1, 128, 30, 30]         73,856"));
  EXPECT_TRUE(has(out, "2        1        1         [1, 128, 16, 16]         73,856"));
  EXPECT_TRUE(has(out, "3        0        1         [1, 128, 10, 10]         73,856"));
  EXPECT_TRUE(has(out, "with bias=False: 73,728"));
}

TEST(Examples003, GroupedConvolutionAlexNet) {
  const std::string out = run_ok("ex003_5_grouped_conv", "--size 8");
  EXPECT_TRUE(has(out, "standard: weight [128, 64, 3, 3] = 3 x 3 x 64 x 128 = 73,728"));
  EXPECT_TRUE(has(out, "groups=2: weight [128, 32, 3, 3] = 2 x (3 x 3 x 32 x 64) = 36,864"));
  EXPECT_TRUE(has(out, "reduction in parameters: 50%"));
  EXPECT_TRUE(has(out, "w[64:])): max difference 0\n"));
  EXPECT_TRUE(has(out, "features.4    96 -> 256,  5x5  groups=2  weights   307,200  (ungrouped   614,400)"));
  EXPECT_TRUE(has(out, "alexnet_original: 60,965,224 parameters; groups=2 saves 1,413,120 weights"));
  EXPECT_TRUE(has(out, "61,100,840 parameters"));
}

TEST(Examples003, DilatedConvolution) {
  const std::string dir = out_dir("003_dil");
  const std::string out = run_ok("ex003_6_dilated", "--size 16 --output " + dir);
  EXPECT_TRUE(has(out, "3x3, dilation 2: effective size 5 (receptive field 5), weights 9"));
  EXPECT_TRUE(has(out, "3x3, dilation 3: effective size 7 (receptive field 7), weights 9"));
  EXPECT_TRUE(has(out, "on [1, 64, 16, 16] -> [1, 128, 16, 16]"));
  EXPECT_TRUE(has(out, "parameters 73,856"));
  EXPECT_TRUE(has(out, "conv3d8  rf 31"));
  EXPECT_TRUE(has(out, "dilations 2,2,2: field 13x13, input pixels used 49 of 169, holes 120"));
  EXPECT_TRUE(has(out, "dilations 1,2,3: field 13x13, input pixels used 169 of 169, holes 0"));
  EXPECT_TRUE(file_written(dir + "/ex003_6_gridding.png"));
}

TEST(Examples003, TransposedConvolution) {
  const std::string out = run_ok("ex003_6_transposed");
  EXPECT_TRUE(has(out, "out = (8 - 1)*2 - 2*1 + 1*(4-1) + 0 + 1 = 16   ConvTranspose2d: 16"));
  EXPECT_TRUE(has(out, "out = (7 - 1)*2 - 2*1 + 1*(3-1) + 1 + 1 = 14   ConvTranspose2d: 14"));
  EXPECT_TRUE(has(out, "[1, 64, 4, 4] -> [1, 32, 8, 8] -> [1, 16, 16, 16] -> [1, 3, 32, 32]"));
  EXPECT_TRUE(has(out, "parameters 41,779"));
  EXPECT_TRUE(has(out, "equal yes"));
}

TEST(Examples003, Regularization) {
  const std::string out = run_ok("ex003_7_regularization");
  EXPECT_TRUE(has(out, "survivors scaled to 2 (1/(1-p))"));
  EXPECT_TRUE(has(out, "eval: identity, max |y - x| = 0"));
  EXPECT_TRUE(has(out, "weights 1 -> 0.9990"));
  EXPECT_TRUE(has(out, "RandomHorizontalFlip(p=0.5)"));
  EXPECT_TRUE(has(out, "seed 1: first row [2, 1, 0]"));
}

TEST(Examples003, NormalisationVariants) {
  const std::string out = run_ok("ex003_8_normalization", "--batch 3");
  EXPECT_TRUE(has(out, "BatchNorm2d(6)        per channel, over batch and H, W          6     12"));
  EXPECT_TRUE(has(out, "LayerNorm([6, 5, 5])  per sample, over C, H, W                  3    300"));
  EXPECT_TRUE(has(out, "InstanceNorm2d(6)     per sample and channel, over H, W        18     12"));
  EXPECT_TRUE(has(out, "GroupNorm(2, 6)       per sample and group of 3 channels        6     12"));
  // Only BatchNorm's output for a sample depends on the rest of the batch.
  EXPECT_TRUE(has(out, " yes\nLayerNorm"));
  EXPECT_TRUE(has(out, " no\nInstanceNorm"));
  EXPECT_TRUE(has(out, " no\nGroupNorm"));
  EXPECT_TRUE(has(out, " no\n\nvariances"));
  EXPECT_TRUE(has(out, "parameters 74,112"));
  EXPECT_TRUE(has(out, "sample 0 alone vs in batch differ by 0\n"));
}

TEST(Examples003, OneByOneBottleneck) {
  const std::string out = run_ok("ex003_9_1x1_bottleneck", "--size 7");
  EXPECT_TRUE(has(out, "[1, 256, 7, 7] -> [1, 64, 7, 7]"));
  EXPECT_TRUE(has(out, "without 1x1: 3 x 3 x 256 x 512 = 1,179,648"));
  EXPECT_TRUE(has(out, "with 1x1:    1 x 1 x 256 x 64  = 16,384"));
  EXPECT_TRUE(has(out, "             3 x 3 x 64 x 512  = 294,912"));
  EXPECT_TRUE(has(out, "total 311,296 vs 1,179,648 -> 73.6% reduction"));
}

// ---- Seeds 004: CS231n notes ----

TEST(Examples004, ConvLayerGeometry) {
  const std::string out = run_ok("ex004_conv_geometry");
  EXPECT_TRUE(has(out, "5x5 filter: 75 weights + 1 bias = 76 per neuron"));
  EXPECT_TRUE(has(out, "3x3 filter: 180 connections"));
  EXPECT_TRUE(has(out, "input 5, F=3, P=0: output 3\ninput 5, F=3, P=1: output 5"));
  EXPECT_TRUE(has(out, "-> output [1, 10, 16, 16]"));
  EXPECT_TRUE(has(out, "weights (F F D1) K = 270 and K = 10 biases; module: 280 parameters"));
  EXPECT_TRUE(has(out, "stride 2 does not divide 10 + 2*0 - 3 = 7 evenly"));
  EXPECT_TRUE(has(out, "conv2d(dL/dy, flip(w), padding=2): max difference"));
}

TEST(Examples004, PoolingLayer) {
  const std::string out = run_ok("ex004_pooling");
  EXPECT_TRUE(has(out, "-> [1, 64, 112, 112]; W2 = (224 - 2)/2 + 1 = 112; parameters 0"));
  EXPECT_TRUE(has(out, "75% discarded"));
  EXPECT_TRUE(has(out, "padding 0: out = floor((32 + 2*0 - 1*(3-1) - 1) / 2) + 1 = 15"));
  EXPECT_TRUE(has(out, "padding 1: out = floor((32 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 16"));
  EXPECT_TRUE(has(out, "36,928 learnable parameters"));
}

TEST(Examples004, ArchitecturePatterns) {
  const std::string out = run_ok("ex004_architecture_patterns", "--n 1 --m 2 --k 1 --size 224");
  EXPECT_TRUE(has(out, "[[CONV -> RELU]*1 -> POOL]*2 -> [FC -> RELU]*1 -> FC"));
  EXPECT_TRUE(has(out, "224: halves 5 times"));
  EXPECT_TRUE(has(out, "9,633,792 activations"));
  EXPECT_TRUE(has(out, "= 77.1 MB = 73.5 MiB"));
  EXPECT_TRUE(has(out, "AlexNet 11x11 stride 4: out = floor((227 + 2*0 - 1*(11-1) - 1) / 4) + 1 = 55"));
}

TEST(Examples004, Vgg16Table) {
  const std::string out = run_ok("ex004_vgg16_table");
  EXPECT_TRUE(has(out, "CONV3-64   [224x224x64]         3.2M   (3*3*3)*64 = 1,728"));
  EXPECT_TRUE(has(out, "CONV3-512  [28x28x512]          401K   (3*3*256)*512 = 1,179,648"));
  EXPECT_TRUE(has(out, "POOL2      [7x7x512]             25K   0"));
  EXPECT_TRUE(has(out, "FC         [1x1x4096]           4096   25088*4096 = 102,760,448"));
  EXPECT_TRUE(has(out, "FC         [1x1x1000]           1000   4096*1000 = 4,096,000"));
  EXPECT_TRUE(has(out, "TOTAL memory: 15,237,608 activations"));
  EXPECT_TRUE(has(out, "TOTAL weights: 138,344,128 (without biases); parameters with biases: 138,357,544"));
  EXPECT_TRUE(has(out, "first FC: 102,760,448 weights = 74.3%"));
  EXPECT_TRUE(has(out, "mult-adds per image: 15,470,264,320"));
}

TEST(Examples004, ClassicArchitectures) {
  const std::string out = run_ok("ex004_architectures", "--models lenet5,googlenet,resnet18,mobilenet_v2,nin");
  EXPECT_TRUE(has(out, "lenet5            1998  first practical CNN                      61,706       5"));
  EXPECT_TRUE(has(out, "6,624,904"));
  EXPECT_TRUE(has(out, "resnet18          2015  residual connections                 11,689,512      18"));
  EXPECT_TRUE(has(out, "3,504,872"));
  EXPECT_TRUE(has(out, "966,986"));
  EXPECT_TRUE(has(out, "(--model-kwargs branch3_kernel=5; torchvision uses 3x3 there) it has 7,005,832"));
  EXPECT_TRUE(has(out, "VGG-16 has 138,357,544 and VGG-11 132,863,336; 60M+ is\nAlexNet's count (60,965,224 here)"));
}

TEST(Examples004, MobileNetCostAndMultipliers) {
  const std::string out = run_ok("ex004_mobilenet");
  EXPECT_TRUE(has(out, "  512   512   14   3     462,422,016       903,168    51,380,224   0.1131   0.1131  0.1131"));
  EXPECT_TRUE(has(out, "relu6([-3, 0, 3, 6, 9]) = [0, 0, 3, 6, 6]"));
  EXPECT_TRUE(has(out, "alpha 1   :   569M mult-adds, 4.23M parameters (4,231,976)"));
  EXPECT_TRUE(has(out, "alpha 0.75:   325M mult-adds"));
  EXPECT_TRUE(has(out, "alpha 0.5 :   149M mult-adds"));
  EXPECT_TRUE(has(out, "alpha 0.25:    41M mult-adds"));
  EXPECT_TRUE(has(out, "(192x192):   418M mult-adds, 4,231,976 parameters (unchanged)"));
  EXPECT_TRUE(has(out, "(128x128):   186M mult-adds"));
}

TEST(Examples004, MobileNetV2InvertedResidual) {
  const std::string out = run_ok("ex004_mobilenet_v2");
  EXPECT_TRUE(has(out, "  conv.0.0   Conv2d                 [1, 144, 56, 56]"));
  EXPECT_TRUE(has(out, "  conv.2     Conv2d                 [1, 24, 56, 56]"));
  EXPECT_TRUE(has(out, "skip connection: yes"));
  EXPECT_TRUE(has(out, "stride 2): output [1, 32, 28, 28], skip connection: no"));
  EXPECT_TRUE(has(out, "  conv3      Conv2d                 [1, 256, 14, 14]"));
  EXPECT_TRUE(has(out, "mobilenet_v1: 4,231,976"));
  EXPECT_TRUE(has(out, "mobilenet_v2: 3,504,872"));
}

TEST(Examples004, ResNet) {
  const std::string out = run_ok("ex004_resnet", "--size 64");
  EXPECT_TRUE(has(out, "BasicBlock(64, 64): [1, 64, 8, 8] -> [1, 64, 8, 8], 73,984 parameters"));
  EXPECT_TRUE(has(out, "max |block(x) - x| = 0, the identity path"));
  EXPECT_TRUE(has(out, "Conv2d 20, BatchNorm2d 20, MaxPool2d 1 (stem only), Linear 1; parameters 11,689,512"));
  EXPECT_TRUE(has(out, "layer4 [1, 512, 2, 2]"));
  EXPECT_TRUE(has(out, "input 32x32 -> [1, 1000]"));
}

TEST(Examples004, Inception) {
  const std::string out = run_ok("ex004_inception");
  EXPECT_TRUE(has(out, "concatenated output [1, 256, 28, 28]"));
  EXPECT_TRUE(has(out, "parameters 155,872"));
  EXPECT_TRUE(has(out, "naive 387,072 vs with 1x1 reductions 163,328 (58% fewer)"));
}

TEST(Examples004, Shapes) {
  const std::string out = run_ok("ex004_shapes");
  EXPECT_TRUE(has(out, "so K = 32 - 28 + 1 = 5"));
  EXPECT_TRUE(has(out, "weight [6, 1, 5, 5] = [C_o, C_i, K_h, K_w], bias [6] = [C_o]"));
  EXPECT_TRUE(has(out, "output [1, 6, 28, 28]"));
  EXPECT_TRUE(has(out, "[1, 6, 28, 28] -> [1, 6, 14, 14], 0 parameters"));
  EXPECT_TRUE(has(out, "output [1, 16, 30, 30]"));
}

TEST(Examples004, GradCam) {
  const std::string dir = out_dir("gradcam");
  const std::string mnist = cnn::test::mnist_dir();
  const std::string out = run_ok("ex004_gradcam", "--steps 10 --count 2 --output " + dir + " --data-dir " +
                                                      (mnist.empty() ? "/nonexistent" : mnist));
  EXPECT_TRUE(has(out, "Grad-CAM layer: relu#1"));
  EXPECT_TRUE(has(out, "coarse [14, 14], heatmap [28, 28]"));
  EXPECT_TRUE(file_written(dir + "/ex004_gradcam.png"));
}

TEST(Examples004, HogDescriptor) {
  const std::string dir = out_dir("hog");
  const std::string out = run_ok("ex004_hog", "--output " + dir);
  EXPECT_TRUE(has(out, "cells: 16x8 of 8x8 pixels, 9 orientation bins -> histograms [9, 16, 8]"));
  EXPECT_TRUE(has(out, "descriptor length: 3780 = 15 x 7 x 36"));
  EXPECT_TRUE(has(out, "HOG:    max |dark - bright| = 0.0000"));
  EXPECT_TRUE(file_written(dir + "/ex004_hog.png"));
  const std::string mnist = cnn::test::mnist_dir();
  if (!mnist.empty()) {
    const std::string digit = run_ok("ex004_hog", "--output " + dir + " --data-dir " + mnist);
    EXPECT_TRUE(has(digit, "descriptor length: 1764 = 7 x 7 x 36"));
  }
}

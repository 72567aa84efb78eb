// GoogLeNet's blocks, as torchvision: BasicConv2d (conv + BN, ReLU), the Inception module with four parallel
// branches concatenated along channels, and the auxiliary classifier. Not the GoogLeNet model (models.h).
// Usage: auto block = Inception(192, {64, 96, 128, 16, 32, 32});  // 256 output channels
//        auto paper = Inception(192, {64, 96, 128, 16, 32, 32}, {.branch3_kernel = 5});  // the 2014 paper's 5x5
#pragma once

#include <cnn/nn.h>

namespace cnn {

/// conv (no bias), bn (eps 0.001), then a functional ReLU.
class BasicConv2d : public Module {
 public:
  BasicConv2d(int64_t in_channels, int64_t out_channels, const Conv2dLayerOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BasicConv2d"; }

  std::shared_ptr<Conv2d> conv;
  std::shared_ptr<BatchNorm2d> bn;
};

/// The channel counts of torchvision's Inception(in_channels, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj).
struct InceptionChannels {
  int64_t ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj;
};

struct InceptionOptions {
  /// branch3's second conv: 3 as torchvision (a 3x3 where the paper has 5x5, kept for its pretrained weights) or
  /// 5, the 5x5 of Szegedy et al. 2014 (padding 2; (25 - 9) * ch5x5red * ch5x5 more weights, BN unchanged).
  int64_t branch3_kernel = 3;
};

/// branch1: 1x1; branch2: 1x1 then 3x3; branch3: 1x1 then branch3_kernel x branch3_kernel ("5x5" in both
/// spellings of the channels); branch4: 3x3 max-pool (stride 1, ceil mode) then 1x1. Output: cat along dim 1.
class Inception : public Module {
 public:
  Inception(int64_t in_channels, const InceptionChannels& channels, const InceptionOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Inception"; }
  int64_t out_channels() const { return out_channels_; }

 private:
  ModulePtr branch1_, branch2_, branch3_, branch4_;
  int64_t out_channels_;
};

/// The auxiliary classifier: adaptive average pool to 4x4, conv (BasicConv2d 1x1 to 128), flatten, fc1 (2048 ->
/// 1024), ReLU, dropout, fc2 (1024 -> num_classes).
class InceptionAux : public Module {
 public:
  InceptionAux(int64_t in_channels, int64_t num_classes, double dropout = 0.7);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "InceptionAux"; }

 private:
  std::shared_ptr<BasicConv2d> conv_;
  std::shared_ptr<Linear> fc1_, fc2_;
  std::shared_ptr<Dropout> dropout_;
};

}  // namespace cnn

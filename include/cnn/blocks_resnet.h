// Residual blocks: ResNet's BasicBlock and Bottleneck (ResNeXt through groups), the course's SE-BasicBlock, and
// the plain 1x1-3x3-1x1 bottleneck of seeds 000 exercise 4. Not the ResNet models (models.h).
// Usage: auto block = Bottleneck(256, 128, {.stride = 2, .groups = 32, .base_width = 4});  // 256 -> 512 channels
#pragma once

#include <cnn/blocks_se.h>
#include <cnn/nn.h>

namespace cnn {

/// Whose child names a block uses. torchvision: a `relu` child and a `downsample` Sequential(conv, bn) only where
/// the shape changes. course (seeds 001 §3.3): functional ReLU and an always-present `shortcut` Sequential, empty
/// for the identity. The parameters are the same; only the state_dict keys differ.
enum class BlockNaming { torchvision, course };

struct ResidualBlockOptions {
  int64_t stride = 1;
  /// Bottleneck only: ResNeXt's cardinality; the 3x3 convolution is grouped.
  int64_t groups = 1;
  /// Bottleneck only: the 3x3 width is planes * base_width / 64 * groups (wide_resnet: 128).
  int64_t base_width = 64;
  BlockNaming naming = BlockNaming::torchvision;
};

/// Shared by the residual blocks: the shortcut (identity or 1x1 conv + BN) and the final add + ReLU.
class ResidualBlock : public Module {
 public:
  Shape output_shape(const Shape& in) const override;
  int64_t out_channels() const { return out_channels_; }

 protected:
  ResidualBlock(int64_t in_channels, int64_t out_channels, int64_t stride, BlockNaming naming);
  /// relu(out + shortcut(x)), the shortcut registered by add_shortcut() last in the child order.
  Tensor finish(const Tensor& out, const Tensor& x);
  void add_shortcut();

  int64_t in_channels_, out_channels_, stride_;
  BlockNaming naming_;
  ModulePtr shortcut_;
};

/// conv1 3x3 (stride), bn1, relu, conv2 3x3, bn2, + shortcut, relu. Output planes channels.
class BasicBlock : public ResidualBlock {
 public:
  static constexpr int64_t expansion = 1;
  BasicBlock(int64_t inplanes, int64_t planes, const ResidualBlockOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "BasicBlock"; }

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<BatchNorm2d> bn1, bn2;
};

/// conv1 1x1, bn1, conv2 3x3 (stride, groups), bn2, conv3 1x1 to planes*4, bn3, + shortcut, relu (ResNet v1.5:
/// the stride sits on the 3x3, as torchvision).
class Bottleneck : public ResidualBlock {
 public:
  static constexpr int64_t expansion = 4;
  Bottleneck(int64_t inplanes, int64_t planes, const ResidualBlockOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Bottleneck"; }

  std::shared_ptr<Conv2d> conv1, conv2, conv3;
  std::shared_ptr<BatchNorm2d> bn1, bn2, bn3;
};

/// The course's SEBasicBlock (seeds 001 §5.3), always with its names: conv1, bn1, conv2, bn2, se (SEBlock),
/// shortcut; the SE weights scale the residual branch before the add. Usage: SEBasicBlock(64, 128, {.stride = 2})
class SEBasicBlock : public ResidualBlock {
 public:
  static constexpr int64_t expansion = 1;
  SEBasicBlock(int64_t in_channels, int64_t out_channels, const ResidualBlockOptions& options = {},
               int64_t reduction = 16);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SEBasicBlock"; }

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<BatchNorm2d> bn1, bn2;
  std::shared_ptr<SEBlock> se;
};

/// Seeds 000 exercise 4: reduce (1x1 to mid), relu1, conv (3x3, padding 1), relu2, expand (1x1 to out), without a
/// skip connection. 256 -> 64 -> 256 has 70,016 weights+biases against 590,080 for one 3x3 convolution 256 -> 256.
class ConvBottleneck : public Sequential {
 public:
  ConvBottleneck(int64_t in_channels, int64_t mid_channels, int64_t out_channels);
  std::string type_name() const override { return "ConvBottleneck"; }
};

}  // namespace cnn

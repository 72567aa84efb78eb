// Mobile blocks: Conv2dNormActivation (torchvision.ops), the course's depthwise-separable convolution and MBConv,
// MobileNetV2's InvertedResidual and EfficientNet's MBConv with stochastic depth. Not the models (models.h).
// Usage: auto block = InvertedResidual(24, 32, {.stride = 2, .expand_ratio = 6});
#pragma once

#include <cnn/blocks_se.h>
#include <cnn/nn.h>

#include <optional>

namespace cnn {

/// torchvision.ops.Conv2dNormActivation's arguments after the channels. padding unset: (kernel_size - 1) / 2 *
/// dilation; bias unset: only without a norm layer. activation_layer nullptr: none.
struct ConvNormActivationOptions {
  int64_t kernel_size = 3;
  int64_t stride = 1;
  std::optional<int64_t> padding{};
  int64_t groups = 1;
  bool norm = true;
  BatchNormLayerOptions norm_options{};
  LayerFactory activation_layer = layer<ReLU>;
  int64_t dilation = 1;
  std::optional<bool> bias{};
};

/// Sequential(Conv2d, BatchNorm2d, activation) named "0", "1", "2", as torchvision.
class Conv2dNormActivation : public Sequential {
 public:
  Conv2dNormActivation(int64_t in_channels, int64_t out_channels, const ConvNormActivationOptions& options = {});
  std::string type_name() const override { return "Conv2dNormActivation"; }
};

/// The course's DepthwiseSeparableConv (seeds 001 §5.2): depthwise (k x k, groups=in), bn1, relu, pointwise (1x1),
/// bn2, relu; no biases. The building block of MobileNetV1.
class DepthwiseSeparableConv : public Module {
 public:
  DepthwiseSeparableConv(int64_t in_channels, int64_t out_channels, int64_t kernel_size = 3, int64_t stride = 1);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "DepthwiseSeparableConv"; }

  std::shared_ptr<Conv2d> depthwise, pointwise;
  std::shared_ptr<BatchNorm2d> bn1, bn2;
};

struct InvertedResidualOptions {
  int64_t stride = 1;
  int64_t expand_ratio = 6;
};

/// MobileNetV2's block: conv = Sequential(expand Conv2dNormActivation 1x1 + ReLU6 (when expand_ratio != 1),
/// depthwise Conv2dNormActivation 3x3 + ReLU6, linear 1x1 Conv2d, BatchNorm2d); + x when stride 1 and in == out.
class InvertedResidual : public Module {
 public:
  InvertedResidual(int64_t in_channels, int64_t out_channels, const InvertedResidualOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "InvertedResidual"; }
  bool use_res_connect() const { return use_res_connect_; }

 private:
  std::shared_ptr<Sequential> conv_;
  bool use_res_connect_;
};

struct MBConvOptions {
  int64_t expansion = 4;
  int64_t stride = 1;
  int64_t se_ratio = 4;
};

/// The course's MBConv (seeds 001, solution 1): conv = Sequential([1x1 expand, BN, ReLU6,] 3x3 depthwise, BN,
/// ReLU6), se = SEBlock(hidden, se_ratio), project = Sequential(1x1, BN); + x when stride 1 and in == out.
class MBConv : public Module {
 public:
  MBConv(int64_t in_channels, int64_t out_channels, const MBConvOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MBConv"; }

 private:
  std::shared_ptr<Sequential> conv_, project_;
  std::shared_ptr<SEBlock> se_;
  bool use_residual_;
};

/// torchvision.ops.StochasticDepth: while training, zeroes the whole residual branch per sample ("row") or per
/// batch ("batch") with probability p and scales survivors by 1/(1-p); the identity in eval().
class StochasticDepth : public Module {
 public:
  explicit StochasticDepth(double p, std::string mode = "row");
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "StochasticDepth"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }

 private:
  double p_;
  std::string mode_;
};

/// One row of EfficientNet's table: torchvision's MBConvConfig after width scaling.
struct EfficientNetBlockConfig {
  double expand_ratio = 1.0;
  int64_t kernel = 3;
  int64_t stride = 1;
  int64_t input_channels = 0;
  int64_t out_channels = 0;
  double stochastic_depth_prob = 0.0;
  BatchNormLayerOptions norm_options{};
};

/// EfficientNet's MBConv (torchvision.models.efficientnet.MBConv, printed "MBConv"): block = Sequential(
/// [expand 1x1 + SiLU,] depthwise k x k + SiLU, SqueezeExcitation(expanded, max(1, in/4), SiLU), project 1x1),
/// stochastic_depth; + x when stride 1 and in == out.
class EfficientNetMBConv : public Module {
 public:
  explicit EfficientNetMBConv(const EfficientNetBlockConfig& config);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "MBConv"; }

 private:
  std::shared_ptr<Sequential> block_;
  std::shared_ptr<StochasticDepth> stochastic_depth_;
  bool use_res_connect_;
};

/// torchvision's _make_divisible: v rounded to the nearest multiple of divisor (at least min_value, default
/// divisor), never below 90% of v. Usage: make_divisible(32 * 0.35, 8) == 16
int64_t make_divisible(double v, int64_t divisor, std::optional<int64_t> min_value = std::nullopt);

}  // namespace cnn

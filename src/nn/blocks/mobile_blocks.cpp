// Conv2dNormActivation, the course's DepthwiseSeparableConv and MBConv, MobileNetV2's InvertedResidual and
// torchvision's _make_divisible. Not EfficientNet's block (efficientnet_block.cpp) nor the models.
#include <cnn/blocks_mobile.h>
#include <cnn/ops.h>

#include <algorithm>

namespace cnn {

int64_t make_divisible(double v, int64_t divisor, std::optional<int64_t> min_value) {
  CNN_CHECK(divisor > 0 && v > 0, "make_divisible: expected positive value and divisor, got {} and {}", v, divisor);
  const auto d = static_cast<double>(divisor);
  int64_t new_v = std::max(min_value.value_or(divisor), static_cast<int64_t>(v + d / 2) / divisor * divisor);
  if (static_cast<double>(new_v) < 0.9 * v) new_v += divisor;  // never round down by more than 10%
  return new_v;
}

Conv2dNormActivation::Conv2dNormActivation(int64_t in_channels, int64_t out_channels,
                                           const ConvNormActivationOptions& o) {
  const int64_t padding = o.padding.value_or((o.kernel_size - 1) / 2 * o.dilation);
  push_back(Conv2d(in_channels, out_channels,
                   {.kernel_size = o.kernel_size, .stride = o.stride, .padding = padding, .dilation = o.dilation,
                    .groups = o.groups, .bias = o.bias.value_or(!o.norm)}));
  if (o.norm) push_back(BatchNorm2d(out_channels, o.norm_options));
  if (o.activation_layer) push_back(o.activation_layer());
}

DepthwiseSeparableConv::DepthwiseSeparableConv(int64_t in_channels, int64_t out_channels, int64_t kernel_size,
                                               int64_t stride) {
  depthwise = register_module("depthwise", Conv2d(in_channels, in_channels,
                                                  {.kernel_size = kernel_size, .stride = stride,
                                                   .padding = kernel_size / 2, .groups = in_channels, .bias = false}));
  bn1 = register_module("bn1", BatchNorm2d(in_channels));
  pointwise = register_module("pointwise", Conv2d(in_channels, out_channels, {.kernel_size = 1, .bias = false}));
  bn2 = register_module("bn2", BatchNorm2d(out_channels));
}

Tensor DepthwiseSeparableConv::forward(const Tensor& x) {
  return relu((*bn2)((*pointwise)(relu((*bn1)((*depthwise)(x))))));
}

InvertedResidual::InvertedResidual(int64_t in_channels, int64_t out_channels, const InvertedResidualOptions& o)
    : use_res_connect_(o.stride == 1 && in_channels == out_channels) {
  CNN_CHECK(o.stride == 1 || o.stride == 2, "InvertedResidual: stride should be 1 or 2 instead of {}", o.stride);
  CNN_CHECK(o.expand_ratio > 0, "InvertedResidual: expand_ratio must be positive, got {}", o.expand_ratio);
  const int64_t hidden = in_channels * o.expand_ratio;
  conv_ = register_module("conv", std::make_shared<Sequential>());
  if (o.expand_ratio != 1)
    conv_->push_back(Conv2dNormActivation(in_channels, hidden, {.kernel_size = 1, .activation_layer = layer<ReLU6>}));
  conv_->push_back(Conv2dNormActivation(
      hidden, hidden, {.stride = o.stride, .groups = hidden, .activation_layer = layer<ReLU6>}));
  conv_->push_back(Conv2d(hidden, out_channels, {.kernel_size = 1, .bias = false}));
  conv_->push_back(BatchNorm2d(out_channels));
}

Tensor InvertedResidual::forward(const Tensor& x) {
  Tensor out = (*conv_)(x);
  return use_res_connect_ ? add(x, out) : out;
}

MBConv::MBConv(int64_t in_channels, int64_t out_channels, const MBConvOptions& o)
    : use_residual_(o.stride == 1 && in_channels == out_channels) {
  CNN_CHECK(o.expansion > 0 && o.stride > 0, "MBConv: expansion ({}) and stride ({}) must be positive", o.expansion,
            o.stride);
  const int64_t hidden = in_channels * o.expansion;
  conv_ = register_module("conv", std::make_shared<Sequential>());
  if (o.expansion != 1) {
    conv_->push_back(Conv2d(in_channels, hidden, {.kernel_size = 1, .bias = false}));
    conv_->push_back(BatchNorm2d(hidden));
    conv_->push_back(ReLU6());
  }
  conv_->push_back(Conv2d(hidden, hidden, {.kernel_size = 3, .stride = o.stride, .padding = 1, .groups = hidden,
                                           .bias = false}));
  conv_->push_back(BatchNorm2d(hidden));
  conv_->push_back(ReLU6());
  se_ = register_module("se", SEBlock(hidden, o.se_ratio));
  project_ = register_module("project", Sequential(Conv2d(hidden, out_channels, {.kernel_size = 1, .bias = false}),
                                                   BatchNorm2d(out_channels)));
}

Tensor MBConv::forward(const Tensor& x) {
  Tensor out = (*project_)((*se_)((*conv_)(x)));
  return use_residual_ ? add(out, x) : out;
}

}  // namespace cnn

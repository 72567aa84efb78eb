// EfficientNet's MBConv (torchvision's, with SiLU, squeeze-excitation and stochastic depth) and StochasticDepth.
// Not the course's simpler MBConv (mobile_blocks.cpp) nor the EfficientNet model.
#include <cnn/blocks_mobile.h>
#include <cnn/ops.h>

#include <algorithm>

#include "nn/repr.h"

namespace cnn {

StochasticDepth::StochasticDepth(double p, std::string mode) : p_(p), mode_(std::move(mode)) {
  CNN_CHECK(p >= 0.0 && p <= 1.0, "StochasticDepth: drop probability has to be between 0 and 1, but got {}", p);
  CNN_CHECK(mode_ == "row" || mode_ == "batch", "StochasticDepth: mode has to be either 'batch' or 'row', but got {}",
            mode_);
}

Tensor StochasticDepth::forward(const Tensor& x) {
  if (!is_training() || p_ == 0.0) return x;
  const double survival = 1.0 - p_;
  Shape size(std::vector<int64_t>(static_cast<size_t>(x.dim()), 1));
  if (mode_ == "row") size[0] = x.size(0);
  Tensor noise = rand(size);
  float* v = noise.data<float>();
  for (int64_t i = 0; i < noise.numel(); ++i)
    v[i] = v[i] < survival ? static_cast<float>(1.0 / survival) : 0.0f;
  return mul(x, noise);
}

std::string StochasticDepth::extra_repr() const { return fmt::format("p={}, mode={}", repr::py_float(p_), mode_); }

EfficientNetMBConv::EfficientNetMBConv(const EfficientNetBlockConfig& c)
    : use_res_connect_(c.stride == 1 && c.input_channels == c.out_channels) {
  CNN_CHECK(c.stride == 1 || c.stride == 2, "MBConv: illegal stride value {}", c.stride);
  const int64_t expanded = make_divisible(static_cast<double>(c.input_channels) * c.expand_ratio, 8);
  block_ = register_module("block", std::make_shared<Sequential>());
  if (expanded != c.input_channels)
    block_->push_back(Conv2dNormActivation(
        c.input_channels, expanded,
        {.kernel_size = 1, .norm_options = c.norm_options, .activation_layer = layer<SiLU>}));
  block_->push_back(Conv2dNormActivation(expanded, expanded,
                                         {.kernel_size = c.kernel, .stride = c.stride, .groups = expanded,
                                          .norm_options = c.norm_options, .activation_layer = layer<SiLU>}));
  block_->push_back(SqueezeExcitation(expanded, std::max<int64_t>(1, c.input_channels / 4), layer<SiLU>));
  block_->push_back(Conv2dNormActivation(
      expanded, c.out_channels, {.kernel_size = 1, .norm_options = c.norm_options, .activation_layer = nullptr}));
  stochastic_depth_ = register_module("stochastic_depth", StochasticDepth(c.stochastic_depth_prob, "row"));
}

Tensor EfficientNetMBConv::forward(const Tensor& x) {
  Tensor result = (*block_)(x);
  if (!use_res_connect_) return result;
  return add((*stochastic_depth_)(result), x);
}

}  // namespace cnn

// PyTorch's _ConvNd.reset_parameters, shared by the convolution layers (Conv1d, ConvTranspose2d).
// Internal to src/nn; Conv2d keeps its own copy in conv.cpp.
#pragma once

#include <cnn/init.h>

#include <cmath>

namespace cnn {

/// kaiming_uniform_(weight, a=sqrt(5)); bias uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in from the weight.
inline void reset_conv_parameters(const Tensor& weight, const Tensor& bias) {
  init::kaiming_uniform_(weight, {.a = std::sqrt(5.0)});
  if (!bias.defined()) return;
  const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
  if (fan_in == 0) return;
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  init::uniform_(bias, -bound, bound);
}

}  // namespace cnn

// The ConvTranspose2d layer: parameters, PyTorch's initialisation, printing, output size and geometry.
// Not the transposed convolution itself: forward calls conv_transpose2d() from ops/conv_transpose.cpp.
#include <cnn/layers_conv.h>
#include <cnn/ops.h>

#include "nn/conv_init.h"
#include "nn/repr.h"

namespace cnn {

ConvTranspose2d::ConvTranspose2d(int64_t in_channels, int64_t out_channels,
                                 const ConvTranspose2dLayerOptions& options)
    : in_channels_(in_channels), out_channels_(out_channels), options_(options) {
  const auto& o = options_;
  CNN_CHECK(in_channels > 0 && out_channels > 0, "ConvTranspose2d: expected positive channels, got in={} out={}",
            in_channels, out_channels);
  CNN_CHECK(o.kernel_size.h > 0 && o.kernel_size.w > 0,
            "ConvTranspose2d({}, {}): kernel_size is required and must be positive, got {}", in_channels,
            out_channels, repr::tuple(o.kernel_size));
  CNN_CHECK(o.groups > 0 && in_channels % o.groups == 0 && out_channels % o.groups == 0,
            "ConvTranspose2d({}, {}): in_channels and out_channels must be divisible by groups={}", in_channels,
            out_channels, o.groups);
  conv_transpose2d_params({1, in_channels, 1, 1}, {in_channels, out_channels / o.groups, 1, 1}, conv_options());
  weight = register_parameter(
      "weight", Tensor::empty({in_channels, out_channels / o.groups, o.kernel_size.h, o.kernel_size.w}));
  bias = register_parameter("bias", o.bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void ConvTranspose2d::reset_parameters() { reset_conv_parameters(weight, bias); }

ConvTranspose2dOptions ConvTranspose2d::conv_options() const {
  const auto& o = options_;
  return {.stride = o.stride, .padding = o.padding, .output_padding = o.output_padding, .groups = o.groups,
          .dilation = o.dilation};
}

void ConvTranspose2d::check_input(const Shape& in) const {
  CNN_CHECK(in.dim() == 4 && in[1] == in_channels_, "{}: expected input [N, {}, H, W], got {}", str(), in_channels_,
            in);
}

Tensor ConvTranspose2d::forward(const Tensor& x) {
  check_input(x.shape());
  return conv_transpose2d(x, weight, bias, conv_options());
}

Tensor ConvTranspose2d::forward(const Tensor& x, Pair2 output_size) {
  check_input(x.shape());
  ConvTranspose2dOptions o = conv_options();
  o.output_padding = conv_transpose2d_output_padding(x.shape(), weight.shape(), o, output_size);
  return conv_transpose2d(x, weight, bias, o);
}

std::string ConvTranspose2d::extra_repr() const {
  const auto& o = options_;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels_, out_channels_,
                              repr::tuple(o.kernel_size), repr::tuple(o.stride));
  if (o.padding != Pair2(0, 0)) s += ", padding=" + repr::tuple(o.padding);
  if (o.dilation != Pair2(1, 1)) s += ", dilation=" + repr::tuple(o.dilation);
  if (o.output_padding != Pair2(0, 0)) s += ", output_padding=" + repr::tuple(o.output_padding);
  if (o.groups != 1) s += fmt::format(", groups={}", o.groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

Shape ConvTranspose2d::output_shape(const Shape& in) const {
  check_input(in);
  return conv_transpose2d_output_shape(in, weight.shape(), conv_options());
}

int64_t ConvTranspose2d::macs(const Shape& in) const {
  check_input(in);
  return in.numel() * (out_channels_ / options_.groups) * options_.kernel_size.h * options_.kernel_size.w;
}

std::optional<WindowGeometry> ConvTranspose2d::geometry() const {
  const auto& o = options_;
  return WindowGeometry{.kernel_size = o.kernel_size, .stride = o.stride, .padding = o.padding,
                        .dilation = o.dilation, .transposed = true};
}

}  // namespace cnn

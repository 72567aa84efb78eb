// The Conv1d layer: parameters, PyTorch's initialisation, printing, output size and geometry.
// Not the convolution itself: forward calls conv1d() from ops/conv.cpp.
#include <cnn/layers_conv.h>
#include <cnn/ops.h>
#include <cnn/window_size.h>

#include "nn/conv_init.h"
#include "nn/repr.h"

namespace cnn {

namespace {
std::string one_tuple(int64_t v) { return fmt::format("({},)", v); }
}  // namespace

Conv1d::Conv1d(int64_t in_channels, int64_t out_channels, const Conv1dLayerOptions& options)
    : in_channels_(in_channels), out_channels_(out_channels), options_(options) {
  const auto& o = options_;
  CNN_CHECK(in_channels > 0 && out_channels > 0, "Conv1d: expected positive channels, got in={} out={}", in_channels,
            out_channels);
  CNN_CHECK(o.kernel_size > 0, "Conv1d({}, {}): kernel_size is required and must be positive, got {}", in_channels,
            out_channels, o.kernel_size);
  CNN_CHECK(o.stride > 0 && o.dilation > 0, "Conv1d({}, {}): stride and dilation must be positive, got stride={} "
            "dilation={}", in_channels, out_channels, o.stride, o.dilation);
  CNN_CHECK(o.groups > 0 && in_channels % o.groups == 0 && out_channels % o.groups == 0,
            "Conv1d({}, {}): in_channels and out_channels must be divisible by groups={}", in_channels, out_channels,
            o.groups);
  CNN_CHECK(o.padding.mode != Padding::Mode::same || o.stride == 1,
            "Conv1d({}, {}): padding='same' is not supported for strided convolutions (stride={})", in_channels,
            out_channels, o.stride);
  CNN_CHECK(o.padding.mode != Padding::Mode::explicit_ ||
                (o.padding.amount.h == o.padding.amount.w && o.padding.amount.w >= 0),
            "Conv1d({}, {}): padding must be one non-negative integer, \"same\" or \"valid\", got {}", in_channels,
            out_channels, o.padding.str());
  weight = register_parameter("weight", Tensor::empty({out_channels, in_channels / o.groups, o.kernel_size}));
  bias = register_parameter("bias", o.bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void Conv1d::reset_parameters() { reset_conv_parameters(weight, bias); }

Conv1dOptions Conv1d::conv_options() const {
  return {.stride = options_.stride, .padding = options_.padding, .dilation = options_.dilation,
          .groups = options_.groups};
}

Tensor Conv1d::forward(const Tensor& x) {
  CNN_CHECK(x.dim() == 3 && x.size(1) == in_channels_, "{}: expected input [N, {}, L], got {}", str(), in_channels_,
            x.shape());
  return conv1d(x, weight, bias, conv_options());
}

std::string Conv1d::extra_repr() const {
  const auto& o = options_;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels_, out_channels_,
                              one_tuple(o.kernel_size), one_tuple(o.stride));
  if (o.padding.mode != Padding::Mode::explicit_) s += ", padding=" + o.padding.str();
  if (o.padding.mode == Padding::Mode::explicit_ && o.padding.amount.w != 0)
    s += ", padding=" + one_tuple(o.padding.amount.w);
  if (o.dilation != 1) s += ", dilation=" + one_tuple(o.dilation);
  if (o.groups != 1) s += fmt::format(", groups={}", o.groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

std::optional<WindowGeometry> Conv1d::geometry() const {
  const auto& o = options_;
  int64_t pad = o.padding.mode == Padding::Mode::explicit_ ? o.padding.amount.w : 0;
  if (o.padding.mode == Padding::Mode::same) pad = same_padding(o.kernel_size, o.dilation).first;
  return WindowGeometry{.kernel_size = {1, o.kernel_size}, .stride = {1, o.stride}, .padding = {0, pad},
                        .dilation = {1, o.dilation}};
}

Shape Conv1d::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() == 3 && in[1] == in_channels_, "{}: expected input [N, {}, L], got {}", str(), in_channels_, in);
  if (options_.padding.mode == Padding::Mode::same) return {in[0], out_channels_, in[2]};
  const WindowGeometry g = *geometry();
  const int64_t span = in[2] + 2 * g.padding.w - g.dilation.w * (g.kernel_size.w - 1) - 1;
  CNN_CHECK(span >= 0, "{}: input {} is too small for the kernel", str(), in);
  return {in[0], out_channels_, span / g.stride.w + 1};
}

int64_t Conv1d::macs(const Shape& in) const {
  return output_shape(in).numel() * (in_channels_ / options_.groups) * options_.kernel_size;
}

}  // namespace cnn

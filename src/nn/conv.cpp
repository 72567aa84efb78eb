// The Conv2d layer: parameters, PyTorch's initialisation, printing and geometry.
// Not the convolution itself: forward calls conv2d() from ops/conv.cpp.
#include <cnn/init.h>
#include <cnn/layers.h>
#include <cnn/ops.h>
#include <cnn/window_size.h>

#include <cmath>

#include "nn/repr.h"

namespace cnn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, const Conv2dLayerOptions& options)
    : in_channels_(in_channels), out_channels_(out_channels), options_(options) {
  const auto& o = options_;
  CNN_CHECK(in_channels > 0 && out_channels > 0, "Conv2d: expected positive channels, got in={} out={}", in_channels,
            out_channels);
  CNN_CHECK(o.kernel_size.h > 0 && o.kernel_size.w > 0,
            "Conv2d({}, {}): kernel_size is required and must be positive, got {}", in_channels, out_channels,
            repr::tuple(o.kernel_size));
  CNN_CHECK(o.stride.h > 0 && o.stride.w > 0 && o.dilation.h > 0 && o.dilation.w > 0,
            "Conv2d({}, {}): stride and dilation must be positive, got stride={} dilation={}", in_channels,
            out_channels, repr::tuple(o.stride), repr::tuple(o.dilation));
  CNN_CHECK(o.groups > 0 && in_channels % o.groups == 0 && out_channels % o.groups == 0,
            "Conv2d({}, {}): in_channels and out_channels must be divisible by groups={}", in_channels, out_channels,
            o.groups);
  CNN_CHECK(o.padding.mode != Padding::Mode::same || (o.stride.h == 1 && o.stride.w == 1),
            "Conv2d({}, {}): padding='same' is not supported for strided convolutions (stride={})", in_channels,
            out_channels, repr::tuple(o.stride));
  CNN_CHECK(o.padding.mode != Padding::Mode::explicit_ || (o.padding.amount.h >= 0 && o.padding.amount.w >= 0),
            "Conv2d({}, {}): padding must be non-negative, got {}", in_channels, out_channels, repr::padding(o.padding));
  weight = register_parameter(
      "weight", Tensor::empty({out_channels, in_channels / o.groups, o.kernel_size.h, o.kernel_size.w}));
  bias = register_parameter("bias", o.bias ? Tensor::empty({out_channels}) : Tensor());
  reset_parameters();
}

void Conv2d::reset_parameters() {
  init::kaiming_uniform_(weight, {.a = std::sqrt(5.0)});
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    if (fan_in != 0) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      init::uniform_(bias, -bound, bound);
    }
  }
}

Conv2dOptions Conv2d::conv_options() const {
  return {.stride = options_.stride, .padding = options_.padding, .dilation = options_.dilation,
          .groups = options_.groups};
}

Tensor Conv2d::forward(const Tensor& x) {
  CNN_CHECK(x.dim() == 4 && x.size(1) == in_channels_, "{}: expected input [N, {}, H, W], got {}", str(),
            in_channels_, x.shape());
  return conv2d(x, weight, bias, conv_options());
}

std::string Conv2d::extra_repr() const {
  const auto& o = options_;
  std::string s = fmt::format("{}, {}, kernel_size={}, stride={}", in_channels_, out_channels_,
                              repr::tuple(o.kernel_size), repr::tuple(o.stride));
  if (o.padding.mode != Padding::Mode::explicit_ || o.padding.amount != Pair2(0, 0))
    s += ", padding=" + repr::padding(o.padding);
  if (o.dilation != Pair2(1, 1)) s += ", dilation=" + repr::tuple(o.dilation);
  if (o.groups != 1) s += fmt::format(", groups={}", o.groups);
  if (!bias.defined()) s += ", bias=False";
  return s;
}

std::optional<WindowGeometry> Conv2d::geometry() const {
  const auto& o = options_;
  Pair2 pad = o.padding.amount;
  if (o.padding.mode == Padding::Mode::valid) pad = {0, 0};
  if (o.padding.mode == Padding::Mode::same)  // the top/left share of d*(k-1), as PyTorch's "same"
    pad = {same_padding(o.kernel_size.h, o.dilation.h).first, same_padding(o.kernel_size.w, o.dilation.w).first};
  return WindowGeometry{.kernel_size = o.kernel_size, .stride = o.stride, .padding = pad, .dilation = o.dilation};
}

Shape Conv2d::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() == 4 && in[1] == in_channels_, "{}: expected input [N, {}, H, W], got {}", str(), in_channels_,
            in);
  if (options_.padding.mode == Padding::Mode::same) return {in[0], out_channels_, in[2], in[3]};
  const WindowGeometry g = *geometry();
  auto size = [](int64_t n, int64_t k, int64_t s, int64_t p, int64_t d) {
    const int64_t span = n + 2 * p - d * (k - 1) - 1;
    return span < 0 ? int64_t{0} : span / s + 1;
  };
  const int64_t h = size(in[2], g.kernel_size.h, g.stride.h, g.padding.h, g.dilation.h);
  const int64_t w = size(in[3], g.kernel_size.w, g.stride.w, g.padding.w, g.dilation.w);
  CNN_CHECK(h > 0 && w > 0, "{}: input {} is too small for the kernel (output would be {}x{})", str(), in, h, w);
  return {in[0], out_channels_, h, w};
}

int64_t Conv2d::macs(const Shape& in) const {
  const Shape out = output_shape(in);
  return out.numel() * (in_channels_ / options_.groups) * options_.kernel_size.h * options_.kernel_size.w;
}

}  // namespace cnn

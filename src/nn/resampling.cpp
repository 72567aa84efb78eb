// MaxUnpool2d, Upsample, ZeroPad2d and ChannelShuffle layers: checks, output shapes and PyTorch's printing.
// Not the math: forward calls max_unpool2d(), interpolate(), zero_pad2d() and channel_shuffle() from ops.h.
#include <cnn/layers_resample.h>
#include <cnn/ops.h>

#include "nn/repr.h"

namespace cnn {

MaxUnpool2d::MaxUnpool2d(const MaxUnpool2dOptions& options) : options_(options) {
  CNN_CHECK(!options.output_size, "MaxUnpool2d: output_size is an argument of forward(x, indices, output_size), not "
            "of the layer");
  if (options_.stride == Pair2(0, 0)) options_.stride = options_.kernel_size;
  const auto& o = options_;
  CNN_CHECK(o.kernel_size.h > 0 && o.kernel_size.w > 0 && o.stride.h > 0 && o.stride.w > 0 && o.padding.h >= 0 &&
                o.padding.w >= 0,
            "MaxUnpool2d: expected positive kernel_size and stride and non-negative padding, got {}", extra_repr());
}

Tensor MaxUnpool2d::forward(const Tensor&) {
  CNN_CHECK(false, "{}: unpooling needs the indices of MaxPool2d::forward_with_indices: call forward(x, indices)",
            str());
  return {};
}

Tensor MaxUnpool2d::forward(const Tensor& x, const Tensor& indices, std::optional<Pair2> output_size) {
  MaxUnpool2dOptions o = options_;
  o.output_size = output_size;
  return max_unpool2d(x, indices, o);
}

std::string MaxUnpool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", repr::tuple(options_.kernel_size),
                     repr::tuple(options_.stride), repr::tuple(options_.padding));
}

Shape MaxUnpool2d::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() == 3 || in.dim() == 4, "{}: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got {}", str(), in);
  const Pair2 out = max_unpool2d_output_size({in[-2], in[-1]}, options_);
  Shape s = in;
  s[-2] = out.h;
  s[-1] = out.w;
  return s;
}

std::optional<WindowGeometry> MaxUnpool2d::geometry() const {
  return WindowGeometry{.kernel_size = options_.kernel_size, .stride = options_.stride, .padding = options_.padding,
                        .dilation = {1, 1}, .transposed = true};
}

Upsample::Upsample(const InterpolateOptions& options) : options_(options) {
  CNN_CHECK(options.size.has_value() != options.scale_factor.has_value(),
            "Upsample: expected exactly one of size and scale_factor");
  CNN_CHECK(options.mode == "nearest" || options.mode == "bilinear",
            "Upsample: mode must be \"nearest\" or \"bilinear\", got \"{}\"", options.mode);
  CNN_CHECK(options.mode == "bilinear" || !options.align_corners,
            "Upsample: align_corners can only be set with mode \"bilinear\", got mode \"{}\"", options.mode);
}

Tensor Upsample::forward(const Tensor& x) { return interpolate(x, options_); }

std::string Upsample::extra_repr() const {
  std::string s;
  if (options_.scale_factor) {
    const Scale2 f = *options_.scale_factor;
    s = "scale_factor=" + (f.h == f.w ? repr::py_float(f.h)
                                      : "(" + repr::py_float(f.h) + ", " + repr::py_float(f.w) + ")");
  } else {
    s = "size=" + repr::int_or_tuple(*options_.size);
  }
  return s + ", mode=" + options_.mode;
}

Shape Upsample::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() == 4, "{}: expected 4-D input [N, C, H, W], got {}", str(), in);
  const Pair2 out = interpolate_output_size({in[2], in[3]}, options_);
  return {in[0], in[1], out.h, out.w};
}

Tensor ZeroPad2d::forward(const Tensor& x) { return zero_pad2d(x, padding_); }

std::string ZeroPad2d::extra_repr() const {
  return fmt::format("({}, {}, {}, {})", padding_.left, padding_.right, padding_.top, padding_.bottom);
}

Shape ZeroPad2d::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() >= 2, "{}: expected an input with at least 2 dimensions, got {}", str(), in);
  Shape s = in;
  s[-2] += padding_.top + padding_.bottom;
  s[-1] += padding_.left + padding_.right;
  return s;
}

ChannelShuffle::ChannelShuffle(int64_t groups) : groups_(groups) {
  CNN_CHECK(groups > 0, "ChannelShuffle: groups must be positive, got {}", groups);
}

Tensor ChannelShuffle::forward(const Tensor& x) { return channel_shuffle(x, groups_); }
std::string ChannelShuffle::extra_repr() const { return fmt::format("groups={}", groups_); }

}  // namespace cnn

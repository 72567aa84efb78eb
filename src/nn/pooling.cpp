// Pooling layers: MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, AdaptiveMaxPool2d (printing and geometry).
// Not the pooling kernels: forward calls the ops from ops/pool.cpp.
#include <cnn/layers.h>
#include <cnn/ops.h>

#include "nn/repr.h"

namespace cnn {

namespace {

Pair2 resolved_stride(Pair2 stride, Pair2 kernel) {
  return {stride.h == 0 ? kernel.h : stride.h, stride.w == 0 ? kernel.w : stride.w};
}

void check_pool_input(const Module& m, const Shape& in) {
  CNN_CHECK(in.dim() == 3 || in.dim() == 4, "{}: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got {}", m.str(),
            in);
}

Shape with_spatial(const Shape& in, int64_t h, int64_t w) {
  Shape out = in;
  out[-2] = h;
  out[-1] = w;
  return out;
}

Shape pooled_shape(const Module& m, const Shape& in, const WindowGeometry& g, bool ceil_mode) {
  check_pool_input(m, in);
  const int64_t h = pool_output_size(in[-2], g.kernel_size.h, g.stride.h, g.padding.h, g.dilation.h, ceil_mode);
  const int64_t w = pool_output_size(in[-1], g.kernel_size.w, g.stride.w, g.padding.w, g.dilation.w, ceil_mode);
  CNN_CHECK(h > 0 && w > 0, "{}: input {} is too small (output would be {}x{})", m.str(), in, h, w);
  return with_spatial(in, h, w);
}

}  // namespace

MaxPool2d::MaxPool2d(const MaxPool2dOptions& options) : options_(options) {
  options_.stride = resolved_stride(options.stride, options.kernel_size);
}
Tensor MaxPool2d::forward(const Tensor& x) {
  CNN_CHECK(!options_.return_indices, "{}: return_indices=True gives (output, indices): call forward_with_indices(x)",
            str());
  return max_pool2d(x, options_);
}
std::pair<Tensor, Tensor> MaxPool2d::forward_with_indices(const Tensor& x) {
  return max_pool2d_with_indices(x, options_);
}
std::string MaxPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
                     repr::int_or_tuple(options_.kernel_size), repr::int_or_tuple(options_.stride),
                     repr::int_or_tuple(options_.padding), repr::int_or_tuple(options_.dilation),
                     repr::py_bool(options_.ceil_mode));
}
std::optional<WindowGeometry> MaxPool2d::geometry() const {
  return WindowGeometry{.kernel_size = options_.kernel_size, .stride = options_.stride, .padding = options_.padding,
                        .dilation = options_.dilation};
}
Shape MaxPool2d::output_shape(const Shape& in) const { return pooled_shape(*this, in, *geometry(), options_.ceil_mode); }

AvgPool2d::AvgPool2d(const AvgPool2dOptions& options) : options_(options) {
  options_.stride = resolved_stride(options.stride, options.kernel_size);
}
Tensor AvgPool2d::forward(const Tensor& x) { return avg_pool2d(x, options_); }
std::string AvgPool2d::extra_repr() const {
  return fmt::format("kernel_size={}, stride={}, padding={}", repr::int_or_tuple(options_.kernel_size),
                     repr::int_or_tuple(options_.stride), repr::int_or_tuple(options_.padding));
}
std::optional<WindowGeometry> AvgPool2d::geometry() const {
  return WindowGeometry{.kernel_size = options_.kernel_size, .stride = options_.stride, .padding = options_.padding,
                        .dilation = {1, 1}};
}
Shape AvgPool2d::output_shape(const Shape& in) const { return pooled_shape(*this, in, *geometry(), options_.ceil_mode); }

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) { return adaptive_avg_pool2d(x, output_size_); }
std::string AdaptiveAvgPool2d::extra_repr() const {
  return "output_size=" + (scalar_ ? std::to_string(output_size_.h) : repr::tuple(output_size_));
}
Shape AdaptiveAvgPool2d::output_shape(const Shape& in) const {
  check_pool_input(*this, in);
  return with_spatial(in, output_size_.h, output_size_.w);
}

Tensor AdaptiveMaxPool2d::forward(const Tensor& x) { return adaptive_max_pool2d(x, output_size_); }
std::string AdaptiveMaxPool2d::extra_repr() const {
  return "output_size=" + (scalar_ ? std::to_string(output_size_.h) : repr::tuple(output_size_));
}
Shape AdaptiveMaxPool2d::output_shape(const Shape& in) const {
  check_pool_input(*this, in);
  return with_spatial(in, output_size_.h, output_size_.w);
}

}  // namespace cnn

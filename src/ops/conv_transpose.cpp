// conv_transpose2d: validation with PyTorch's rules (output_padding, output size), the geometry handed to the
// backend, output_padding from a requested output size, and autograd. Not the arithmetic: backend().deconv2d_*.
#include <cnn/ops.h>
#include <cnn/trace.h>
#include <cnn/window_size.h>

#include <string>

#include "ops/amp_cast.h"

namespace cnn {

namespace {

std::string describe(const ConvTranspose2dOptions& o) {
  return fmt::format("stride=({}, {}), padding=({}, {}), output_padding=({}, {}), groups={}, dilation=({}, {})",
                     o.stride.h, o.stride.w, o.padding.h, o.padding.w, o.output_padding.h, o.output_padding.w,
                     o.groups, o.dilation.h, o.dilation.w);
}

void check_options(const ConvTranspose2dOptions& o) {
  CNN_CHECK(o.stride.h > 0 && o.stride.w > 0, "conv_transpose2d: stride must be positive, got ({}, {})", o.stride.h,
            o.stride.w);
  CNN_CHECK(o.dilation.h > 0 && o.dilation.w > 0, "conv_transpose2d: dilation must be positive, got ({}, {})",
            o.dilation.h, o.dilation.w);
  CNN_CHECK(o.padding.h >= 0 && o.padding.w >= 0, "conv_transpose2d: padding must be non-negative, got ({}, {})",
            o.padding.h, o.padding.w);
  CNN_CHECK(o.output_padding.h >= 0 && o.output_padding.w >= 0,
            "conv_transpose2d: output_padding must be non-negative, got ({}, {})", o.output_padding.h,
            o.output_padding.w);
  CNN_CHECK(o.groups > 0, "conv_transpose2d: groups must be positive, got {}", o.groups);
  const Pair2 op = o.output_padding;
  const bool fits_h = op.h < o.stride.h || op.h < o.dilation.h, fits_w = op.w < o.stride.w || op.w < o.dilation.w;
  CNN_CHECK(fits_h && fits_w,
            "conv_transpose2d: output_padding ({}, {}) must be smaller than either stride ({}, {}) or dilation "
            "({}, {})",
            op.h, op.w, o.stride.h, o.stride.w, o.dilation.h, o.dilation.w);
}

// (in - 1)*stride - 2*padding + dilation*(k - 1) + 1: the output size without output_padding.
int64_t base_size(int64_t in, int64_t k, int64_t stride, int64_t pad, int64_t dilation) {
  return transposed_output_size(in, k, stride, pad, dilation);
}

// Checks that x, w and b fit together (o already checked).
void check_shapes(const Shape& x, const Shape& w, const Shape* b, const ConvTranspose2dOptions& o) {
  CNN_CHECK(x.dim() == 4, "conv_transpose2d: expected 4-D input [N, C_in, H, W], got input of shape {}", x);
  CNN_CHECK(w.dim() == 4,
            "conv_transpose2d: expected 4-D weight [in_channels, out_channels/groups, kH, kW], got weight {}", w);
  const int64_t g = o.groups;
  CNN_CHECK(w[0] % g == 0, "conv_transpose2d: given groups={}, expected weight {} to be divisible by {} at dimension 0",
            g, w, g);
  CNN_CHECK(w[0] == x[1], "conv_transpose2d: expected input with {} channels for weight {} (groups={}), got input {}",
            w[0], w, g, x);
  const int64_t oh = base_size(x[2], w[2], o.stride.h, o.padding.h, o.dilation.h) + o.output_padding.h;
  const int64_t ow = base_size(x[3], w[3], o.stride.w, o.padding.w, o.dilation.w) + o.output_padding.w;
  CNN_CHECK(oh > 0 && ow > 0, "conv_transpose2d: output size ({} x {}) is too small for input {} and weight {} ({})",
            oh, ow, x, w, describe(o));
  if (b) CNN_CHECK(b->dim() == 1 && (*b)[0] == w[1] * g,
                   "conv_transpose2d: expected bias of shape [{}] for weight {} (groups={}), got bias {}", w[1] * g, w,
                   g, *b);
}

}  // namespace

ConvParams conv_transpose2d_params(const Shape& x, const Shape& w, const ConvTranspose2dOptions& o) {
  check_options(o);
  ConvParams p;
  p.stride_h = o.stride.h, p.stride_w = o.stride.w;
  p.dilation_h = o.dilation.h, p.dilation_w = o.dilation.w;
  p.groups = o.groups;
  p.pad_top = o.padding.h, p.pad_left = o.padding.w;
  p.pad_bottom = o.padding.h - o.output_padding.h, p.pad_right = o.padding.w - o.output_padding.w;
  return p;
}

Shape conv_transpose2d_output_shape(const Shape& x, const Shape& w, const ConvTranspose2dOptions& o) {
  check_options(o);
  check_shapes(x, w, nullptr, o);
  return {x[0], w[1] * o.groups,
          base_size(x[2], w[2], o.stride.h, o.padding.h, o.dilation.h) + o.output_padding.h,
          base_size(x[3], w[3], o.stride.w, o.padding.w, o.dilation.w) + o.output_padding.w};
}

Pair2 conv_transpose2d_output_padding(const Shape& x, const Shape& w, const ConvTranspose2dOptions& o,
                                      Pair2 output_size) {
  ConvTranspose2dOptions base = o;
  base.output_padding = {0, 0};
  check_options(base);
  check_shapes(x, w, nullptr, base);
  const int64_t min_h = base_size(x[2], w[2], o.stride.h, o.padding.h, o.dilation.h);
  const int64_t min_w = base_size(x[3], w[3], o.stride.w, o.padding.w, o.dilation.w);
  const int64_t max_h = min_h + o.stride.h - 1, max_w = min_w + o.stride.w - 1;
  CNN_CHECK(output_size.h >= min_h && output_size.h <= max_h && output_size.w >= min_w && output_size.w <= max_w,
            "conv_transpose2d: requested an output size of ({}, {}), but valid sizes range from ({}, {}) to ({}, {}) "
            "(for an input of ({}, {}))",
            output_size.h, output_size.w, min_h, min_w, max_h, max_w, x[2], x[3]);
  return {output_size.h - min_h, output_size.w - min_w};
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b, const ConvTranspose2dOptions& options) {
  CNN_CHECK(x.defined() && w.defined(), "conv_transpose2d: input and weight must be defined");
  CNN_CHECK(x.dtype() == DType::f32 && w.dtype() == DType::f32 && (!b.defined() || b.dtype() == DType::f32),
            "conv_transpose2d: expected float32 input, weight and bias, got input {} and weight {}",
            dtype_name(x.dtype()), dtype_name(w.dtype()));
  const ConvParams p = conv_transpose2d_params(x.shape(), w.shape(), options);
  const Shape b_shape = b.defined() ? b.shape() : Shape{};
  check_shapes(x.shape(), w.shape(), b.defined() ? &b_shape : nullptr, options);

  // Under autocast the operands are saved in bf16 for backward (half the memory), and dy is rounded once.
  const bool amp = is_autocast_enabled();
  const Tensor x_data = amp_operand(x.detach(), amp), w_data = amp_operand(w.detach(), amp);
  Tensor y = backend().deconv2d_forward(x_data, w_data, b.defined() ? b.detach() : Tensor(), p);
  const bool with_bias = b.defined();
  const WindowGeometry geometry{.kernel_size = {w.size(2), w.size(3)}, .stride = options.stride,
                                .padding = options.padding, .dilation = options.dilation, .transposed = true};
  y = with_geometry(record("ConvTranspose2dBackward", y, {x, w, b},
                [x_data, w_data, with_bias, p, amp](const Tensor& dy_in, const NeedsGrad& needs) {
                  const Tensor dy = amp_operand(dy_in, amp);
                  std::vector<Tensor> grads(3);
                  if (needs[0]) grads[0] = backend().deconv2d_backward_data(dy, w_data, x_data.shape(), p);
                  if (needs[1] || (with_bias && needs[2])) {
                    auto [dw, db] = backend().deconv2d_backward_weights(dy, x_data, w_data.shape(), with_bias, p);
                    if (needs[1]) grads[1] = dw;
                    if (with_bias && needs[2]) grads[2] = db;
                  }
                  return grads;
                }), geometry);
  return trace_attributes(y, {.ints = {{"pads", {p.pad_top, p.pad_left, p.pad_bottom, p.pad_right}},
                                       {"strides", {p.stride_h, p.stride_w}},
                                       {"dilations", {p.dilation_h, p.dilation_w}},
                                       {"group", {p.groups}}}});
}

}  // namespace cnn

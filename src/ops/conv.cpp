// conv2d: validation with PyTorch-toned messages, padding resolution ("same", "valid", explicit) and autograd;
// conv1d as conv2d on a unit height. Not the arithmetic: backend().conv2d_* computes.
#include <cnn/ops.h>
#include <cnn/trace.h>
#include <cnn/window_size.h>

#include <string>

#include "ops/amp_cast.h"
#include <tuple>

namespace cnn {

namespace {

// "(stride=(2, 2), padding=1, dilation=(1, 1), groups=1)", for error messages.
std::string describe(const Conv2dOptions& o) {
  return fmt::format("stride=({}, {}), padding={}, dilation=({}, {}), groups={}", o.stride.h, o.stride.w,
                     o.padding.str(), o.dilation.h, o.dilation.w, o.groups);
}

// Checks that x and w (and b, when given) fit together; `p` is the resolved geometry.
void check_conv2d(const Shape& x, const Shape& w, const Shape* b, const ConvParams& p, const Conv2dOptions& o) {
  CNN_CHECK(x.dim() == 4, "conv2d: expected 4-D input [N, C, H, W], got input of shape {}", x);
  CNN_CHECK(w.dim() == 4, "conv2d: expected 4-D weight [out_channels, in_channels/groups, kH, kW], got weight {}", w);
  const int64_t g = o.groups;
  CNN_CHECK(w[0] % g == 0, "conv2d: given groups={}, expected weight {} to be divisible by {} at dimension 0", g, w,
            g);
  CNN_CHECK(w[1] * g == x[1], "conv2d: expected input with {} channels for weight {} (groups={}), got input {}",
            w[1] * g, w, g, x);
  const int64_t padded_h = x[2] + p.pad_top + p.pad_bottom, padded_w = x[3] + p.pad_left + p.pad_right;
  const int64_t kernel_h = p.dilation_h * (w[2] - 1) + 1, kernel_w = p.dilation_w * (w[3] - 1) + 1;
  CNN_CHECK(padded_h >= kernel_h && padded_w >= kernel_w,
            "conv2d: padded input size ({} x {}) is smaller than the dilated kernel size ({} x {}) for input {} and "
            "weight {} ({})",
            padded_h, padded_w, kernel_h, kernel_w, x, w, describe(o));
  if (b) CNN_CHECK(b->dim() == 1 && (*b)[0] == w[0], "conv2d: expected bias of shape [{}] for weight {}, got bias {}",
                   w[0], w, *b);
}

}  // namespace

ConvParams conv2d_params(const Shape& x, const Shape& w, const Conv2dOptions& o) {
  CNN_CHECK(o.stride.h > 0 && o.stride.w > 0, "conv2d: stride must be positive, got ({}, {})", o.stride.h, o.stride.w);
  CNN_CHECK(o.dilation.h > 0 && o.dilation.w > 0, "conv2d: dilation must be positive, got ({}, {})", o.dilation.h,
            o.dilation.w);
  CNN_CHECK(o.groups > 0, "conv2d: groups must be positive, got {}", o.groups);
  CNN_CHECK(w.dim() == 4, "conv2d: expected 4-D weight [out_channels, in_channels/groups, kH, kW], got weight {}", w);
  ConvParams p;
  p.stride_h = o.stride.h, p.stride_w = o.stride.w;
  p.dilation_h = o.dilation.h, p.dilation_w = o.dilation.w;
  p.groups = o.groups;
  if (o.padding.mode == Padding::Mode::same) {
    CNN_CHECK(o.stride.h == 1 && o.stride.w == 1,
              "conv2d: padding='same' is not supported for strided convolutions, got stride=({}, {})", o.stride.h,
              o.stride.w);
    std::tie(p.pad_top, p.pad_bottom) = same_padding(w[2], o.dilation.h);
    std::tie(p.pad_left, p.pad_right) = same_padding(w[3], o.dilation.w);
  } else if (o.padding.mode == Padding::Mode::explicit_) {
    const Pair2 a = o.padding.amount;
    CNN_CHECK(a.h >= 0 && a.w >= 0, "conv2d: padding must be non-negative, got ({}, {})", a.h, a.w);
    p.pad_top = p.pad_bottom = a.h;
    p.pad_left = p.pad_right = a.w;
  }
  return p;
}

Shape conv2d_output_shape(const Shape& x, const Shape& w, const Conv2dOptions& o) {
  const ConvParams p = conv2d_params(x, w, o);
  check_conv2d(x, w, nullptr, p, o);
  const int64_t out_h = window_output_size(x[2], w[2], p.stride_h, p.pad_top, p.pad_bottom, p.dilation_h);
  const int64_t out_w = window_output_size(x[3], w[3], p.stride_w, p.pad_left, p.pad_right, p.dilation_w);
  return {x[0], w[0], out_h, out_w};
}

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b, const Conv2dOptions& options) {
  CNN_CHECK(x.defined() && w.defined(), "conv2d: input and weight must be defined");
  CNN_CHECK(x.dtype() == DType::f32 && w.dtype() == DType::f32 && (!b.defined() || b.dtype() == DType::f32),
            "conv2d: expected float32 input, weight and bias, got input {} and weight {}", dtype_name(x.dtype()),
            dtype_name(w.dtype()));
  const ConvParams p = conv2d_params(x.shape(), w.shape(), options);
  const Shape b_shape = b.defined() ? b.shape() : Shape{};
  check_conv2d(x.shape(), w.shape(), b.defined() ? &b_shape : nullptr, p, options);

  // Under autocast the operands are saved in bf16 for backward (half the memory), and dy is rounded once.
  const bool amp = is_autocast_enabled();
  const Tensor x_data = amp_operand(x.detach(), amp), w_data = amp_operand(w.detach(), amp);
  Tensor y = backend().conv2d_forward(x_data, w_data, b.defined() ? b.detach() : Tensor(), p);
  const bool with_bias = b.defined();
  const WindowGeometry geometry{.kernel_size = {w.size(2), w.size(3)}, .stride = options.stride,
                                .padding = {p.pad_top, p.pad_left}, .dilation = options.dilation};
  y = with_geometry(record("Conv2dBackward", y, {x, w, b},
                [x_data, w_data, with_bias, p, amp](const Tensor& dy_in, const NeedsGrad& needs) {
                  const Tensor dy = amp_operand(dy_in, amp);
                  std::vector<Tensor> grads(3);
                  if (needs[0]) grads[0] = backend().conv2d_backward_data(dy, w_data, x_data.shape(), p);
                  if (needs[1] || (with_bias && needs[2])) {
                    auto [dw, db] = backend().conv2d_backward_weights(dy, x_data, w_data.shape(), with_bias, p);
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

Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b, const Conv1dOptions& o) {
  CNN_CHECK(x.defined() && w.defined(), "conv1d: input and weight must be defined");
  CNN_CHECK(x.dim() == 3, "conv1d: expected 3-D input [N, C, L], got input of shape {}", x.shape());
  CNN_CHECK(w.dim() == 3, "conv1d: expected 3-D weight [out_channels, in_channels/groups, kW], got weight {}",
            w.shape());
  CNN_CHECK(o.stride > 0 && o.dilation > 0 && o.groups > 0,
            "conv1d: stride, dilation and groups must be positive, got stride={}, dilation={}, groups={}", o.stride,
            o.dilation, o.groups);
  const bool explicit_pad = o.padding.mode == Padding::Mode::explicit_;
  CNN_CHECK(!explicit_pad || (o.padding.amount.h == o.padding.amount.w && o.padding.amount.w >= 0),
            "conv1d: expected one non-negative padding amount, got {}", o.padding.str());
  CNN_CHECK(o.padding.mode != Padding::Mode::same || o.stride == 1,
            "conv1d: padding='same' is not supported for strided convolutions, got stride={}", o.stride);
  CNN_CHECK(w.size(0) % o.groups == 0,
            "conv1d: given groups={}, expected weight {} to be divisible by {} at dimension 0", o.groups, w.shape(),
            o.groups);
  CNN_CHECK(w.size(1) * o.groups == x.size(1),
            "conv1d: expected input with {} channels for weight {} (groups={}), got input {}", w.size(1) * o.groups,
            w.shape(), o.groups, x.shape());
  CNN_CHECK(!b.defined() || (b.dim() == 1 && b.size(0) == w.size(0)),
            "conv1d: expected bias of shape [{}] for weight {}, got bias {}", w.size(0), w.shape(), b.shape());
  const int64_t pad = explicit_pad ? o.padding.amount.w : 0;
  CNN_CHECK(o.padding.mode == Padding::Mode::same || x.size(2) + 2 * pad >= o.dilation * (w.size(2) - 1) + 1,
            "conv1d: padded input size {} is smaller than the dilated kernel size {} for input {} and weight {}",
            x.size(2) + 2 * pad, o.dilation * (w.size(2) - 1) + 1, x.shape(), w.shape());
  const Conv2dOptions o2{.stride = {1, o.stride}, .padding = explicit_pad ? Padding(0, pad) : o.padding,
                         .dilation = {1, o.dilation}, .groups = o.groups};
  return conv2d(x.unsqueeze(2), w.unsqueeze(2), b, o2).squeeze(2);
}

}  // namespace cnn

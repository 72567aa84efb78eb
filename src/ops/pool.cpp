// Pooling ops (max, average, adaptive): option checks with PyTorch's rules, output sizes and autograd.
// Not the arithmetic: backend().pool2d_* and adaptive_pool2d_* compute; [C, H, W] input is treated as a batch of 1.
#include <cnn/ops.h>
#include <cnn/trace.h>
#include <cnn/window_size.h>

#include <string>

namespace cnn {

int64_t pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation, bool ceil_mode) {
  return window_output_size(in, kernel, stride, pad, pad, dilation, ceil_mode);
}

namespace {

// Checks the input is [C, H, W] or [N, C, H, W] float32 and returns it as 4-D.
Tensor as_batch(const Tensor& x, const char* op) {
  CNN_CHECK(x.defined(), "{}: input is undefined", op);
  CNN_CHECK(x.dim() == 3 || x.dim() == 4, "{}: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape {}",
            op, x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected float32 input, got {}", op, dtype_name(x.dtype()));
  CNN_CHECK(x.size(-1) > 0 && x.size(-2) > 0 && x.size(-3) > 0,
            "{}: expected input with non-zero channels, height and width, got input of shape {}", op, x.shape());
  return x.dim() == 3 ? x.unsqueeze(0) : x;
}

Tensor unbatch(const Tensor& y, const Tensor& x) { return x.dim() == 3 ? y.squeeze(0) : y; }

// Resolves and checks window geometry as PyTorch's pool2d_shape_check; stride 0 means kernel_size.
PoolParams pool_params(const char* op, const Shape& x, PoolKind kind, Pair2 kernel, Pair2 stride, Pair2 pad,
                       Pair2 dilation, bool ceil_mode) {
  if (stride.h == 0 && stride.w == 0) stride = kernel;
  const std::string geometry =
      fmt::format("kernel_size=({}, {}), stride=({}, {}), padding=({}, {}), dilation=({}, {})", kernel.h, kernel.w,
                  stride.h, stride.w, pad.h, pad.w, dilation.h, dilation.w);
  CNN_CHECK(kernel.h > 0 && kernel.w > 0, "{}: kernel_size must be greater than zero, got {}", op, geometry);
  CNN_CHECK(stride.h > 0 && stride.w > 0, "{}: stride must be greater than zero, got {}", op, geometry);
  CNN_CHECK(dilation.h > 0 && dilation.w > 0, "{}: dilation must be greater than zero, got {}", op, geometry);
  CNN_CHECK(pad.h >= 0 && pad.w >= 0 && pad.h <= kernel.h / 2 && pad.w <= kernel.w / 2,
            "{}: pad should be at most half of kernel size, got {}", op, geometry);
  PoolParams p;
  p.kind = kind;
  p.kernel_h = kernel.h, p.kernel_w = kernel.w;
  p.stride_h = stride.h, p.stride_w = stride.w;
  p.pad_h = pad.h, p.pad_w = pad.w;
  p.dilation_h = dilation.h, p.dilation_w = dilation.w;
  p.out_h = pool_output_size(x[-2], kernel.h, stride.h, pad.h, dilation.h, ceil_mode);
  p.out_w = pool_output_size(x[-1], kernel.w, stride.w, pad.w, dilation.w, ceil_mode);
  CNN_CHECK(p.out_h >= 1 && p.out_w >= 1,
            "{}: output size is too small: input {} gives output ({} x {}) for {}{}", op, x, p.out_h, p.out_w,
            geometry, ceil_mode ? ", ceil_mode=true" : "");
  return p;
}

// Pools a 4-D x and records the backward; returns {y, indices (max only)}.
std::pair<Tensor, Tensor> pool2d(const Tensor& x, const PoolParams& p) {
  auto [y, indices] = backend().pool2d_forward(x.detach(), p);
  const Shape x_shape = x.shape();
  const char* name = p.kind == PoolKind::max ? "MaxPool2DWithIndicesBackward" : "AvgPool2DBackward";
  const WindowGeometry geometry{.kernel_size = {p.kernel_h, p.kernel_w}, .stride = {p.stride_h, p.stride_w},
                                .padding = {p.pad_h, p.pad_w}, .dilation = {p.dilation_h, p.dilation_w}};
  y = with_geometry(record(name, y, {x}, [indices = indices, x_shape, p](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().pool2d_backward(dy, indices, x_shape, p)};
  }), geometry);
  const bool ceil_mode = p.out_h != window_output_size(x_shape[2], p.kernel_h, p.stride_h, p.pad_h, p.pad_h,
                                                       p.dilation_h) ||
                         p.out_w != window_output_size(x_shape[3], p.kernel_w, p.stride_w, p.pad_w, p.pad_w,
                                                       p.dilation_w);
  y = trace_attributes(y, {.ints = {{"kernel_shape", {p.kernel_h, p.kernel_w}},
                                    {"strides", {p.stride_h, p.stride_w}},
                                    {"pads", {p.pad_h, p.pad_w, p.pad_h, p.pad_w}},
                                    {"dilations", {p.dilation_h, p.dilation_w}},
                                    {"ceil_mode", {ceil_mode ? 1 : 0}},
                                    {"count_include_pad", {p.kind == PoolKind::avg_include_pad ? 1 : 0}}}});
  return {y, indices};
}

std::pair<Tensor, Tensor> adaptive_pool2d(const char* op, const Tensor& x, bool is_max, Pair2 size) {
  const Tensor xb = as_batch(x, op);
  CNN_CHECK(size.h >= 1 && size.w >= 1, "{}: output_size must be positive, got ({}, {}) for input of shape {}", op,
            size.h, size.w, x.shape());
  auto [y, indices] = backend().adaptive_pool2d_forward(xb.detach(), is_max, size.h, size.w);
  const Shape x_shape = xb.shape();
  y = record(is_max ? "AdaptiveMaxPool2DBackward" : "AdaptiveAvgPool2DBackward", y, {xb},
             [indices = indices, is_max, x_shape](const Tensor& dy, const NeedsGrad&) {
               return std::vector<Tensor>{backend().adaptive_pool2d_backward(dy, indices, is_max, x_shape)};
             });
  return {unbatch(y, x), indices.defined() ? unbatch(indices, x) : indices};
}

}  // namespace

std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const MaxPool2dOptions& o) {
  const Tensor xb = as_batch(x, "max_pool2d");
  const PoolParams p =
      pool_params("max_pool2d", xb.shape(), PoolKind::max, o.kernel_size, o.stride, o.padding, o.dilation, o.ceil_mode);
  auto [y, indices] = pool2d(xb, p);
  return {unbatch(y, x), unbatch(indices, x)};
}

Tensor max_pool2d(const Tensor& x, const MaxPool2dOptions& options) {
  CNN_CHECK(!options.return_indices,
            "max_pool2d: return_indices=true returns two tensors: call max_pool2d_with_indices(x, options)");
  return max_pool2d_with_indices(x, options).first;
}

Tensor avg_pool2d(const Tensor& x, const AvgPool2dOptions& o) {
  const Tensor xb = as_batch(x, "avg_pool2d");
  const PoolKind kind = o.count_include_pad ? PoolKind::avg_include_pad : PoolKind::avg_exclude_pad;
  const PoolParams p = pool_params("avg_pool2d", xb.shape(), kind, o.kernel_size, o.stride, o.padding, {1, 1},
                                   o.ceil_mode);
  return unbatch(pool2d(xb, p).first, x);
}

Tensor adaptive_avg_pool2d(const Tensor& x, Pair2 output_size) {
  return adaptive_pool2d("adaptive_avg_pool2d", x, false, output_size).first;
}

std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& x, Pair2 output_size) {
  return adaptive_pool2d("adaptive_max_pool2d", x, true, output_size);
}

Tensor adaptive_max_pool2d(const Tensor& x, Pair2 output_size) {
  return adaptive_max_pool2d_with_indices(x, output_size).first;
}

}  // namespace cnn

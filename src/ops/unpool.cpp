// max_unpool2d: output size and index checks with PyTorch's rules, and autograd (the backward gathers).
// Not the arithmetic: backend().max_unpool2d_* computes; [C, H, W] input is treated as a batch of 1.
#include <cnn/ops.h>

#include <algorithm>

namespace cnn {

Pair2 max_unpool2d_output_size(Pair2 in, const MaxUnpool2dOptions& o) {
  const Pair2 k = o.kernel_size, p = o.padding;
  const Pair2 s = o.stride == Pair2(0, 0) ? k : o.stride;
  CNN_CHECK(k.h > 0 && k.w > 0 && s.h > 0 && s.w > 0,
            "max_unpool2d: kernel_size and stride must be positive, got kernel_size=({}, {}), stride=({}, {})", k.h,
            k.w, s.h, s.w);
  CNN_CHECK(p.h >= 0 && p.w >= 0, "max_unpool2d: padding must be non-negative, got ({}, {})", p.h, p.w);
  const Pair2 base{(in.h - 1) * s.h + k.h - 2 * p.h, (in.w - 1) * s.w + k.w - 2 * p.w};
  if (!o.output_size) {
    CNN_CHECK(base.h > 0 && base.w > 0,
              "max_unpool2d: output size ({} x {}) is not positive for input size ({}, {}), kernel_size=({}, {}), "
              "stride=({}, {}), padding=({}, {})",
              base.h, base.w, in.h, in.w, k.h, k.w, s.h, s.w, p.h, p.w);
    return base;
  }
  const Pair2 want = *o.output_size;
  // PyTorch's _unpool_output_size: strictly between base - stride and base + stride.
  const int64_t sizes[2] = {want.h, want.w}, bases[2] = {base.h, base.w}, strides[2] = {s.h, s.w};
  for (int d = 0; d < 2; ++d)
    CNN_CHECK(bases[d] - strides[d] < sizes[d] && sizes[d] < bases[d] + strides[d],
              "max_unpool2d: invalid output_size ({}, {}) (dim {} must be between {} and {})", want.h, want.w, d,
              bases[d] - strides[d], bases[d] + strides[d]);
  return want;
}

Tensor max_unpool2d(const Tensor& x, const Tensor& indices, const MaxUnpool2dOptions& options) {
  CNN_CHECK(x.defined() && indices.defined(), "max_unpool2d: input and indices must be defined");
  CNN_CHECK(x.dim() == 3 || x.dim() == 4,
            "max_unpool2d: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape {}", x.shape());
  CNN_CHECK(x.dtype() == DType::f32 && indices.dtype() == DType::i64,
            "max_unpool2d: expected float32 input and int64 indices, got {} and {}", dtype_name(x.dtype()),
            dtype_name(indices.dtype()));
  CNN_CHECK(indices.shape() == x.shape(), "max_unpool2d: expected indices of the input's shape {}, got indices {}",
            x.shape(), indices.shape());
  const Pair2 out = max_unpool2d_output_size({x.size(-2), x.size(-1)}, options);
  const Tensor xb = x.dim() == 3 ? x.unsqueeze(0) : x;
  const Tensor ib = (indices.dim() == 3 ? indices.unsqueeze(0) : indices).contiguous();
  const int64_t* I = ib.data<int64_t>();
  const auto [lo, hi] = std::minmax_element(I, I + ib.numel());
  CNN_CHECK(ib.numel() == 0 || (*lo >= 0 && *hi < out.h * out.w),
            "max_unpool2d: found an invalid max index {} (output planes are of size {}x{}) for input {}",
            *lo < 0 ? *lo : *hi, out.h, out.w, x.shape());

  Tensor y = backend().max_unpool2d_forward(xb.detach(), ib, out.h, out.w);
  y = record("MaxUnpool2DBackward", y, {xb}, [ib](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().max_unpool2d_backward(dy, ib)};
  });
  return x.dim() == 3 ? y.squeeze(0) : y;
}

}  // namespace cnn

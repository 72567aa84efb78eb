// interpolate (F.interpolate for 4-D input): argument checks, the output size rule and autograd.
// Not the index arithmetic: backend().resampling_* computes with PyTorch's nearest and bilinear rules.
#include <cnn/ops.h>

#include <cmath>

namespace cnn {

Pair2 interpolate_output_size(Pair2 in, const InterpolateOptions& o) {
  CNN_CHECK(o.size || o.scale_factor, "interpolate: either size or scale_factor should be defined");
  CNN_CHECK(!(o.size && o.scale_factor), "interpolate: only one of size or scale_factor should be defined");
  if (o.size) {
    CNN_CHECK(o.size->h > 0 && o.size->w > 0, "interpolate: size must be positive, got ({}, {})", o.size->h,
              o.size->w);
    return *o.size;
  }
  const Scale2 s = *o.scale_factor;
  CNN_CHECK(s.h > 0.0 && s.w > 0.0, "interpolate: scale_factor must be positive, got ({}, {})", s.h, s.w);
  // PyTorch: floor(float(in) * scale), in double precision.
  const Pair2 out{static_cast<int64_t>(std::floor(static_cast<double>(in.h) * s.h)),
                  static_cast<int64_t>(std::floor(static_cast<double>(in.w) * s.w))};
  CNN_CHECK(out.h > 0 && out.w > 0,
            "interpolate: scale_factor ({}, {}) gives an empty output ({} x {}) for input size ({}, {})", s.h, s.w,
            out.h, out.w, in.h, in.w);
  return out;
}

Tensor interpolate(const Tensor& x, const InterpolateOptions& o) {
  CNN_CHECK(x.defined(), "interpolate: input is undefined");
  CNN_CHECK(x.dim() == 4, "interpolate: expected 4-D input [N, C, H, W], got input of shape {}", x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "interpolate: expected float32 input, got {}", dtype_name(x.dtype()));
  CNN_CHECK(o.mode == "nearest" || o.mode == "bilinear",
            "interpolate: mode must be \"nearest\" or \"bilinear\", got \"{}\"", o.mode);
  CNN_CHECK(o.mode == "bilinear" || !o.align_corners,
            "interpolate: align_corners can only be set with mode \"bilinear\", got mode \"{}\"", o.mode);
  const Pair2 out = interpolate_output_size({x.size(2), x.size(3)}, o);
  ResamplingParams p;
  p.kind = o.mode == "nearest" ? ResamplingKind::nearest : ResamplingKind::bilinear;
  p.align_corners = o.align_corners.value_or(false);
  p.out_h = out.h, p.out_w = out.w;
  if (o.scale_factor) p.scale_h = o.scale_factor->h, p.scale_w = o.scale_factor->w;

  Tensor y = backend().resampling_forward(x.detach(), p);
  const char* node = p.kind == ResamplingKind::nearest ? "UpsampleNearest2DBackward" : "UpsampleBilinear2DBackward";
  return record(node, y, {x}, [x_shape = x.shape(), p](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().resampling_backward(dy, x_shape, p)};
  });
}

}  // namespace cnn

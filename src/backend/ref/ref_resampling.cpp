// RefBackend resampling (interpolate): nearest and bilinear with PyTorch's CPU index rules, in float as PyTorch
// computes them for float tensors. Clean, minimal reference loops, forward next to backward.
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cnn {

namespace {

Tensor dense(const Tensor& t) { return raw::contiguous(t); }

// PyTorch's compute_scales_value: 1/scale_factor when the user gave one, else in/out.
float scale_of(int64_t in, int64_t out, double user_scale) {
  return user_scale > 0.0 ? static_cast<float>(1.0 / user_scale) : static_cast<float>(in) / static_cast<float>(out);
}

// Where output index o reads along one dimension: i0 and i1 with weights l0 and l1 (nearest: i0 only, l0 = 1).
struct Tap {
  int64_t i0, i1;
  float l0, l1;
};

std::vector<Tap> taps(int64_t in, int64_t out, double user_scale, const ResamplingParams& p) {
  std::vector<Tap> t(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    Tap& tap = t[static_cast<size_t>(o)];
    if (out == in) {
      tap = {o, o, 1.0f, 0.0f};
    } else if (p.kind == ResamplingKind::nearest) {
      // nearest_idx: exact halving for a doubled size, else floor(o * scale) clamped to the input.
      const int64_t i = out == 2 * in ? o >> 1
                                      : std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) *
                                                                                 scale_of(in, out, user_scale))),
                                                 in - 1);
      tap = {i, i, 1.0f, 0.0f};
    } else {
      // area_pixel_compute_scale and _source_index: corners aligned, or half-pixel centres clamped at 0.
      const float ratio = p.align_corners ? (out > 1 ? static_cast<float>(in - 1) / static_cast<float>(out - 1) : 0.0f)
                                          : scale_of(in, out, user_scale);
      const float real = p.align_corners ? ratio * static_cast<float>(o)
                                         : std::max(static_cast<float>(ratio * (o + 0.5) - 0.5), 0.0f);
      const int64_t i0 = static_cast<int64_t>(real);
      const float l1 = real - static_cast<float>(i0);
      tap = {i0, i0 + (i0 < in - 1 ? 1 : 0), 1.0f - l1, l1};
    }
  }
  return t;
}

}  // namespace

// x [N, C, H, W] -> y [N, C, out_h, out_w]: y = sum over the (h, w) taps of lh * lw * x[h, w].
Tensor RefBackend::resampling_forward(const Tensor& x, const ResamplingParams& p) {
  const int64_t planes = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const std::vector<Tap> th = taps(H, p.out_h, p.scale_h, p), tw = taps(W, p.out_w, p.scale_w, p);
  const Tensor xc = dense(x);
  Tensor y = Tensor::empty({x.size(0), x.size(1), p.out_h, p.out_w});
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* X = xc.data<float>() + plane * H * W;
    float* Y = y.data<float>() + plane * p.out_h * p.out_w;
    for (int64_t oh = 0; oh < p.out_h; ++oh) {
      const Tap& h = th[static_cast<size_t>(oh)];
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Tap& w = tw[static_cast<size_t>(ow)];
        Y[oh * p.out_w + ow] = h.l0 * (w.l0 * X[h.i0 * W + w.i0] + w.l1 * X[h.i0 * W + w.i1]) +
                               h.l1 * (w.l0 * X[h.i1 * W + w.i0] + w.l1 * X[h.i1 * W + w.i1]);
      }
    }
  }
  return y;
}

// dy [N, C, out_h, out_w] -> dx of x_shape: each output gradient goes back to its taps with the same weights.
Tensor RefBackend::resampling_backward(const Tensor& dy, const Shape& x_shape, const ResamplingParams& p) {
  const int64_t planes = x_shape[0] * x_shape[1], H = x_shape[2], W = x_shape[3];
  const std::vector<Tap> th = taps(H, p.out_h, p.scale_h, p), tw = taps(W, p.out_w, p.scale_w, p);
  const Tensor dyc = dense(dy);
  Tensor dx = zeros(x_shape);
  for (int64_t plane = 0; plane < planes; ++plane) {
    const float* DY = dyc.data<float>() + plane * p.out_h * p.out_w;
    float* DX = dx.data<float>() + plane * H * W;
    for (int64_t oh = 0; oh < p.out_h; ++oh) {
      const Tap& h = th[static_cast<size_t>(oh)];
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Tap& w = tw[static_cast<size_t>(ow)];
        const float g = DY[oh * p.out_w + ow];
        DX[h.i0 * W + w.i0] += h.l0 * w.l0 * g;
        DX[h.i0 * W + w.i1] += h.l0 * w.l1 * g;
        DX[h.i1 * W + w.i0] += h.l1 * w.l0 * g;
        DX[h.i1 * W + w.i1] += h.l1 * w.l1 * g;
      }
    }
  }
  return dx;
}

}  // namespace cnn

// RefBackend pooling: clean, minimal reference loops for max/average and adaptive pooling, as PyTorch's CPU kernels.
// No intrinsics, no threads: the specification the oneDNN kernels are tested against.
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace cnn {

namespace {

Tensor dense(const Tensor& t) { return raw::contiguous(t); }

// The window of output element o along one dimension for average pooling, as PyTorch's avg_pool2d:
// [start, end) clipped to the input, and the divisor (include_pad: the window clipped to the padded input).
struct AvgWindow {
  int64_t start, end, padded_size;
};
AvgWindow avg_window(int64_t o, int64_t in, int64_t kernel, int64_t stride, int64_t pad) {
  const int64_t start = o * stride - pad;
  const int64_t end = std::min(start + kernel, in + pad);
  return {std::max<int64_t>(start, 0), std::min(end, in), end - start};
}

int64_t avg_divisor(const AvgWindow& h, const AvgWindow& w, PoolKind kind) {
  if (kind == PoolKind::avg_include_pad) return h.padded_size * w.padded_size;
  return (h.end - h.start) * (w.end - w.start);
}

// Maximum of one (H x W) plane over rows [h0, h1) and columns [w0, w1) stepped by the dilations, with its flat
// index h*W+w. The first maximum in row-major order wins; a NaN always wins, so NaN propagates (PyTorch's rule).
std::pair<float, int64_t> window_max(const float* X, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1,
                                     int64_t dilation_h = 1, int64_t dilation_w = 1) {
  float best = -std::numeric_limits<float>::infinity();
  int64_t best_i = h0 * W + w0;
  for (int64_t ih = h0; ih < h1; ih += dilation_h)
    for (int64_t iw = w0; iw < w1; iw += dilation_w) {
      const float v = X[ih * W + iw];
      if (v > best || std::isnan(v)) {
        best = v;
        best_i = ih * W + iw;
      }
    }
  return {best, best_i};
}

// Sum of one (H x W) plane over rows [h0, h1) and columns [w0, w1).
double window_sum(const float* X, int64_t W, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
  double acc = 0.0;
  for (int64_t ih = h0; ih < h1; ++ih)
    for (int64_t iw = w0; iw < w1; ++iw) acc += X[ih * W + iw];
  return acc;
}

// Adaptive pooling bins: [floor(o*in/out), ceil((o+1)*in/out)).
int64_t adaptive_start(int64_t o, int64_t in, int64_t out) { return (o * in) / out; }
int64_t adaptive_end(int64_t o, int64_t in, int64_t out) { return ((o + 1) * in + out - 1) / out; }

}  // namespace

// x [N, C, H, W] -> {y [N, C, out_h, out_w], indices i64 of y's shape (max only: flat h*W+w per plane)}.
// Max: see window_max. Average: windows ignore dilation (PyTorch's avg_pool2d has none); an empty window gives 0.
std::pair<Tensor, Tensor> RefBackend::pool2d_forward(const Tensor& x, const PoolParams& p) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const Tensor xc = dense(x);
  Tensor y = Tensor::empty({N, C, p.out_h, p.out_w});
  Tensor indices;
  if (p.kind == PoolKind::max) indices = Tensor::empty({N, C, p.out_h, p.out_w}, DType::i64);
  for (int64_t plane = 0; plane < N * C; ++plane) {
    const float* X = xc.data<float>() + plane * H * W;
    float* Y = y.data<float>() + plane * p.out_h * p.out_w;
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const int64_t o = oh * p.out_w + ow;
        if (p.kind == PoolKind::max) {
          // The dilated window clipped to the input: skip taps in the top/left padding, stop at the edge.
          int64_t h0 = oh * p.stride_h - p.pad_h, w0 = ow * p.stride_w - p.pad_w;
          const int64_t h1 = std::min(h0 + (p.kernel_h - 1) * p.dilation_h + 1, H);
          const int64_t w1 = std::min(w0 + (p.kernel_w - 1) * p.dilation_w + 1, W);
          while (h0 < 0) h0 += p.dilation_h;
          while (w0 < 0) w0 += p.dilation_w;
          const auto [best, best_i] = window_max(X, W, h0, h1, w0, w1, p.dilation_h, p.dilation_w);
          Y[o] = best;
          indices.data<int64_t>()[plane * p.out_h * p.out_w + o] = best_i;
        } else {
          const AvgWindow wh = avg_window(oh, H, p.kernel_h, p.stride_h, p.pad_h);
          const AvgWindow ww = avg_window(ow, W, p.kernel_w, p.stride_w, p.pad_w);
          const bool empty = wh.start >= wh.end || ww.start >= ww.end;
          const double sum = window_sum(X, W, wh.start, wh.end, ww.start, ww.end);
          Y[o] = empty ? 0.0f : static_cast<float>(sum / static_cast<double>(avg_divisor(wh, ww, p.kind)));
        }
      }
  }
  return {y, indices};
}

// dy [N, C, out_h, out_w], indices (max) -> dx of x_shape [N, C, H, W].
// Max: each gradient goes to its recorded argmax; average: spread evenly over the window, divided as forward.
Tensor RefBackend::pool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape,
                                   const PoolParams& p) {
  const int64_t N = x_shape[0], C = x_shape[1], H = x_shape[2], W = x_shape[3];
  const Tensor dyc = dense(dy);
  const Tensor ic = p.kind == PoolKind::max ? dense(indices) : Tensor();
  Tensor dx = zeros(x_shape);
  for (int64_t plane = 0; plane < N * C; ++plane) {
    const float* DY = dyc.data<float>() + plane * p.out_h * p.out_w;
    float* DX = dx.data<float>() + plane * H * W;
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const int64_t o = oh * p.out_w + ow;
        if (p.kind == PoolKind::max) {
          DX[ic.data<int64_t>()[plane * p.out_h * p.out_w + o]] += DY[o];
          continue;
        }
        const AvgWindow wh = avg_window(oh, H, p.kernel_h, p.stride_h, p.pad_h);
        const AvgWindow ww = avg_window(ow, W, p.kernel_w, p.stride_w, p.pad_w);
        if (wh.start >= wh.end || ww.start >= ww.end) continue;
        const float g = DY[o] / static_cast<float>(avg_divisor(wh, ww, p.kind));
        for (int64_t ih = wh.start; ih < wh.end; ++ih)
          for (int64_t iw = ww.start; iw < ww.end; ++iw) DX[ih * W + iw] += g;
      }
  }
  return dx;
}

// x [N, C, H, W] -> {y [N, C, out_h, out_w], indices i64 (max only: flat h*W+w per plane)}.
// Bin (i, j) covers rows [floor(i*H/out_h), ceil((i+1)*H/out_h)) and likewise for columns; max as window_max.
std::pair<Tensor, Tensor> RefBackend::adaptive_pool2d_forward(const Tensor& x, bool is_max, int64_t out_h,
                                                              int64_t out_w) {
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const Tensor xc = dense(x);
  Tensor y = Tensor::empty({N, C, out_h, out_w});
  Tensor indices = is_max ? Tensor::empty({N, C, out_h, out_w}, DType::i64) : Tensor();
  for (int64_t plane = 0; plane < N * C; ++plane) {
    const float* X = xc.data<float>() + plane * H * W;
    float* Y = y.data<float>() + plane * out_h * out_w;
    for (int64_t oh = 0; oh < out_h; ++oh)
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const int64_t h0 = adaptive_start(oh, H, out_h), h1 = adaptive_end(oh, H, out_h);
        const int64_t w0 = adaptive_start(ow, W, out_w), w1 = adaptive_end(ow, W, out_w);
        const int64_t o = oh * out_w + ow;
        if (is_max) {
          const auto [best, best_i] = window_max(X, W, h0, h1, w0, w1);
          Y[o] = best;
          indices.data<int64_t>()[plane * out_h * out_w + o] = best_i;
        } else {
          Y[o] = static_cast<float>(window_sum(X, W, h0, h1, w0, w1) / static_cast<double>((h1 - h0) * (w1 - w0)));
        }
      }
  }
  return {y, indices};
}

// dy [N, C, out_h, out_w], indices (max) -> dx of x_shape [N, C, H, W].
Tensor RefBackend::adaptive_pool2d_backward(const Tensor& dy, const Tensor& indices, bool is_max,
                                            const Shape& x_shape) {
  const int64_t N = x_shape[0], C = x_shape[1], H = x_shape[2], W = x_shape[3];
  const int64_t out_h = dy.size(2), out_w = dy.size(3);
  const Tensor dyc = dense(dy);
  const Tensor ic = is_max ? dense(indices) : Tensor();
  Tensor dx = zeros(x_shape);
  for (int64_t plane = 0; plane < N * C; ++plane) {
    const float* DY = dyc.data<float>() + plane * out_h * out_w;
    float* DX = dx.data<float>() + plane * H * W;
    for (int64_t oh = 0; oh < out_h; ++oh)
      for (int64_t ow = 0; ow < out_w; ++ow) {
        const int64_t o = oh * out_w + ow;
        if (is_max) {
          DX[ic.data<int64_t>()[plane * out_h * out_w + o]] += DY[o];
          continue;
        }
        const int64_t h0 = adaptive_start(oh, H, out_h), h1 = adaptive_end(oh, H, out_h);
        const int64_t w0 = adaptive_start(ow, W, out_w), w1 = adaptive_end(ow, W, out_w);
        const float g = DY[o] / static_cast<float>((h1 - h0) * (w1 - w0));
        for (int64_t ih = h0; ih < h1; ++ih)
          for (int64_t iw = w0; iw < w1; ++iw) DX[ih * W + iw] += g;
      }
  }
  return dx;
}

}  // namespace cnn

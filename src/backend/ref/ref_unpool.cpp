// RefBackend max unpooling: clean, minimal reference loops, forward (scatter by index) next to backward (gather).
// oneDNN has no unpooling primitive, so every backend runs these.
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {
Tensor dense(const Tensor& t) { return raw::contiguous(t); }
}  // namespace

// x [N, C, H, W], indices i64 [N, C, H, W] -> y [N, C, out_h, out_w]: y[plane][indices[i]] = x[i], else 0.
// Row-major order, so of repeated indices the last wins (as PyTorch's CPU kernel).
Tensor RefBackend::max_unpool2d_forward(const Tensor& x, const Tensor& indices, int64_t out_h, int64_t out_w) {
  const int64_t planes = x.size(0) * x.size(1), in_size = x.size(2) * x.size(3), out_size = out_h * out_w;
  const Tensor xc = dense(x), ic = dense(indices);
  Tensor y = zeros({x.size(0), x.size(1), out_h, out_w});
  const float* X = xc.data<float>();
  const int64_t* I = ic.data<int64_t>();
  float* Y = y.data<float>();
  for (int64_t plane = 0; plane < planes; ++plane)
    for (int64_t i = 0; i < in_size; ++i) Y[plane * out_size + I[plane * in_size + i]] = X[plane * in_size + i];
  return y;
}

// dy [N, C, out_h, out_w], indices [N, C, H, W] -> dx [N, C, H, W]: dx[i] = dy[plane][indices[i]].
Tensor RefBackend::max_unpool2d_backward(const Tensor& dy, const Tensor& indices) {
  const int64_t planes = indices.size(0) * indices.size(1), in_size = indices.size(2) * indices.size(3);
  const int64_t out_size = dy.size(2) * dy.size(3);
  const Tensor dyc = dense(dy), ic = dense(indices);
  Tensor dx = Tensor::empty(indices.shape());
  const float* DY = dyc.data<float>();
  const int64_t* I = ic.data<int64_t>();
  float* DX = dx.data<float>();
  for (int64_t plane = 0; plane < planes; ++plane)
    for (int64_t i = 0; i < in_size; ++i) DX[plane * in_size + i] = DY[plane * out_size + I[plane * in_size + i]];
  return dx;
}

}  // namespace cnn

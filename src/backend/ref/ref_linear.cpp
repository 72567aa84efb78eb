// Reference fully connected layer and batched matrix multiply. Clean, minimal loops in i-k-j order
// (the compiler vectorises the inner j loop); accumulation in float, as BLAS does.
#include "backend/ref/gemm.h"
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

using ref::gemm_nn;

namespace {

// Row-major f32 copies: bf16 operands (autocast) widen exactly, so the loops accumulate bf16 products in f32.
Tensor dense(const Tensor& t) { return raw::contiguous(raw::cast(t, DType::f32)); }
Tensor transposed_contiguous(const Tensor& t) { return dense(raw::transpose(t, -1, -2)); }

}  // namespace

// x [N, I], w [O, I], b [O] -> y [N, O]
Tensor RefBackend::linear_forward(const Tensor& x_in, const Tensor& w, const Tensor& b) {
  const Tensor x = dense(x_in);
  const Tensor wt = transposed_contiguous(w);  // [I, O]
  const int64_t N = x.shape()[0], I = x.shape()[1], O = w.shape()[0];
  Tensor y = zeros({N, O});
  gemm_nn(x.data<float>(), wt.data<float>(), y.data<float>(), N, I, O);
  if (b.defined()) {
    const Tensor bc = raw::contiguous(b);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < O; ++o) y.data<float>()[n * O + o] += bc.data<float>()[o];
  }
  return y;
}

// dy [N, O], w [O, I] -> dx [N, I] = dy w
Tensor RefBackend::linear_backward_data(const Tensor& dy_in, const Tensor& w_in) {
  const Tensor dy = dense(dy_in), w = dense(w_in);
  const int64_t N = dy.shape()[0], O = dy.shape()[1], I = w.shape()[1];
  Tensor dx = zeros({N, I});
  gemm_nn(dy.data<float>(), w.data<float>(), dx.data<float>(), N, O, I);
  return dx;
}

// dy [N, O], x [N, I] -> dw [O, I] = dy^T x, db [O] = sum_n dy
std::pair<Tensor, Tensor> RefBackend::linear_backward_weights(const Tensor& dy_in, const Tensor& x_in,
                                                              bool with_bias) {
  const Tensor dyt = transposed_contiguous(dy_in), x = dense(x_in);  // dyt [O, N]
  const int64_t O = dyt.shape()[0], N = dyt.shape()[1], I = x.shape()[1];
  Tensor dw = zeros({O, I});
  gemm_nn(dyt.data<float>(), x.data<float>(), dw.data<float>(), O, N, I);
  Tensor db;
  if (with_bias) {
    db = zeros({O});
    for (int64_t o = 0; o < O; ++o)
      for (int64_t n = 0; n < N; ++n) db.data<float>()[o] += dyt.data<float>()[o * N + n];
  }
  return {dw, db};
}

// a [B, M, K] (or [B, K, M] when trans_a), b [B, K, N] (or [B, N, K] when trans_b) -> [B, M, N]
Tensor RefBackend::matmul(const Tensor& a_in, const Tensor& b_in, bool trans_a, bool trans_b) {
  const Tensor a = trans_a ? transposed_contiguous(a_in) : dense(a_in);
  const Tensor b = trans_b ? transposed_contiguous(b_in) : dense(b_in);
  const int64_t B = a.shape()[0], M = a.shape()[1], K = a.shape()[2], N = b.shape()[2];
  Tensor c = zeros({B, M, N});
  for (int64_t i = 0; i < B; ++i)
    gemm_nn(a.data<float>() + i * M * K, b.data<float>() + i * K * N, c.data<float>() + i * M * N, M, K, N);
  return c;
}

}  // namespace cnn

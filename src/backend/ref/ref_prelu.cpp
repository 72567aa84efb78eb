// RefBackend PReLU: clean, minimal reference loops over x seen as [N, C, L] (the channel is dim 1), forward next
// to backward, with double accumulators for the slopes' gradient. Not the checks (ops/eltwise.cpp does them).
#include <vector>

#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

// x [N, C, *] seen as [N, C, L] for w [C]; one shared slope (w [1]) sees the whole tensor as one channel.
struct PreluDims {
  int64_t N, C, L;
};
PreluDims prelu_dims(const Shape& s, int64_t slopes) {
  if (slopes == 1) return {1, 1, s.numel()};
  PreluDims d{s[0], s[1], 1};
  for (int64_t i = 2; i < s.dim(); ++i) d.L *= s[i];
  return d;
}

}  // namespace

// x [N, C, *], w [1] or [C] -> y (contiguous) = x > 0 ? x : w[c] x.
Tensor RefBackend::prelu_forward(const Tensor& x_in, const Tensor& w_in) {
  const Tensor x = raw::contiguous(x_in), w = raw::contiguous(w_in);
  const PreluDims d = prelu_dims(x.shape(), w.numel());
  Tensor y = Tensor::empty(x.shape());
  const float *X = x.data<float>(), *W = w.data<float>();
  float* Y = y.data<float>();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t c = 0; c < d.C; ++c)
      for (int64_t l = 0; l < d.L; ++l) {
        const int64_t i = (n * d.C + c) * d.L + l;
        Y[i] = X[i] > 0 ? X[i] : W[c] * X[i];
      }
  return y;
}

// dy, x [N, C, *] -> dx (contiguous) = x > 0 ? dy : w[c] dy; dw [C] (or [1]) = sum over n, l of x dy where x <= 0.
// At x == 0 the slope is w[c], as PyTorch's.
Backend::PreluGrads RefBackend::prelu_backward(const Tensor& dy_in, const Tensor& x_in, const Tensor& w_in,
                                               bool need_dx, bool need_dw) {
  const Tensor x = raw::contiguous(x_in), w = raw::contiguous(w_in), dy = raw::contiguous(dy_in);
  const PreluDims d = prelu_dims(x.shape(), w.numel());
  const float *X = x.data<float>(), *W = w.data<float>(), *DY = dy.data<float>();
  PreluGrads g;
  if (need_dx) g.dx = Tensor::empty(x.shape());
  float* DX = need_dx ? g.dx.data<float>() : nullptr;
  std::vector<double> dw(static_cast<size_t>(d.C), 0.0);
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t c = 0; c < d.C; ++c)
      for (int64_t l = 0; l < d.L; ++l) {
        const int64_t i = (n * d.C + c) * d.L + l;
        const bool positive = X[i] > 0;
        if (DX) DX[i] = positive ? DY[i] : W[c] * DY[i];
        if (!positive) dw[static_cast<size_t>(c)] += static_cast<double>(X[i]) * DY[i];
      }
  if (need_dw) {
    g.dw = Tensor::empty(w.shape());
    float* DW = g.dw.data<float>();
    for (int64_t c = 0; c < d.C; ++c) DW[c] = static_cast<float>(dw[static_cast<size_t>(c)]);
  }
  return g;
}

}  // namespace cnn

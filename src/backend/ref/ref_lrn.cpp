// RefBackend local response normalisation across channels: clean, minimal reference loops with double
// accumulators, forward next to backward. PyTorch's window and scaling (see LrnParams in backend.h).
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace cnn {

namespace {

Tensor dense(const Tensor& t) { return raw::contiguous(t); }

// x [N, C, *] seen as [N, C, L].
struct LrnDims {
  int64_t N, C, L;
};
LrnDims lrn_dims(const Shape& s) {
  LrnDims d{s[0], s[1], 1};
  for (int64_t i = 2; i < s.dim(); ++i) d.L *= s[i];
  return d;
}

// d[c] = k + alpha/size * sum of x[c']^2 over c' in [c - size/2, c + (size-1)/2] (clipped to the channels), for
// the channel column of x starting at X with stride L.
void lrn_denominators(const float* X, const LrnDims& d, const LrnParams& p, std::vector<double>& den) {
  for (int64_t c = 0; c < d.C; ++c) {
    const int64_t lo = std::max<int64_t>(c - p.size / 2, 0), hi = std::min<int64_t>(c + (p.size - 1) / 2, d.C - 1);
    double s = 0.0;
    for (int64_t j = lo; j <= hi; ++j) s += static_cast<double>(X[j * d.L]) * X[j * d.L];
    den[static_cast<size_t>(c)] = p.k + p.alpha / static_cast<double>(p.size) * s;
  }
}

}  // namespace

// x [N, C, *] -> y = x * d^-beta (d from lrn_denominators), like x.
Tensor RefBackend::lrn_forward(const Tensor& x, const LrnParams& p) {
  const LrnDims d = lrn_dims(x.shape());
  const Tensor xc = dense(x);
  Tensor y = Tensor::empty(x.shape());
  std::vector<double> den(static_cast<size_t>(d.C));
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t l = 0; l < d.L; ++l) {
      const float* X = xc.data<float>() + n * d.C * d.L + l;
      float* Y = y.data<float>() + n * d.C * d.L + l;
      lrn_denominators(X, d, p, den);
      for (int64_t c = 0; c < d.C; ++c) Y[c * d.L] = static_cast<float>(X[c * d.L] * std::pow(den[c], -p.beta));
    }
  return y;
}

// dy, x [N, C, *] -> dx. With y_c = x_c d_c^-beta and d_c summing x_i^2 for i in window(c):
//   dx_i = dy_i d_i^-beta - 2 alpha beta / size * x_i * sum over {c : i in window(c)} of dy_c x_c d_c^(-beta-1),
// where i in window(c) exactly when c lies in [i - (size-1)/2, i + size/2].
Tensor RefBackend::lrn_backward(const Tensor& dy, const Tensor& x, const LrnParams& p) {
  const LrnDims d = lrn_dims(x.shape());
  const Tensor xc = dense(x), dyc = dense(dy);
  Tensor dx = Tensor::empty(x.shape());
  std::vector<double> den(static_cast<size_t>(d.C)), t(den);
  const double scale = 2.0 * p.alpha * p.beta / static_cast<double>(p.size);
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t l = 0; l < d.L; ++l) {
      const int64_t base = n * d.C * d.L + l;
      const float *X = xc.data<float>() + base, *DY = dyc.data<float>() + base;
      float* DX = dx.data<float>() + base;
      lrn_denominators(X, d, p, den);
      for (int64_t c = 0; c < d.C; ++c)
        t[c] = DY[c * d.L] * static_cast<double>(X[c * d.L]) * std::pow(den[c], -p.beta - 1.0);
      for (int64_t i = 0; i < d.C; ++i) {
        const int64_t lo = std::max<int64_t>(i - (p.size - 1) / 2, 0), hi = std::min<int64_t>(i + p.size / 2, d.C - 1);
        double s = 0.0;
        for (int64_t c = lo; c <= hi; ++c) s += t[c];
        DX[i * d.L] = static_cast<float>(DY[i * d.L] * std::pow(den[i], -p.beta) - scale * X[i * d.L] * s);
      }
    }
  return dx;
}

}  // namespace cnn

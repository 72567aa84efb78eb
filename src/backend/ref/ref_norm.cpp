// RefBackend batch normalisation: clean, minimal reference loops with double accumulators.
// No intrinsics, no threads: the specification the oneDNN kernels are tested against.
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

#include <cmath>
#include <vector>

namespace cnn {

namespace {

Tensor dense(const Tensor& t) { return raw::contiguous(t); }

// x [N, C, *] seen as [N, C, L], L the product of the trailing sizes (1 for [N, C]).
struct NormDims {
  int64_t N, C, L;
};
NormDims norm_dims(const Shape& s) {
  NormDims d{s[0], s[1], 1};
  for (int64_t i = 2; i < s.dim(); ++i) d.L *= s[i];
  return d;
}

// Per-channel values of an optional [C] tensor, or `fallback` everywhere when it is undefined.
std::vector<float> per_channel(const Tensor& t, int64_t C, float fallback) {
  if (!t.defined()) return std::vector<float>(static_cast<size_t>(C), fallback);
  return t.to_vector<float>();
}

// y = (x - mean[c]) * invstd[c] * gamma[c] + beta[c], over x [N, C, L].
Tensor normalize(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& invstd,
                 const Tensor& gamma, const Tensor& beta) {
  const NormDims d = norm_dims(x.shape());
  const std::vector<float> g = per_channel(gamma, d.C, 1.0f), b = per_channel(beta, d.C, 0.0f);
  const Tensor xc = dense(x);
  const float* X = xc.data<float>();
  Tensor y = Tensor::empty(x.shape());
  float* Y = y.data<float>();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t c = 0; c < d.C; ++c) {
      const size_t ci = static_cast<size_t>(c);
      const double scale = invstd[ci] * g[ci];
      for (int64_t l = 0; l < d.L; ++l) {
        const int64_t i = (n * d.C + c) * d.L + l;
        Y[i] = static_cast<float>((X[i] - mean[ci]) * scale + b[ci]);
      }
    }
  return y;
}

Tensor from_doubles(const std::vector<double>& v) {
  std::vector<float> f(v.begin(), v.end());
  return from_vector(f, {static_cast<int64_t>(v.size())});
}

}  // namespace

// x [N, C, *], gamma/beta [C] or undefined -> {y like x, batch mean [C], biased var [C], invstd [C]}.
// mean and var over every axis but 1; invstd = 1 / sqrt(var + eps).
Backend::BatchNormStats RefBackend::batchnorm_forward_training(const Tensor& x, const Tensor& gamma,
                                                               const Tensor& beta, double eps) {
  const NormDims d = norm_dims(x.shape());
  const Tensor xc = dense(x);
  const float* X = xc.data<float>();
  const double count = static_cast<double>(d.N * d.L);
  std::vector<double> mean(static_cast<size_t>(d.C), 0.0), var(mean), invstd(mean);
  for (int64_t c = 0; c < d.C; ++c) {
    const size_t ci = static_cast<size_t>(c);
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t l = 0; l < d.L; ++l) mean[ci] += X[(n * d.C + c) * d.L + l];
    mean[ci] /= count;
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t l = 0; l < d.L; ++l) {
        const double centred = X[(n * d.C + c) * d.L + l] - mean[ci];
        var[ci] += centred * centred;
      }
    var[ci] /= count;
    invstd[ci] = 1.0 / std::sqrt(var[ci] + eps);
  }
  return {normalize(xc, mean, invstd, gamma, beta), from_doubles(mean), from_doubles(var), from_doubles(invstd)};
}

// x [N, C, *], gamma/beta [C] or undefined, mean/var [C] (running statistics) -> y like x.
Tensor RefBackend::batchnorm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                               const Tensor& mean, const Tensor& var, double eps) {
  const std::vector<float> m = mean.to_vector<float>(), v = var.to_vector<float>();
  std::vector<double> md(m.begin(), m.end()), invstd(v.size());
  for (size_t c = 0; c < v.size(); ++c) invstd[c] = 1.0 / std::sqrt(static_cast<double>(v[c]) + eps);
  return normalize(x, md, invstd, gamma, beta);
}

// dy, x [N, C, *], gamma [C] or undefined, mean/invstd [C] (the statistics forward used) -> {dx, dgamma, dbeta}.
// With xhat = (x - mean) * invstd and M = N * L elements per channel:
//   dbeta = sum dy, dgamma = sum dy * xhat, dx = gamma * invstd / M * (M * dy - dbeta - xhat * dgamma).
// dx is the training-mode gradient (through the batch statistics); dgamma and dbeta hold in either mode.
Backend::BatchNormGrads RefBackend::batchnorm_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                                       const Tensor& mean, const Tensor& invstd, bool need_dx,
                                                       bool need_affine) {
  const NormDims d = norm_dims(x.shape());
  const Tensor xc = dense(x), dyc = dense(dy);
  const float* X = xc.data<float>();
  const float* DY = dyc.data<float>();
  const std::vector<float> g = per_channel(gamma, d.C, 1.0f), m = mean.to_vector<float>(),
                           is = invstd.to_vector<float>();
  std::vector<double> sum_dy(static_cast<size_t>(d.C), 0.0), sum_dy_xhat(sum_dy);
  for (int64_t c = 0; c < d.C; ++c) {
    const size_t ci = static_cast<size_t>(c);
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t l = 0; l < d.L; ++l) {
        const int64_t i = (n * d.C + c) * d.L + l;
        sum_dy[ci] += DY[i];
        sum_dy_xhat[ci] += static_cast<double>(DY[i]) * (X[i] - m[ci]) * is[ci];
      }
  }
  BatchNormGrads grads;
  if (need_affine) {
    grads.dgamma = from_doubles(sum_dy_xhat);
    grads.dbeta = from_doubles(sum_dy);
  }
  if (need_dx) {
    const double count = static_cast<double>(d.N * d.L);
    grads.dx = Tensor::empty(x.shape());
    float* DX = grads.dx.data<float>();
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t c = 0; c < d.C; ++c) {
        const size_t ci = static_cast<size_t>(c);
        for (int64_t l = 0; l < d.L; ++l) {
          const int64_t i = (n * d.C + c) * d.L + l;
          const double xhat = (X[i] - m[ci]) * is[ci];
          DX[i] = static_cast<float>(g[ci] * is[ci] / count *
                                     (count * DY[i] - sum_dy[ci] - xhat * sum_dy_xhat[ci]));
        }
      }
  }
  return grads;
}

}  // namespace cnn

// Reference softmax / log-softmax along a dimension and the negative log-likelihood rows behind
// cross_entropy and nll_loss. Clean, minimal: the softmax dimension is moved last and each row is processed.
#include <cmath>

#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

// x with `dim` moved last, contiguous, and the permutation that moves it back.
std::pair<Tensor, std::vector<int64_t>> dim_last(const Tensor& x, int64_t dim) {
  std::vector<int64_t> perm, inverse(x.shape().size());
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != dim) perm.push_back(d);
  perm.push_back(dim);
  for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return {raw::contiguous(raw::permute(x, perm)), inverse};
}

}  // namespace

Tensor RefBackend::softmax_forward(const Tensor& x, int64_t dim, bool log) {
  auto [in, inverse] = dim_last(x, dim);
  Tensor out = empty_like(in);
  const int64_t C = x.shape()[dim], rows = C == 0 ? 0 : in.numel() / C;
  for (int64_t r = 0; r < rows; ++r) {
    const float* xi = in.data<float>() + r * C;
    float* yo = out.data<float>() + r * C;
    float mx = -INFINITY;
    for (int64_t c = 0; c < C; ++c) mx = std::max(mx, xi[c]);
    double total = 0.0;
    for (int64_t c = 0; c < C; ++c) total += std::exp(double(xi[c] - mx));
    const double log_total = std::log(total);
    for (int64_t c = 0; c < C; ++c)
      yo[c] = log ? static_cast<float>(xi[c] - mx - log_total) : static_cast<float>(std::exp(double(xi[c] - mx)) / total);
  }
  return raw::contiguous(raw::permute(out, inverse));
}

Tensor RefBackend::softmax_backward(const Tensor& dy, const Tensor& y, int64_t dim, bool log) {
  auto [g, inverse] = dim_last(dy, dim);
  auto [out, unused] = dim_last(y, dim);
  Tensor dx = empty_like(g);
  const int64_t C = y.shape()[dim], rows = C == 0 ? 0 : g.numel() / C;
  for (int64_t r = 0; r < rows; ++r) {
    const float* gi = g.data<float>() + r * C;
    const float* yi = out.data<float>() + r * C;
    float* dxi = dx.data<float>() + r * C;
    double dot = 0.0;
    for (int64_t c = 0; c < C; ++c) dot += log ? double(gi[c]) : double(gi[c]) * yi[c];
    for (int64_t c = 0; c < C; ++c)
      dxi[c] = log ? static_cast<float>(gi[c] - std::exp(double(yi[c])) * dot)
                   : static_cast<float>(yi[c] * (gi[c] - dot));
  }
  return raw::contiguous(raw::permute(dx, inverse));
}

// logp [N, C], target [N] -> loss [N]
Tensor RefBackend::nll_forward(const Tensor& logp_in, const Tensor& target_in, double label_smoothing,
                               int64_t ignore_index) {
  const Tensor logp = raw::contiguous(logp_in), target = raw::contiguous(target_in);
  const int64_t N = logp.shape()[0], C = logp.shape()[1];
  Tensor loss = Tensor::empty({N});
  for (int64_t n = 0; n < N; ++n) {
    const int64_t t = target.data<int64_t>()[n];
    const float* row = logp.data<float>() + n * C;
    if (t == ignore_index) {
      loss.data<float>()[n] = 0.0f;
      continue;
    }
    double smooth = 0.0;
    if (label_smoothing > 0)
      for (int64_t c = 0; c < C; ++c) smooth += row[c];
    loss.data<float>()[n] =
        static_cast<float>(-(1.0 - label_smoothing) * row[t] - label_smoothing / double(C) * smooth);
  }
  return loss;
}

// dloss [N] -> dlogp [N, C]
Tensor RefBackend::nll_backward(const Tensor& dloss_in, const Tensor& target_in, int64_t num_classes,
                                double label_smoothing, int64_t ignore_index) {
  const Tensor dloss = raw::contiguous(dloss_in), target = raw::contiguous(target_in);
  const int64_t N = dloss.shape()[0], C = num_classes;
  Tensor dlogp = zeros({N, C});
  for (int64_t n = 0; n < N; ++n) {
    const int64_t t = target.data<int64_t>()[n];
    if (t == ignore_index) continue;
    const float g = dloss.data<float>()[n];
    float* row = dlogp.data<float>() + n * C;
    if (label_smoothing > 0)
      for (int64_t c = 0; c < C; ++c) row[c] = static_cast<float>(-g * label_smoothing / double(C));
    row[t] += static_cast<float>(-g * (1.0 - label_smoothing));
  }
  return dlogp;
}

}  // namespace cnn

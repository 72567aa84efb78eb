// The element loop Adam and AdamW share (update.h: adam_update); they differ only in where weight decay enters.
// Not the optimisers' options or state dicts (adam.cpp, adamw.cpp).
#include <algorithm>
#include <cmath>

#include "optim/update.h"

namespace cnn::optim_detail {

void adam_update(const Tensor& p, AdamState& s, const AdamStep& o) {
  const Tensor grad = aligned_like(p.grad(), p);
  if (s.step == 0) {
    s.exp_avg = zeros_like(p);
    s.exp_avg_sq = zeros_like(p);
    if (o.amsgrad) s.max_exp_avg_sq = zeros_like(p);
  }
  s.step += 1;
  s.exp_avg = aligned_like(s.exp_avg, p);
  s.exp_avg_sq = aligned_like(s.exp_avg_sq, p);
  if (o.amsgrad) {
    if (!s.max_exp_avg_sq.defined()) s.max_exp_avg_sq = zeros_like(p);
    s.max_exp_avg_sq = aligned_like(s.max_exp_avg_sq, p);
  }
  const auto b1 = static_cast<float>(o.beta1), b2 = static_cast<float>(o.beta2);
  const auto one_minus_b1 = static_cast<float>(1.0 - o.beta1), one_minus_b2 = static_cast<float>(1.0 - o.beta2);
  const auto eps = static_cast<float>(o.eps), l2 = o.l2, decoupled = o.decoupled;
  const float sign = o.maximize ? -1.0f : 1.0f;
  const double bias_correction1 = 1.0 - std::pow(o.beta1, static_cast<double>(s.step));
  const double bias_correction2 = 1.0 - std::pow(o.beta2, static_cast<double>(s.step));
  const auto neg_step_size = static_cast<float>(-o.lr / bias_correction1);
  const auto bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
  float* w = p.data<float>();
  const float* g = grad.data<float>();
  float* m = s.exp_avg.data<float>();
  float* v = s.exp_avg_sq.data<float>();
  float* vmax = o.amsgrad ? s.max_exp_avg_sq.data<float>() : nullptr;
  const int64_t n = p.numel();
#pragma omp parallel for simd if (n >= kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) {
    const float d = sign * g[i] + l2 * w[i];
    w[i] *= decoupled;
    m[i] = m[i] * b1 + one_minus_b1 * d;
    v[i] = v[i] * b2 + one_minus_b2 * d * d;
    float second = v[i];
    if (vmax != nullptr) second = vmax[i] = std::max(vmax[i], v[i]);
    const float denom = std::sqrt(second) / bc2_sqrt + eps;
    w[i] += neg_step_size * (m[i] / denom);
  }
}

}  // namespace cnn::optim_detail

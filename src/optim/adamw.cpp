// AdamW with AMSGrad and maximize: torch.optim.AdamW (1.13, single-tensor path) step by step, weight decay
// decoupled from the gradient. Not Adam's L2 decay (adam.cpp); updates parameter data in place with flat loops.
#include <cnn/autograd.h>

#include <algorithm>
#include <cmath>

#include "optim/update.h"

namespace cnn {

namespace {

void check_options(const AdamWOptions& o, size_t group) {
  CNN_CHECK(o.lr >= 0.0, "AdamW: invalid learning rate {} (group {})", o.lr, group);
  CNN_CHECK(o.eps >= 0.0, "AdamW: invalid epsilon value {} (group {})", o.eps, group);
  CNN_CHECK(o.betas.first >= 0.0 && o.betas.first < 1.0, "AdamW: invalid beta parameter at index 0: {} (group {})",
            o.betas.first, group);
  CNN_CHECK(o.betas.second >= 0.0 && o.betas.second < 1.0, "AdamW: invalid beta parameter at index 1: {} (group {})",
            o.betas.second, group);
  CNN_CHECK(o.weight_decay >= 0.0, "AdamW: invalid weight_decay value {} (group {})", o.weight_decay, group);
}

}  // namespace

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : AdamW(std::vector<ParamGroup<AdamWOptions>>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<ParamGroup<AdamWOptions>> groups) : OptimizerWithOptions(std::move(groups)) {
  optim_detail::check_groups("AdamW", param_groups, check_options);
}

void AdamW::step() {
  NoGradGuard no_grad;
  for (const auto& group : param_groups) {
    const AdamWOptions& o = group.options;
    const auto [beta1, beta2] = o.betas;
    const auto b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
    const auto one_minus_b1 = static_cast<float>(1.0 - beta1), one_minus_b2 = static_cast<float>(1.0 - beta2);
    const auto decay = static_cast<float>(1.0 - o.lr * o.weight_decay), eps = static_cast<float>(o.eps);
    const float sign = o.maximize ? -1.0f : 1.0f;
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      const Tensor grad = optim_detail::aligned_like(p.grad(), p);
      AdamState& s = state_[p.impl()];
      if (s.step == 0) {
        s.exp_avg = zeros_like(p);
        s.exp_avg_sq = zeros_like(p);
        if (o.amsgrad) s.max_exp_avg_sq = zeros_like(p);
      }
      s.step += 1;
      s.exp_avg = optim_detail::aligned_like(s.exp_avg, p);
      s.exp_avg_sq = optim_detail::aligned_like(s.exp_avg_sq, p);
      if (o.amsgrad) {
        if (!s.max_exp_avg_sq.defined()) s.max_exp_avg_sq = zeros_like(p);
        s.max_exp_avg_sq = optim_detail::aligned_like(s.max_exp_avg_sq, p);
      }
      const double bias_correction1 = 1.0 - std::pow(beta1, static_cast<double>(s.step));
      const double bias_correction2 = 1.0 - std::pow(beta2, static_cast<double>(s.step));
      const auto neg_step_size = static_cast<float>(-o.lr / bias_correction1);
      const auto bc2_sqrt = static_cast<float>(std::sqrt(bias_correction2));
      float* w = p.data<float>();
      const float* g = grad.data<float>();
      float* m = s.exp_avg.data<float>();
      float* v = s.exp_avg_sq.data<float>();
      float* vmax = o.amsgrad ? s.max_exp_avg_sq.data<float>() : nullptr;
      const int64_t n = p.numel();
#pragma omp parallel for simd if (n >= optim_detail::kParallelThreshold)
      for (int64_t i = 0; i < n; ++i) {
        const float d = sign * g[i];
        w[i] *= decay;
        m[i] = m[i] * b1 + one_minus_b1 * d;
        v[i] = v[i] * b2 + one_minus_b2 * d * d;
        float second = v[i];
        if (vmax != nullptr) second = vmax[i] = std::max(vmax[i], v[i]);
        const float denom = std::sqrt(second) / bc2_sqrt + eps;
        w[i] += neg_step_size * (m[i] / denom);
      }
    }
  }
}

StateDict AdamW::state_dict() const {
  return optim_detail::adam_state_dict(optim_detail::flat_params(param_groups), state_);
}

void AdamW::load_state_dict(const StateDict& state) {
  state_ = optim_detail::load_adam_state("AdamW", state, optim_detail::flat_params(param_groups));
}

}  // namespace cnn

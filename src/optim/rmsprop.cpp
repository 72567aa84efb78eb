// RMSprop with momentum, centring, L2 weight decay and maximize: torch.optim.RMSprop (1.13, single-tensor path)
// step by step. Not autograd: updates parameter data in place with flat float loops.
#include <cnn/autograd.h>

#include <cmath>

#include "optim/update.h"

namespace cnn {

namespace {

void check_options(const RMSpropOptions& o, size_t group) {
  CNN_CHECK(o.lr >= 0.0, "RMSprop: invalid learning rate {} (group {})", o.lr, group);
  CNN_CHECK(o.eps >= 0.0, "RMSprop: invalid epsilon value {} (group {})", o.eps, group);
  CNN_CHECK(o.momentum >= 0.0, "RMSprop: invalid momentum value {} (group {})", o.momentum, group);
  CNN_CHECK(o.weight_decay >= 0.0, "RMSprop: invalid weight_decay value {} (group {})", o.weight_decay, group);
  CNN_CHECK(o.alpha >= 0.0, "RMSprop: invalid alpha value {} (group {})", o.alpha, group);
}

}  // namespace

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : RMSprop(std::vector<ParamGroup<RMSpropOptions>>{{std::move(params), options}}) {}

RMSprop::RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups) : OptimizerWithOptions(std::move(groups)) {
  optim_detail::check_groups("RMSprop", param_groups, check_options);
}

void RMSprop::step() {
  NoGradGuard no_grad;
  for (const auto& group : param_groups) {
    const RMSpropOptions& o = group.options;
    const auto alpha = static_cast<float>(o.alpha), one_minus_alpha = static_cast<float>(1.0 - o.alpha);
    const auto wd = static_cast<float>(o.weight_decay), eps = static_cast<float>(o.eps);
    const auto momentum = static_cast<float>(o.momentum), neg_lr = static_cast<float>(-o.lr);
    const float sign = o.maximize ? -1.0f : 1.0f;
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      const Tensor grad = optim_detail::aligned_like(p.grad(), p);
      State& s = state_[p.impl()];
      if (s.step == 0) s.square_avg = zeros_like(p);
      if (o.momentum > 0.0 && !s.momentum_buffer.defined()) s.momentum_buffer = zeros_like(p);
      if (o.centered && !s.grad_avg.defined()) s.grad_avg = zeros_like(p);
      s.step += 1;
      s.square_avg = optim_detail::aligned_like(s.square_avg, p);
      float* w = p.data<float>();
      const float* g = grad.data<float>();
      float* sq = s.square_avg.data<float>();
      float* ga = o.centered ? (s.grad_avg = optim_detail::aligned_like(s.grad_avg, p)).data<float>() : nullptr;
      float* buf = o.momentum > 0.0
                       ? (s.momentum_buffer = optim_detail::aligned_like(s.momentum_buffer, p)).data<float>()
                       : nullptr;
      const int64_t n = p.numel();
#pragma omp parallel for simd if (n >= optim_detail::kParallelThreshold)
      for (int64_t i = 0; i < n; ++i) {
        const float d = sign * g[i] + wd * w[i];
        sq[i] = sq[i] * alpha + one_minus_alpha * d * d;
        float avg;
        if (ga != nullptr) {
          ga[i] = ga[i] * alpha + one_minus_alpha * d;
          avg = std::sqrt(sq[i] + -1.0f * ga[i] * ga[i]) + eps;
        } else {
          avg = std::sqrt(sq[i]) + eps;
        }
        if (buf != nullptr) {
          buf[i] = buf[i] * momentum + d / avg;
          w[i] += neg_lr * buf[i];
        } else {
          w[i] += neg_lr * (d / avg);
        }
      }
    }
  }
}

StateDict RMSprop::state_dict() const {
  StateDict out;
  const auto params = optim_detail::flat_params(param_groups);
  for (size_t i = 0; i < params.size(); ++i) {
    auto it = state_.find(params[i].impl());
    if (it == state_.end() || it->second.step == 0) continue;
    const State& s = it->second;
    out.insert(fmt::format("state.{}.step", i), scalar_tensor(static_cast<double>(s.step), DType::i64));
    out.insert(fmt::format("state.{}.square_avg", i), s.square_avg);
    if (s.momentum_buffer.defined()) out.insert(fmt::format("state.{}.momentum_buffer", i), s.momentum_buffer);
    if (s.grad_avg.defined()) out.insert(fmt::format("state.{}.grad_avg", i), s.grad_avg);
  }
  return out;
}

void RMSprop::load_state_dict(const StateDict& state) {
  const auto params = optim_detail::flat_params(param_groups);
  optim_detail::check_state_keys("RMSprop", state, params.size(),
                                 {"step", "square_avg", "momentum_buffer", "grad_avg"});
  state_.clear();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string prefix = fmt::format("state.{}.", i);
    if (!state.contains(prefix + "step")) continue;
    State s;
    s.step = static_cast<int64_t>(state.at(prefix + "step").item());
    s.square_avg = optim_detail::restore_like(state, prefix + "square_avg", params[i]);
    if (state.contains(prefix + "momentum_buffer"))
      s.momentum_buffer = optim_detail::restore_like(state, prefix + "momentum_buffer", params[i]);
    if (state.contains(prefix + "grad_avg"))
      s.grad_avg = optim_detail::restore_like(state, prefix + "grad_avg", params[i]);
    state_[params[i].impl()] = s;
  }
}

}  // namespace cnn

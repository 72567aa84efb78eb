// SGD with momentum, dampening, Nesterov, weight decay and maximize: torch.optim.SGD (1.13) step by step.
// Not autograd: updates parameter data in place with flat float loops.
#include <cnn/autograd.h>

#include "optim/update.h"

namespace cnn {

namespace {

void check_options(const SGDOptions& o, size_t group) {
  CNN_CHECK(o.lr >= 0.0, "SGD: invalid learning rate {} (group {})", o.lr, group);
  CNN_CHECK(o.momentum >= 0.0, "SGD: invalid momentum value {} (group {})", o.momentum, group);
  CNN_CHECK(o.weight_decay >= 0.0, "SGD: invalid weight_decay value {} (group {})", o.weight_decay, group);
  CNN_CHECK(!o.nesterov || (o.momentum > 0.0 && o.dampening == 0.0),
            "SGD: Nesterov momentum requires a momentum and zero dampening, got momentum={} dampening={} (group {})",
            o.momentum, o.dampening, group);
}

void check_all(const std::vector<ParamGroup<SGDOptions>>& groups) {
  std::vector<std::vector<Tensor>> params;
  for (size_t g = 0; g < groups.size(); ++g) {
    check_options(groups[g].options, g);
    params.push_back(groups[g].params);
  }
  optim_detail::check_params("SGD", params);
}

}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options)
    : SGD(std::vector<ParamGroup<SGDOptions>>{{std::move(params), options}}) {}

SGD::SGD(std::vector<ParamGroup<SGDOptions>> groups) : OptimizerWithOptions(std::move(groups)) {
  check_all(param_groups);
}

void SGD::step() {
  NoGradGuard no_grad;
  for (const auto& group : param_groups) {
    const SGDOptions& o = group.options;
    const auto wd = static_cast<float>(o.weight_decay), momentum = static_cast<float>(o.momentum);
    const auto keep = static_cast<float>(1.0 - o.dampening), neg_lr = static_cast<float>(-o.lr);
    const float sign = o.maximize ? -1.0f : 1.0f;
    for (const Tensor& p : group.params) {
      if (!p.grad().defined()) continue;
      const Tensor grad = optim_detail::aligned_like(p.grad(), p);
      float* w = p.data<float>();
      const float* g = grad.data<float>();
      const int64_t n = p.numel();
      if (o.momentum == 0.0) {
#pragma omp parallel for simd if (n >= optim_detail::kParallelThreshold)
        for (int64_t i = 0; i < n; ++i) w[i] += neg_lr * (sign * g[i] + wd * w[i]);
        continue;
      }
      Tensor& buffer = momentum_buffers_[p.impl()];
      const bool first = !buffer.defined();
      if (first) buffer = empty_like(p);
      buffer = optim_detail::aligned_like(buffer, p);
      float* b = buffer.data<float>();
      const bool nesterov = o.nesterov;
#pragma omp parallel for simd if (n >= optim_detail::kParallelThreshold)
      for (int64_t i = 0; i < n; ++i) {
        const float d = sign * g[i] + wd * w[i];
        b[i] = first ? d : b[i] * momentum + keep * d;
        w[i] += neg_lr * (nesterov ? d + momentum * b[i] : b[i]);
      }
    }
  }
}

StateDict SGD::state_dict() const {
  StateDict out;
  const auto params = optim_detail::flat_params(param_groups);
  for (size_t i = 0; i < params.size(); ++i) {
    auto it = momentum_buffers_.find(params[i].impl());
    if (it != momentum_buffers_.end()) out.insert(fmt::format("state.{}.momentum_buffer", i), it->second);
  }
  return out;
}

void SGD::load_state_dict(const StateDict& state) {
  const auto params = optim_detail::flat_params(param_groups);
  optim_detail::check_state_keys("SGD", state, params.size(), {"momentum_buffer"});
  momentum_buffers_.clear();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string key = fmt::format("state.{}.momentum_buffer", i);
    if (state.contains(key)) momentum_buffers_[params[i].impl()] = optim_detail::restore_like(state, key, params[i]);
  }
}

}  // namespace cnn

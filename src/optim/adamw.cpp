// AdamW with AMSGrad and maximize: torch.optim.AdamW (1.13, single-tensor path) step by step, weight decay
// decoupled from the gradient. Not Adam's L2 decay (adam.cpp); updates parameter data in place with flat loops.
#include <cnn/autograd.h>

#include "optim/update.h"

namespace cnn {

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : AdamW(std::vector<ParamGroup<AdamWOptions>>{{std::move(params), options}}) {}

AdamW::AdamW(std::vector<ParamGroup<AdamWOptions>> groups) : OptimizerWithOptions(std::move(groups)) {
  optim_detail::check_groups("AdamW", param_groups, [](const AdamWOptions& o, size_t g) {
    optim_detail::check_adam_options("AdamW", o, g);
  });
}

void AdamW::step() {
  NoGradGuard no_grad;
  for (const auto& group : param_groups) {
    const AdamWOptions& o = group.options;
    const optim_detail::AdamStep step{.lr = o.lr,
                                      .beta1 = o.betas.first,
                                      .beta2 = o.betas.second,
                                      .eps = o.eps,
                                      .amsgrad = o.amsgrad,
                                      .maximize = o.maximize,
                                      .l2 = 0.0f,
                                      .decoupled = static_cast<float>(1.0 - o.lr * o.weight_decay)};
    for (const Tensor& p : group.params)
      if (p.grad().defined()) optim_detail::adam_update(p, state_[p.impl()], step);
  }
}

StateDict AdamW::state_dict() const {
  return optim_detail::adam_state_dict(optim_detail::flat_params(param_groups), state_);
}

void AdamW::load_state_dict(const StateDict& state) {
  state_ = optim_detail::load_adam_state("AdamW", state, optim_detail::flat_params(param_groups));
}

}  // namespace cnn

// Adam and AMSGrad with L2 weight decay and maximize: torch.optim.Adam (1.13, single-tensor path) step by step.
// Not AdamW (decoupled decay); not autograd: updates parameter data in place with flat float loops.
#include <cnn/autograd.h>

#include "optim/update.h"

namespace cnn {

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(std::vector<ParamGroup<AdamOptions>>{{std::move(params), options}}) {}

Adam::Adam(std::vector<ParamGroup<AdamOptions>> groups) : OptimizerWithOptions(std::move(groups)) {
  optim_detail::check_groups("Adam", param_groups, [](const AdamOptions& o, size_t g) {
    optim_detail::check_adam_options("Adam", o, g);
  });
}

void Adam::step() {
  NoGradGuard no_grad;
  for (const auto& group : param_groups) {
    const AdamOptions& o = group.options;
    const optim_detail::AdamStep step{.lr = o.lr,
                                      .beta1 = o.betas.first,
                                      .beta2 = o.betas.second,
                                      .eps = o.eps,
                                      .amsgrad = o.amsgrad,
                                      .maximize = o.maximize,
                                      .l2 = static_cast<float>(o.weight_decay),
                                      .decoupled = 1.0f};
    for (const Tensor& p : group.params)
      if (p.grad().defined()) optim_detail::adam_update(p, state_[p.impl()], step);
  }
}

StateDict Adam::state_dict() const {
  return optim_detail::adam_state_dict(optim_detail::flat_params(param_groups), state_);
}

void Adam::load_state_dict(const StateDict& state) {
  state_ = optim_detail::load_adam_state("Adam", state, optim_detail::flat_params(param_groups));
}

}  // namespace cnn

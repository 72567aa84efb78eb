// Helpers around an optimiser: timm's parameter groups without weight decay on biases and norm parameters,
// torch.nn.utils.clip_grad_norm_ and an L1 penalty over the same weights. Not an optimiser (optim.h).
#pragma once

#include <cnn/module.h>
#include <cnn/optim.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace cnn {

/// The trainable parameters of `model` split as timm's param_groups_weight_decay: parameters with one dimension
/// or fewer (biases, norm weights), names ending in ".bias" and names in `no_weight_decay` first, with weight
/// decay 0; the rest second, with options.weight_decay. Usage:
///   SGD opt(param_groups_weight_decay(*model, SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4}));
template <class Options>
std::vector<ParamGroup<Options>> param_groups_weight_decay(const Module& model, const Options& options,
                                                           const std::vector<std::string>& no_weight_decay = {});

/// (no decay, decay) parameter lists behind param_groups_weight_decay; `include`, when given, keeps only the
/// parameters whose dotted names it accepts (e.g. the head's, for discriminative learning rates).
std::pair<std::vector<Tensor>, std::vector<Tensor>> split_weight_decay(
    const Module& model, const std::vector<std::string>& no_weight_decay = {},
    const std::function<bool(const std::string&)>& include = nullptr);

template <class Options>
std::vector<ParamGroup<Options>> param_groups_weight_decay(const Module& model, const Options& options,
                                                           const std::vector<std::string>& no_weight_decay) {
  auto [no_decay, decay] = split_weight_decay(model, no_weight_decay);
  Options without = options;
  without.weight_decay = 0.0;
  return {{std::move(no_decay), without}, {std::move(decay), options}};
}

/// lambda * sum |w| over every element of `params`, as a differentiable scalar (Keras' regularizers.l1: added to the
/// loss, its gradient is lambda * sign(w), 0 at w = 0). The weights it is meant for are split_weight_decay's decay
/// group: conv and linear weights, not biases nor norm parameters. Usage:
///   loss = loss + l1_penalty(split_weight_decay(*model).second, 1e-4);
Tensor l1_penalty(const std::vector<Tensor>& params, double lambda = 1.0);

/// Scales the gradients of `params` in place so that their total norm is at most max_norm, as
/// torch.nn.utils.clip_grad_norm_: coefficient max_norm / (total + 1e-6) clamped to 1. Returns the total norm
/// before clipping (norm_type 2 or infinity). Parameters without a gradient are skipped.
/// error_if_nonfinite: throw when the total is NaN or infinite. Usage: clip_grad_norm_(model.parameters(), 1.0);
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false);

}  // namespace cnn

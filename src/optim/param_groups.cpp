// timm's param_groups_weight_decay split: which parameters get no weight decay (biases, norm parameters).
// Not an optimiser: the groups it returns are handed to one.
#include <cnn/optim_utils.h>

#include <algorithm>

namespace cnn {

std::pair<std::vector<Tensor>, std::vector<Tensor>> split_weight_decay(
    const Module& model, const std::vector<std::string>& no_weight_decay,
    const std::function<bool(const std::string&)>& include) {
  std::vector<Tensor> no_decay, decay;
  for (const auto& [name, p] : model.named_parameters()) {
    if (!p.requires_grad() || (include && !include(name))) continue;
    const bool is_bias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    const bool listed = std::find(no_weight_decay.begin(), no_weight_decay.end(), name) != no_weight_decay.end();
    (p.dim() <= 1 || is_bias || listed ? no_decay : decay).push_back(p);
  }
  return {std::move(no_decay), std::move(decay)};
}

}  // namespace cnn

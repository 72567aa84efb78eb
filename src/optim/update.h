// Helpers the optimisers share: parameter checks, layout-matched views of gradients and state, flat loops.
// Internal to src/optim; not an optimiser.
#pragma once

#include <cnn/optim.h>

#include <string>
#include <unordered_map>
#include <vector>

namespace cnn::optim_detail {

/// Checks that every parameter is a defined float leaf laid out densely, and appears once; names the optimiser.
void check_params(const char* optimizer, const std::vector<std::vector<Tensor>>& groups);

/// `t` with exactly p's strides (itself when it already has them, else a copy), so both walk memory alike.
Tensor aligned_like(const Tensor& t, const Tensor& p);

/// The parameters of all groups in order (the numbering used by optimiser state dicts).
template <class Options>
std::vector<Tensor> flat_params(const std::vector<ParamGroup<Options>>& groups) {
  std::vector<Tensor> out;
  for (const auto& g : groups) out.insert(out.end(), g.params.begin(), g.params.end());
  return out;
}

/// Copies a saved state tensor for parameter `p`, checking its shape; names the key on mismatch.
Tensor restore_like(const StateDict& state, const std::string& key, const Tensor& p);

/// Checks every key reads "state.<i>.<name>" with i < num_params and name among `names`; throws naming the key.
void check_state_keys(const char* optimizer, const StateDict& state, size_t num_params,
                      const std::vector<std::string>& names);

/// Adam's and AdamW's state as "state.<i>.step", ".exp_avg", ".exp_avg_sq", ".max_exp_avg_sq" (parameters that
/// have taken a step only), and back; load checks keys and shapes, naming the optimiser.
StateDict adam_state_dict(const std::vector<Tensor>& params,
                          const std::unordered_map<const TensorImpl*, AdamState>& states);
std::unordered_map<const TensorImpl*, AdamState> load_adam_state(const char* optimizer, const StateDict& state,
                                                                 const std::vector<Tensor>& params);

/// One step of Adam or AdamW on parameter p with gradient p.grad() (torch 1.13's single-tensor path):
/// d = ±grad + l2 * w, then w *= decoupled, the moments, AMSGrad's max, and the bias-corrected update.
/// Adam passes l2 = weight_decay and decoupled = 1; AdamW l2 = 0 and decoupled = 1 - lr * weight_decay.
struct AdamStep {
  double lr, beta1, beta2, eps;
  bool amsgrad, maximize;
  float l2, decoupled;
};
void adam_update(const Tensor& p, AdamState& s, const AdamStep& o);

/// The option checks Adam and AdamW share (torch's messages), naming the optimiser and the group.
template <class Options>
void check_adam_options(const char* optimizer, const Options& o, size_t group) {
  CNN_CHECK(o.lr >= 0.0, "{}: invalid learning rate {} (group {})", optimizer, o.lr, group);
  CNN_CHECK(o.eps >= 0.0, "{}: invalid epsilon value {} (group {})", optimizer, o.eps, group);
  CNN_CHECK(o.betas.first >= 0.0 && o.betas.first < 1.0, "{}: invalid beta parameter at index 0: {} (group {})",
            optimizer, o.betas.first, group);
  CNN_CHECK(o.betas.second >= 0.0 && o.betas.second < 1.0, "{}: invalid beta parameter at index 1: {} (group {})",
            optimizer, o.betas.second, group);
  CNN_CHECK(o.weight_decay >= 0.0, "{}: invalid weight_decay value {} (group {})", optimizer, o.weight_decay, group);
}

/// Checks the parameters of every group and each group's options with check(options, group index).
template <class Options, class Check>
void check_groups(const char* optimizer, const std::vector<ParamGroup<Options>>& groups, Check check) {
  std::vector<std::vector<Tensor>> params;
  for (size_t g = 0; g < groups.size(); ++g) {
    check(groups[g].options, g);
    params.push_back(groups[g].params);
  }
  check_params(optimizer, params);
}

/// Loops of at least this many elements run on all OpenMP threads.
constexpr int64_t kParallelThreshold = 1 << 16;

}  // namespace cnn::optim_detail

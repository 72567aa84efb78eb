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

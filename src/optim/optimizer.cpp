// The option-independent parts of optimisers: zero_grad, group options by name, full state for checkpoints,
// parameter checks and state-dict helpers. Not an update rule: sgd.cpp, adam.cpp, adamw.cpp, rmsprop.cpp hold those.
#include <cnn/autograd.h>
#include <fmt/ranges.h>

#include <unordered_set>

#include "optim/update.h"

namespace cnn {

void Optimizer::zero_grad(bool set_to_none) {
  for (size_t g = 0; g < num_param_groups(); ++g)
    for (const Tensor& p : params(g)) p.zero_grad(set_to_none);
}

GroupOptions Optimizer::group_options(size_t group) const {
  CNN_CHECK(group < num_param_groups(), "optimizer: no parameter group {} (there are {})", group, num_param_groups());
  GroupOptions out = options_of(group);
  if (auto lr = initial_lr(group)) out["initial_lr"] = *lr;
  return out;
}

void Optimizer::set_group_options(size_t group, const GroupOptions& values) {
  CNN_CHECK(group < num_param_groups(), "optimizer: no parameter group {} (there are {})", group, num_param_groups());
  GroupOptions rest = values;
  if (auto it = rest.find("initial_lr"); it != rest.end()) {
    set_initial_lr(group, it->second);
    rest.erase(it);
  }
  const std::vector<std::string> unknown = set_options_of(group, rest);
  std::vector<std::string> known;
  for (const auto& option : options_of(group)) known.push_back(option.first);
  CNN_CHECK(unknown.empty(), "optimizer: parameter group {} has no option {}; it has {}", group,
            fmt::join(unknown, ", "), fmt::join(known, ", "));
}

std::optional<double> Optimizer::initial_lr(size_t group) const {
  auto it = initial_lrs_.find(group);
  return it == initial_lrs_.end() ? std::nullopt : std::optional<double>(it->second);
}

void Optimizer::set_initial_lr(size_t group, double lr) { initial_lrs_[group] = lr; }

OptimizerState Optimizer::full_state() const {
  OptimizerState out{state_dict(), {}};
  for (size_t g = 0; g < num_param_groups(); ++g) out.param_groups.push_back(group_options(g));
  return out;
}

void Optimizer::load_full_state(const OptimizerState& state) {
  CNN_CHECK(state.param_groups.size() == num_param_groups(),
            "optimizer load_full_state: the state has {} parameter groups, this optimizer {}\nHINT: build the "
            "optimizer with the same groups as the run that saved it",
            state.param_groups.size(), num_param_groups());
  load_state_dict(state.state);
  initial_lrs_.clear();
  for (size_t g = 0; g < num_param_groups(); ++g) set_group_options(g, state.param_groups[g]);
}

namespace optim_detail {

void check_params(const char* optimizer, const std::vector<std::vector<Tensor>>& groups) {
  std::unordered_set<const TensorImpl*> seen;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t i = 0; i < groups[g].size(); ++i) {
      const Tensor& p = groups[g][i];
      CNN_CHECK(p.defined(), "{}: parameter {} of group {} is undefined", optimizer, i, g);
      CNN_CHECK(p.is_leaf(), "{}: can't optimize a non-leaf tensor (parameter {} of group {}, shape {})", optimizer, i,
                g, p.shape());
      CNN_CHECK(p.dtype() == DType::f32, "{}: expected float parameters, got {} (parameter {} of group {}, shape {})",
                optimizer, dtype_name(p.dtype()), i, g, p.shape());
      CNN_CHECK(p.is_non_overlapping_and_dense(),
                "{}: expected densely stored parameters, got shape {} with strides {} (parameter {} of group {})",
                optimizer, p.shape(), Shape(p.strides()), i, g);
      CNN_CHECK(seen.insert(p.impl()).second,
                "{}: some parameters appear more than once (parameter {} of group {}, shape {})", optimizer, i, g,
                p.shape());
    }
  }
}

Tensor aligned_like(const Tensor& t, const Tensor& p) {
  if (t.strides() == p.strides() && t.dtype() == DType::f32) return t;
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(p.numel()) * sizeof(float));
  impl->shape = p.shape();
  impl->strides = p.strides();
  Tensor out(std::move(impl));
  NoGradGuard no_grad;
  out.copy_(t);
  return out;
}

Tensor restore_like(const StateDict& state, const std::string& key, const Tensor& p) {
  const Tensor& t = state.at(key);
  CNN_CHECK(t.defined() && t.shape() == p.shape(),
            "optimizer load_state_dict: \"{}\" has shape {}, but its parameter has shape {}", key,
            t.defined() ? t.shape().str() : std::string("(undefined)"), p.shape());
  Tensor copy = aligned_like(t, p);
  return copy.is_same(t) ? aligned_like(t.clone(), p) : copy;
}

void check_state_keys(const char* optimizer, const StateDict& state, size_t num_params,
                      const std::vector<std::string>& names) {
  for (const auto& [key, t] : state) {
    bool ok = false;
    for (size_t i = 0; i < num_params && !ok; ++i)
      for (const auto& name : names) ok = ok || key == fmt::format("state.{}.{}", i, name);
    CNN_CHECK(ok,
              "{} load_state_dict: unexpected key \"{}\" for {} parameters\nHINT: the state must come from "
              "the same optimizer type over the same parameter list",
              optimizer, key, num_params);
  }
}

StateDict adam_state_dict(const std::vector<Tensor>& params,
                          const std::unordered_map<const TensorImpl*, AdamState>& states) {
  StateDict out;
  for (size_t i = 0; i < params.size(); ++i) {
    auto it = states.find(params[i].impl());
    if (it == states.end() || it->second.step == 0) continue;
    const AdamState& s = it->second;
    out.insert(fmt::format("state.{}.step", i), scalar_tensor(static_cast<double>(s.step), DType::i64));
    out.insert(fmt::format("state.{}.exp_avg", i), s.exp_avg);
    out.insert(fmt::format("state.{}.exp_avg_sq", i), s.exp_avg_sq);
    if (s.max_exp_avg_sq.defined()) out.insert(fmt::format("state.{}.max_exp_avg_sq", i), s.max_exp_avg_sq);
  }
  return out;
}

std::unordered_map<const TensorImpl*, AdamState> load_adam_state(const char* optimizer, const StateDict& state,
                                                                 const std::vector<Tensor>& params) {
  check_state_keys(optimizer, state, params.size(), {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"});
  std::unordered_map<const TensorImpl*, AdamState> out;
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string prefix = fmt::format("state.{}.", i);
    if (!state.contains(prefix + "step")) continue;
    AdamState s;
    s.step = static_cast<int64_t>(state.at(prefix + "step").item());
    s.exp_avg = restore_like(state, prefix + "exp_avg", params[i]);
    s.exp_avg_sq = restore_like(state, prefix + "exp_avg_sq", params[i]);
    if (state.contains(prefix + "max_exp_avg_sq"))
      s.max_exp_avg_sq = restore_like(state, prefix + "max_exp_avg_sq", params[i]);
    out[params[i].impl()] = s;
  }
  return out;
}

}  // namespace optim_detail
}  // namespace cnn

// The option-independent parts of optimisers: zero_grad, parameter checks and state-dict helpers.
// Not an update rule: sgd.cpp and adam.cpp hold those.
#include <cnn/autograd.h>

#include <unordered_set>

#include "optim/update.h"

namespace cnn {

void Optimizer::zero_grad(bool set_to_none) {
  for (size_t g = 0; g < num_param_groups(); ++g)
    for (const Tensor& p : params(g)) p.zero_grad(set_to_none);
}

namespace optim_detail {

void check_params(const char* optimizer, const std::vector<std::vector<Tensor>>& groups) {
  std::unordered_set<const TensorImpl*> seen;
  for (size_t g = 0; g < groups.size(); ++g) {
    for (size_t i = 0; i < groups[g].size(); ++i) {
      const Tensor& p = groups[g][i];
      CNN_CHECK(p.defined(), "{}: parameter {} of group {} is undefined", optimizer, i, g);
      CNN_CHECK(p.is_leaf(), "{}: can't optimize a non-leaf tensor (parameter {} of group {}, shape {})", optimizer,
                i, g, p.shape());
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
    CNN_CHECK(ok, "{} load_state_dict: unexpected key \"{}\" for {} parameters\nHINT: the state must come from "
              "the same optimizer type over the same parameter list", optimizer, key, num_params);
  }
}

}  // namespace optim_detail
}  // namespace cnn

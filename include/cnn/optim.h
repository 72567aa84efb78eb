// torch.optim: the Optimizer interface and SGD, Adam, AdamW, RMSprop with PyTorch 1.13's exact update rules.
// Not learning-rate schedules (scheduler.h) nor parameter-group and clipping helpers (optim_utils.h).
#pragma once

#include <cnn/ordered_dict.h>
#include <cnn/tensor.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cnn {

/// Parameters that share one set of options (PyTorch's param_groups entry).
template <class Options>
struct ParamGroup {
  std::vector<Tensor> params;
  Options options;
};

/// A group's options by name, as an entry of PyTorch's optimizer.param_groups: "lr", "momentum", "weight_decay",
/// "beta1", "beta2", ... (flags as 0 or 1), plus "initial_lr" once a scheduler has recorded it.
using GroupOptions = std::map<std::string, double>;

/// Everything an optimiser needs to resume exactly: PyTorch's optimizer.state_dict() ("state" + "param_groups").
struct OptimizerState {
  StateDict state;
  std::vector<GroupOptions> param_groups;
};

/// What every optimiser offers a training loop and a scheduler, whatever its options.
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  /// One update of every parameter that has a gradient; never recorded by autograd.
  virtual void step() = 0;
  /// Clears every parameter's gradient: undefined (set_to_none, PyTorch's default) or zeros.
  void zero_grad(bool set_to_none = true);

  virtual size_t num_param_groups() const = 0;
  virtual std::vector<Tensor> params(size_t group) const = 0;
  /// Learning rate of a group: read and written by schedulers. Usage: opt.set_lr(opt.lr() * 0.1);
  virtual double lr(size_t group = 0) const = 0;
  /// Sets the learning rate of one group, or of every group when group is -1.
  virtual void set_lr(double lr, int64_t group = -1) = 0;

  /// Per-parameter state as tensors ("state.<i>.momentum_buffer", "state.<i>.step", ...; i counts parameters
  /// across groups in order), for checkpoints. Options are not included: they come from the code.
  virtual StateDict state_dict() const = 0;
  /// Restores state saved by state_dict() for the same parameter list; throws naming a key that does not fit.
  virtual void load_state_dict(const StateDict& state) = 0;

  /// A group's options by name (see GroupOptions). Usage: double m = opt.group_options(0).at("momentum");
  GroupOptions group_options(size_t group) const;
  /// Sets some options of a group by name; throws naming an option this optimiser does not have.
  void set_group_options(size_t group, const GroupOptions& values);
  /// The lr a scheduler started from (PyTorch's param_groups[i]["initial_lr"]); nullopt until one is attached.
  std::optional<double> initial_lr(size_t group) const;
  void set_initial_lr(size_t group, double lr);

  /// state_dict() plus every group's options: what a checkpoint stores. Usage: other.load_full_state(opt.full_state());
  OptimizerState full_state() const;
  /// Restores full_state() of an optimiser of the same type over the same parameters (group counts must agree).
  void load_full_state(const OptimizerState& state);

 protected:
  virtual GroupOptions options_of(size_t group) const = 0;
  /// Sets the options named in `values`; returns the names it does not know.
  virtual std::vector<std::string> set_options_of(size_t group, const GroupOptions& values) = 0;

 private:
  std::map<size_t, double> initial_lrs_;
};

/// Stores the groups and implements the option-independent part of Optimizer.
template <class Options>
class OptimizerWithOptions : public Optimizer {
 public:
  std::vector<ParamGroup<Options>> param_groups;

  size_t num_param_groups() const override { return param_groups.size(); }
  std::vector<Tensor> params(size_t group) const override { return param_groups.at(group).params; }
  double lr(size_t group = 0) const override { return param_groups.at(group).options.lr; }
  void set_lr(double lr, int64_t group = -1) override {
    for (size_t g = 0; g < param_groups.size(); ++g)
      if (group < 0 || static_cast<size_t>(group) == g) param_groups[g].options.lr = lr;
  }

 protected:
  explicit OptimizerWithOptions(std::vector<ParamGroup<Options>> groups) : param_groups(std::move(groups)) {}

  // visit_options(Options&, fn) (found by argument-dependent lookup) calls fn(name, field) for every option.
  GroupOptions options_of(size_t group) const override {
    Options o = param_groups.at(group).options;
    GroupOptions out;
    visit_options(o, [&out](const char* name, auto& field) { out[name] = static_cast<double>(field); });
    return out;
  }
  std::vector<std::string> set_options_of(size_t group, const GroupOptions& values) override {
    std::set<std::string> known;
    visit_options(param_groups.at(group).options, [&](const char* name, auto& field) {
      known.insert(name);
      if (auto it = values.find(name); it != values.end())
        field = static_cast<std::remove_reference_t<decltype(field)>>(it->second);
    });
    std::vector<std::string> unknown;
    for (const auto& [name, value] : values)
      if (known.count(name) == 0) unknown.push_back(name);
    return unknown;
  }
};

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

template <class F>
void visit_options(SGDOptions& o, F&& f) {
  f("lr", o.lr);
  f("momentum", o.momentum);
  f("dampening", o.dampening);
  f("weight_decay", o.weight_decay);
  f("nesterov", o.nesterov);
  f("maximize", o.maximize);
}

/// Stochastic gradient descent, as torch.optim.SGD. Usage:
///   SGD opt(model.parameters(), {.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4});
class SGD : public OptimizerWithOptions<SGDOptions> {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options);
  explicit SGD(std::vector<ParamGroup<SGDOptions>> groups);
  void step() override;
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 private:
  std::unordered_map<const TensorImpl*, Tensor> momentum_buffers_;
};

/// Per-parameter state of Adam and AdamW (torch's state["step"], exp_avg, exp_avg_sq, max_exp_avg_sq).
struct AdamState {
  int64_t step = 0;
  Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
};

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
};

template <class F>
void visit_options(AdamOptions& o, F&& f) {
  f("lr", o.lr);
  f("beta1", o.betas.first);
  f("beta2", o.betas.second);
  f("eps", o.eps);
  f("weight_decay", o.weight_decay);
  f("amsgrad", o.amsgrad);
  f("maximize", o.maximize);
}

/// Adam, as torch.optim.Adam (L2 weight decay added to the gradient). Usage:
///   Adam opt(model.parameters(), {.lr = 1e-3, .amsgrad = true});
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);
  void step() override;
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

  using State = AdamState;

 private:
  std::unordered_map<const TensorImpl*, State> state_;
};

struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
};

template <class F>
void visit_options(AdamWOptions& o, F&& f) {
  f("lr", o.lr);
  f("beta1", o.betas.first);
  f("beta2", o.betas.second);
  f("eps", o.eps);
  f("weight_decay", o.weight_decay);
  f("amsgrad", o.amsgrad);
  f("maximize", o.maximize);
}

/// AdamW, as torch.optim.AdamW: decoupled weight decay (p *= 1 - lr * weight_decay before the Adam step). Usage:
///   AdamW opt(model.parameters(), {.lr = 1e-3, .weight_decay = 0.05});
class AdamW : public OptimizerWithOptions<AdamWOptions> {
 public:
  AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
  explicit AdamW(std::vector<ParamGroup<AdamWOptions>> groups);
  void step() override;
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

 private:
  std::unordered_map<const TensorImpl*, AdamState> state_;
};

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
};

template <class F>
void visit_options(RMSpropOptions& o, F&& f) {
  f("lr", o.lr);
  f("alpha", o.alpha);
  f("eps", o.eps);
  f("weight_decay", o.weight_decay);
  f("momentum", o.momentum);
  f("centered", o.centered);
  f("maximize", o.maximize);
}

/// RMSprop, as torch.optim.RMSprop (eps added outside the square root; L2 weight decay). Usage:
///   RMSprop opt(model.parameters(), {.lr = 1e-3, .momentum = 0.9, .centered = true});
class RMSprop : public OptimizerWithOptions<RMSpropOptions> {
 public:
  RMSprop(std::vector<Tensor> params, const RMSpropOptions& options = {});
  explicit RMSprop(std::vector<ParamGroup<RMSpropOptions>> groups);
  void step() override;
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

  struct State {
    int64_t step = 0;
    Tensor square_avg, momentum_buffer, grad_avg;
  };

 private:
  std::unordered_map<const TensorImpl*, State> state_;
};

}  // namespace cnn

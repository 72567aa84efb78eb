// torch.optim: the Optimizer interface, SGD and Adam with PyTorch 1.13's exact update rules.
// Not learning-rate schedules: those adjust lr through Optimizer::set_lr, between steps.
#pragma once

#include <cnn/ordered_dict.h>
#include <cnn/tensor.h>

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
};

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

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

struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
};

/// Adam, as torch.optim.Adam (L2 weight decay added to the gradient). Usage:
///   Adam opt(model.parameters(), {.lr = 1e-3, .amsgrad = true});
class Adam : public OptimizerWithOptions<AdamOptions> {
 public:
  Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  explicit Adam(std::vector<ParamGroup<AdamOptions>> groups);
  void step() override;
  StateDict state_dict() const override;
  void load_state_dict(const StateDict& state) override;

  struct State {
    int64_t step = 0;
    Tensor exp_avg, exp_avg_sq, max_exp_avg_sq;
  };

 private:
  std::unordered_map<const TensorImpl*, State> state_;
};

}  // namespace cnn

// torch.optim.lr_scheduler: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts,
// LinearLR, OneCycleLR, SequentialLR and ReduceLROnPlateau with PyTorch 1.13's values, plus the timm-style mapping
// from --sched flags. Not the optimisers (optim.h): a scheduler only sets their group options between steps.
#pragma once

#include <cnn/optim.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// A scheduler's changing state by name (its part of PyTorch's scheduler.state_dict()), for checkpoints; the
/// settings (step_size, gamma, ...) come from the code that builds the scheduler.
using SchedulerState = std::map<std::string, double>;

/// The base of every schedule, as torch's _LRScheduler. Constructing one records each group's "initial_lr" (when
/// not yet recorded) and takes the initial step, so the optimiser holds the epoch-0 lr at once. Usage:
///   CosineAnnealingLR sched(opt, {.T_max = 20});  for (epoch...) { train(...); sched.step(); }
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  /// Advances one epoch (or one batch, for schedules stepped per batch) and sets the groups' lrs.
  virtual void step();
  /// The lrs of the last step, one per group (get_last_lr()).
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  /// ReduceLROnPlateau steps with a metric instead (step(metric)); every other schedule steps with none.
  virtual bool needs_metric() const { return false; }
  virtual SchedulerState state_dict() const;
  virtual void load_state_dict(const SchedulerState& state);

 protected:
  friend class SequentialLR;
  /// record_initial_lr: set "initial_lr" and base_lrs from the groups (every torch _LRScheduler does).
  explicit LRScheduler(Optimizer& optimizer, bool record_initial_lr = true);
  /// torch's _initial_step(): step counters to 0, then one step. Subclass constructors end with it.
  void initial_step();
  /// The chainable form: the next lrs from the groups' current ones, at last_epoch (torch's get_lr()).
  virtual std::vector<double> get_lr() = 0;
  /// The closed form at last_epoch, used by step_to (default: get_lr()).
  virtual std::vector<double> closed_form_lr() { return get_lr(); }
  /// Jumps to `epoch` with the closed form (torch's deprecated step(epoch); SequentialLR uses step_to(0)).
  virtual void step_to(int64_t epoch);
  std::vector<double> group_lrs() const;
  void apply(const std::vector<double>& lrs);

  Optimizer& optimizer_;
  std::vector<double> base_lrs_, last_lr_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
};

/// lr *= gamma every step_size epochs.
struct StepLROptions {
  int64_t step_size = 1;
  double gamma = 0.1;
};
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, const StepLROptions& options);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  StepLROptions options_;
};

/// lr *= gamma at each milestone epoch (a milestone listed twice decays twice).
struct MultiStepLROptions {
  std::vector<int64_t> milestones;
  double gamma = 0.1;
};
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, const MultiStepLROptions& options);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  MultiStepLROptions options_;
};

/// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  double gamma_;
};

/// Half a cosine from the initial lr down to eta_min over T_max epochs (then back up, as torch's).
struct CosineAnnealingLROptions {
  int64_t T_max = 1;
  double eta_min = 0.0;
};
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, const CosineAnnealingLROptions& options);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  CosineAnnealingLROptions options_;
};

/// SGDR: cosine from the initial lr to eta_min over T_0 epochs, restarting, each period T_mult times longer.
struct CosineAnnealingWarmRestartsOptions {
  int64_t T_0 = 1;
  int64_t T_mult = 1;
  double eta_min = 0.0;
};
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, const CosineAnnealingWarmRestartsOptions& options);
  void step() override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& state) override;

 protected:
  std::vector<double> get_lr() override;
  void step_to(int64_t epoch) override;
  CosineAnnealingWarmRestartsOptions options_;
  int64_t T_i_ = 1, T_cur_ = -1;
};

/// Multiplies the initial lr by a factor going linearly from start_factor to end_factor over total_iters epochs:
/// the usual warm-up.
struct LinearLROptions {
  double start_factor = 1.0 / 3;
  double end_factor = 1.0;
  int64_t total_iters = 5;
};
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, const LinearLROptions& options);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  LinearLROptions options_;
};

/// The 1cycle policy, stepped once per batch: lr from max_lr/div_factor up to max_lr over pct_start of the steps,
/// then down to initial/final_div_factor; momentum (SGD, RMSprop) or beta1 (Adam, AdamW) cycles the other way.
struct OneCycleLROptions {
  std::vector<double> max_lr;  // one value for every group, or one per group
  int64_t total_steps = 0;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // or "linear"
  bool cycle_momentum = true;
  double base_momentum = 0.85, max_momentum = 0.95;
  double div_factor = 25.0, final_div_factor = 1e4;
  bool three_phase = false;
};
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options);

 protected:
  std::vector<double> get_lr() override;
  OneCycleLROptions options_;
  std::string momentum_name_;  // "momentum" or "beta1"
  struct Phase {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum;  // 0 initial, 1 max, 2 min (lr); 0 base, 1 max (momentum)
  };
  std::vector<Phase> phases_;
  std::vector<double> max_lrs_, min_lrs_;
};

/// Runs schedulers one after another, switching at the milestones (each switch restarts the next one at its
/// epoch 0, as torch's). Warm-up then cosine: SequentialLR(opt, {warmup, cosine}, {5}).
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::unique_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  void step() override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& state) override;

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }
  std::vector<std::unique_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

/// Reduces the lr by `factor` when the metric has not improved for `patience` epochs. Step it with the metric.
struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // "min" (a loss) or "max" (an accuracy)
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // or "abs"
  int64_t cooldown = 0;
  std::vector<double> min_lr{0.0};  // one value for every group, or one per group
  double eps = 1e-8;
};
class ReduceLROnPlateau : public LRScheduler {
 public:
  ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options = {});
  /// Throws: this schedule needs the metric.
  void step() override;
  /// One epoch's value of the monitored metric. Usage: sched.step(val_loss);
  void step(double metric);
  bool needs_metric() const override { return true; }
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& state) override;

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }
  bool is_better(double a, double best) const;
  ReduceLROnPlateauOptions options_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0;
};

}  // namespace cnn

// The cosine family of PyTorch 1.13: CosineAnnealingLR (chainable and closed forms), CosineAnnealingWarmRestarts
// (SGDR) and OneCycleLR (with momentum or beta1 cycling), in torch's order of floating-point operations.
// Not the multiplicative schedules (scheduler.cpp).
#include <cnn/scheduler.h>

#include <cmath>

#include "optim/scheduler_state.h"

namespace cnn {

// ---- CosineAnnealingLR --------------------------------------------------------------------------------------

CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, const CosineAnnealingLROptions& options)
    : LRScheduler(optimizer), options_(options) {
  CNN_CHECK(options.T_max > 0, "CosineAnnealingLR: T_max must be positive, got {}", options.T_max);
  initial_step();
}

std::vector<double> CosineAnnealingLR::get_lr() {
  const double eta_min = options_.eta_min, t_max = double(options_.T_max), epoch = double(last_epoch_);
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) return closed_form_lr();
  for (size_t g = 0; g < lrs.size(); ++g) {
    if (sched_detail::py_mod(last_epoch_ - 1 - options_.T_max, 2 * options_.T_max) == 0)
      lrs[g] = lrs[g] + (base_lrs_[g] - eta_min) * (1 - std::cos(M_PI / t_max)) / 2;
    else
      lrs[g] = (1 + std::cos(M_PI * epoch / t_max)) / (1 + std::cos(M_PI * (epoch - 1) / t_max)) * (lrs[g] - eta_min) +
               eta_min;
  }
  return lrs;
}

std::vector<double> CosineAnnealingLR::closed_form_lr() {
  const double eta_min = options_.eta_min;
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min + (base - eta_min) * (1 + std::cos(M_PI * double(last_epoch_) / double(options_.T_max))) / 2);
  return lrs;
}

// ---- CosineAnnealingWarmRestarts ----------------------------------------------------------------------------

CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer,
                                                         const CosineAnnealingWarmRestartsOptions& options)
    : LRScheduler(optimizer), options_(options), T_i_(options.T_0) {
  CNN_CHECK(options.T_0 > 0, "CosineAnnealingWarmRestarts: expected positive integer T_0, but got {}", options.T_0);
  CNN_CHECK(options.T_mult >= 1, "CosineAnnealingWarmRestarts: expected integer T_mult >= 1, but got {}",
            options.T_mult);
  initial_step();
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  const double eta_min = options_.eta_min;
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min + (base - eta_min) * (1 + std::cos(M_PI * double(T_cur_) / double(T_i_))) / 2);
  return lrs;
}

void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) return step_to(0);
  T_cur_ += 1;
  if (T_cur_ >= T_i_) {
    T_cur_ -= T_i_;
    T_i_ *= options_.T_mult;
  }
  last_epoch_ += 1;
  apply(get_lr());
}

void CosineAnnealingWarmRestarts::step_to(int64_t epoch) {
  CNN_CHECK(epoch >= 0, "CosineAnnealingWarmRestarts: expected non-negative epoch, but got {}", epoch);
  const int64_t t0 = options_.T_0, mult = options_.T_mult;
  if (epoch >= t0) {
    if (mult == 1) {
      T_cur_ = epoch % t0;
    } else {
      const auto n =
          static_cast<int64_t>(std::log(double(epoch) / double(t0) * double(mult - 1) + 1) / std::log(double(mult)));
      const auto power = static_cast<int64_t>(std::llround(std::pow(double(mult), double(n))));
      T_cur_ = epoch - t0 * (power - 1) / (mult - 1);
      T_i_ = t0 * power;
    }
  } else {
    T_i_ = t0;
    T_cur_ = epoch;
  }
  last_epoch_ = epoch;
  apply(get_lr());
}

SchedulerState CosineAnnealingWarmRestarts::state_dict() const {
  SchedulerState s = LRScheduler::state_dict();
  s["T_i"] = double(T_i_);
  s["T_cur"] = double(T_cur_);
  return s;
}

void CosineAnnealingWarmRestarts::load_state_dict(const SchedulerState& state) {
  LRScheduler::load_state_dict(state);
  T_i_ = sched_detail::get_int(state, "T_i");
  T_cur_ = sched_detail::get_int(state, "T_cur");
}

// ---- OneCycleLR -----------------------------------------------------------------------------------------------

namespace {

std::vector<double> per_group(const char* name, const std::vector<double>& values, size_t groups) {
  CNN_CHECK(values.size() == 1 || values.size() == groups, "OneCycleLR: expected 1 or {} values for {}, got {}", groups,
            name, values.size());
  return values.size() == 1 ? std::vector<double>(groups, values[0]) : values;
}

}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options)
    : LRScheduler(optimizer, false), options_(options) {
  const auto total = double(options.total_steps);
  CNN_CHECK(options.total_steps > 0, "OneCycleLR: expected positive integer total_steps, but got {}",
            options.total_steps);
  CNN_CHECK(options.pct_start >= 0 && options.pct_start <= 1,
            "OneCycleLR: expected float between 0 and 1 pct_start, but got {}", options.pct_start);
  CNN_CHECK(options.anneal_strategy == "cos" || options.anneal_strategy == "linear",
            "OneCycleLR: anneal_strategy must be one of 'cos' or 'linear', instead got {}", options.anneal_strategy);
  if (options.three_phase)
    phases_ = {{options.pct_start * total - 1, 0, 1, 1, 0},
               {2 * options.pct_start * total - 2, 1, 0, 0, 1},
               {total - 1, 0, 2, 1, 1}};
  else
    phases_ = {{options.pct_start * total - 1, 0, 1, 1, 0}, {total - 1, 1, 2, 0, 1}};

  const size_t groups = optimizer.num_param_groups();
  max_lrs_ = per_group("max_lr", options.max_lr, groups);
  for (size_t g = 0; g < groups; ++g) {
    optimizer.set_initial_lr(g, max_lrs_[g] / options.div_factor);
    min_lrs_.push_back(*optimizer.initial_lr(g) / options.final_div_factor);
  }
  if (options.cycle_momentum) {
    const GroupOptions o = optimizer.group_options(0);
    momentum_name_ = o.contains("beta1") ? "beta1" : "momentum";
    CNN_CHECK(o.contains(momentum_name_), "OneCycleLR: optimizer must support momentum with cycle_momentum enabled");
    for (size_t g = 0; g < groups; ++g) optimizer.set_group_options(g, {{momentum_name_, options.max_momentum}});
  }
  for (size_t g = 0; g < groups; ++g) base_lrs_.push_back(*optimizer.initial_lr(g));
  initial_step();
}

std::vector<double> OneCycleLR::get_lr() {
  CNN_CHECK(last_epoch_ <= options_.total_steps,
            "OneCycleLR: tried to step {} times. The specified number of total "
            "steps is {}",
            last_epoch_ + 1, options_.total_steps);
  const bool cosine = options_.anneal_strategy == "cos";
  auto anneal = [cosine](double start, double end, double pct) {
    return cosine ? end + (start - end) / 2.0 * (std::cos(M_PI * pct) + 1) : (end - start) * pct + start;
  };
  const double step = double(last_epoch_);
  std::vector<double> lrs;
  for (size_t g = 0; g < base_lrs_.size(); ++g) {
    const double lr_points[3] = {base_lrs_[g], max_lrs_[g], min_lrs_[g]};
    const double momentum_points[2] = {options_.base_momentum, options_.max_momentum};
    double start_step = 0, lr = 0, momentum = 0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& p = phases_[i];
      if (step <= p.end_step || i + 1 == phases_.size()) {
        const double pct = (step - start_step) / (p.end_step - start_step);
        lr = anneal(lr_points[p.start_lr], lr_points[p.end_lr], pct);
        momentum = anneal(momentum_points[p.start_momentum], momentum_points[p.end_momentum], pct);
        break;
      }
      start_step = p.end_step;
    }
    lrs.push_back(lr);
    if (options_.cycle_momentum) optimizer_.set_group_options(g, {{momentum_name_, momentum}});
  }
  return lrs;
}

}  // namespace cnn

// ReduceLROnPlateau as PyTorch 1.13's: lr *= factor after `patience` epochs without improvement of the metric,
// with threshold, cooldown, min_lr and eps. Not a time-based schedule (scheduler.cpp, scheduler_cosine.cpp).
#include <cnn/scheduler.h>

#include <algorithm>
#include <limits>

#include "optim/scheduler_state.h"

namespace cnn {

ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options)
    : LRScheduler(optimizer, false), options_(options) {
  CNN_CHECK(options.factor < 1.0, "ReduceLROnPlateau: factor should be < 1.0, got {}", options.factor);
  CNN_CHECK(options.mode == "min" || options.mode == "max", "ReduceLROnPlateau: mode {} is unknown (min or max)",
            options.mode);
  CNN_CHECK(options.threshold_mode == "rel" || options.threshold_mode == "abs",
            "ReduceLROnPlateau: threshold mode {} is unknown (rel or abs)", options.threshold_mode);
  const size_t groups = optimizer.num_param_groups();
  CNN_CHECK(options.min_lr.size() == 1 || options.min_lr.size() == groups,
            "ReduceLROnPlateau: expected {} min_lrs, got {}", groups, options.min_lr.size());
  if (options_.min_lr.size() == 1) options_.min_lr.assign(groups, options.min_lr[0]);
  best_ = options.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  last_epoch_ = 0;
}

void ReduceLROnPlateau::step() {
  throw Error("ReduceLROnPlateau: step() needs the monitored metric; call step(metric)");
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const double t = options_.threshold;
  if (options_.mode == "min") return options_.threshold_mode == "rel" ? a < best * (1. - t) : a < best - t;
  return options_.threshold_mode == "rel" ? a > best * (t + 1.) : a > best + t;
}

void ReduceLROnPlateau::step(double metric) {
  last_epoch_ += 1;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    num_bad_epochs_ += 1;
  }
  if (cooldown_counter_ > 0) {
    cooldown_counter_ -= 1;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience) {
    for (size_t g = 0; g < optimizer_.num_param_groups(); ++g) {
      const double old_lr = optimizer_.lr(g);
      const double new_lr = std::max(old_lr * options_.factor, options_.min_lr[g]);
      if (old_lr - new_lr > options_.eps) optimizer_.set_lr(new_lr, static_cast<int64_t>(g));
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  last_lr_ = group_lrs();
}

SchedulerState ReduceLROnPlateau::state_dict() const {
  SchedulerState s{{"last_epoch", double(last_epoch_)},
                   {"best", best_},
                   {"num_bad_epochs", double(num_bad_epochs_)},
                   {"cooldown_counter", double(cooldown_counter_)}};
  sched_detail::put_list(s, "last_lr", last_lr_);
  return s;
}

void ReduceLROnPlateau::load_state_dict(const SchedulerState& state) {
  last_epoch_ = sched_detail::get_int(state, "last_epoch");
  best_ = sched_detail::get(state, "best");
  num_bad_epochs_ = sched_detail::get_int(state, "num_bad_epochs");
  cooldown_counter_ = sched_detail::get_int(state, "cooldown_counter");
  last_lr_ = sched_detail::get_list(state, "last_lr", optimizer_.num_param_groups());
}

}  // namespace cnn

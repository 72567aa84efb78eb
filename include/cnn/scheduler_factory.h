// timm-style scheduler settings (--sched, --warmup-epochs, --min-lr, ...) mapped onto torch's schedulers.
// Not the schedules themselves (scheduler.h).
#pragma once

#include <cnn/scheduler.h>

#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// The flags of timm's train.py that choose a learning-rate schedule (same names, same defaults where timm has one).
struct SchedulerConfig {
  std::string sched = "none";  // cosine, step, multistep, exponential, plateau, onecycle or none
  int64_t epochs = 1;
  int64_t steps_per_epoch = 1;  // batches per epoch: onecycle counts batches
  int64_t warmup_epochs = 0;
  double warmup_lr = 1e-5;
  double min_lr = 0.0;
  int64_t decay_epochs = 90;
  double decay_rate = 0.1;
  std::vector<int64_t> decay_milestones{90, 180, 270};
  int64_t patience_epochs = 10;
  std::string plateau_mode = "max";  // "max" monitors accuracy, "min" a loss
};

/// A schedule and how often to step it.
struct ScheduleHandle {
  std::unique_ptr<LRScheduler> scheduler;  // null for "none" without warm-up: the lr stays as it is
  bool per_step = false;                   // true: step after every batch (onecycle); false: after every epoch
};

/// Builds the schedule `config` names over `optimizer`'s current lrs:
///   cosine       CosineAnnealingLR(T_max = epochs - warmup_epochs, eta_min = min_lr)
///   step         StepLR(step_size = decay_epochs, gamma = decay_rate)
///   multistep    MultiStepLR(milestones = decay_milestones, gamma = decay_rate)
///   exponential  ExponentialLR(gamma = decay_rate)
///   plateau      ReduceLROnPlateau(mode = plateau_mode, factor = decay_rate, patience = patience_epochs, min_lr)
///   onecycle     OneCycleLR(max_lr = lr, total_steps = epochs * steps_per_epoch), stepped per batch; warm-up
///                epochs become its pct_start
///   none         the lr stays constant
/// With warmup_epochs > 0 (all but plateau and onecycle), LinearLR from warmup_lr up to lr over warmup_epochs comes
/// first, chained by SequentialLR; the main schedule then counts epochs from the end of warm-up.
/// Throws naming the setting for unknown names and out-of-range values.
ScheduleHandle create_scheduler(const SchedulerConfig& config, Optimizer& optimizer);

/// The names --sched accepts.
std::vector<std::string> scheduler_names();

}  // namespace cnn

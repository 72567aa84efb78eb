// --sched and friends (timm's train.py flags) to torch's schedulers; see scheduler_factory.h for the mapping.
// Not a schedule itself.
#include <cnn/scheduler_factory.h>

#include <algorithm>

namespace cnn {

std::vector<std::string> scheduler_names() {
  return {"cosine", "step", "multistep", "exponential", "plateau", "onecycle", "none"};
}

namespace {

std::unique_ptr<LRScheduler> main_schedule(const SchedulerConfig& c, Optimizer& optimizer) {
  if (c.sched == "cosine")
    return std::make_unique<CosineAnnealingLR>(
        optimizer,
        CosineAnnealingLROptions{.T_max = std::max<int64_t>(c.epochs - c.warmup_epochs, 1), .eta_min = c.min_lr});
  if (c.sched == "step") return std::make_unique<StepLR>(optimizer, StepLROptions{c.decay_epochs, c.decay_rate});
  if (c.sched == "multistep")
    return std::make_unique<MultiStepLR>(optimizer, MultiStepLROptions{c.decay_milestones, c.decay_rate});
  if (c.sched == "exponential") return std::make_unique<ExponentialLR>(optimizer, c.decay_rate);
  return nullptr;
}

}  // namespace

ScheduleHandle create_scheduler(const SchedulerConfig& c, Optimizer& optimizer) {
  const auto names = scheduler_names();
  CNN_CHECK(std::find(names.begin(), names.end(), c.sched) != names.end(),
            "--sched: unknown schedule '{}'; the schedules are {}", c.sched, fmt::join(names, ", "));
  CNN_CHECK(c.epochs > 0, "--epochs: expected a positive number of epochs, got {}", c.epochs);
  CNN_CHECK(c.warmup_epochs >= 0 && c.warmup_epochs < c.epochs,
            "--warmup-epochs: expected 0 <= warm-up < epochs ({}), got {}", c.epochs, c.warmup_epochs);
  if (c.sched == "onecycle") {
    const double pct = c.warmup_epochs > 0 ? double(c.warmup_epochs) / double(c.epochs) : 0.3;
    std::vector<double> max_lr;
    for (size_t g = 0; g < optimizer.num_param_groups(); ++g) max_lr.push_back(optimizer.lr(g));
    return {std::make_unique<OneCycleLR>(
                optimizer,
                OneCycleLROptions{.max_lr = max_lr, .total_steps = c.epochs * c.steps_per_epoch, .pct_start = pct}),
            true};
  }
  if (c.sched == "plateau") {
    CNN_CHECK(c.warmup_epochs == 0, "--warmup-epochs: not supported with --sched plateau (got {})", c.warmup_epochs);
    return {std::make_unique<ReduceLROnPlateau>(optimizer, ReduceLROnPlateauOptions{.mode = c.plateau_mode,
                                                                                    .factor = c.decay_rate,
                                                                                    .patience = c.patience_epochs,
                                                                                    .min_lr = {c.min_lr}}),
            false};
  }
  if (c.warmup_epochs == 0) return {main_schedule(c, optimizer), false};

  const double lr = optimizer.lr(0);
  CNN_CHECK(c.warmup_lr >= 0 && c.warmup_lr <= lr, "--warmup-lr: expected a value in [0, lr = {}], got {}", lr,
            c.warmup_lr);
  auto warmup = std::make_unique<LinearLR>(
      optimizer, LinearLROptions{.start_factor = c.warmup_lr / lr, .end_factor = 1.0, .total_iters = c.warmup_epochs});
  auto main = main_schedule(c, optimizer);
  if (!main) return {std::move(warmup), false};
  std::vector<std::unique_ptr<LRScheduler>> chain;
  chain.push_back(std::move(warmup));
  chain.push_back(std::move(main));
  return {std::make_unique<SequentialLR>(optimizer, std::move(chain), std::vector<int64_t>{c.warmup_epochs}), false};
}

}  // namespace cnn

// Training: one epoch of classification training, evaluation, and fit() with callbacks and a metrics log.
// Not the optimisers (optim.h) nor the data (data.h): this file only strings them together.
#pragma once

#include <cnn/data.h>
#include <cnn/module.h>
#include <cnn/optim.h>

#include <functional>
#include <string>
#include <vector>

namespace cnn {

/// Mean loss and accuracy (a fraction in [0, 1]) over the samples seen.
struct EvalResult {
  double loss = 0.0;
  double accuracy = 0.0;
  int64_t samples = 0;
  double seconds = 0.0;
};

/// Reported after every training step: running means over the epoch so far.
struct StepInfo {
  int64_t epoch = 0, epochs = 1;      // epoch counts from 0
  int64_t step = 0, steps = 0;        // step counts from 1; steps is the epoch's total
  double loss = 0.0, accuracy = 0.0;  // running means over the epoch
  double images_per_second = 0.0;
  double seconds = 0.0;  // since the epoch started
};

/// One line of metrics.json.
struct EpochMetrics {
  int64_t epoch = 0;  // from 1, as printed
  double train_loss = 0.0, train_acc = 0.0;
  double test_loss = 0.0, test_acc = 0.0;
  double seconds = 0.0;  // training time of the epoch (evaluation excluded)
  double images_per_second = 0.0;
  double eval_seconds = 0.0;
};

struct TrainOptions {
  int64_t epoch = 0, epochs = 1;  // only passed on to the callback
  /// Stop after this many steps (-1: the whole epoch); the loader's epoch still advances.
  int64_t max_steps = -1;
  std::function<void(const StepInfo&)> on_step;
};

/// Trains `model` (train mode) for one pass of `loader` with cross-entropy: zero_grad, forward, backward, step.
/// Usage: EvalResult r = train_one_epoch(*model, loader, opt, {.epoch = 0});
EvalResult train_one_epoch(Module& model, DataLoader& loader, Optimizer& optimizer, const TrainOptions& options = {});

/// Mean cross-entropy and accuracy over `loader` in eval mode without gradients (the mode is restored after).
/// max_batches < 0 means all.
EvalResult evaluate(Module& model, DataLoader& loader, int64_t max_batches = -1);

struct FitOptions {
  int64_t epochs = 1;
  /// Folder for metrics.json (rewritten after each epoch) and model.safetensors (at the end); empty: none.
  std::string output_dir;
  /// Extra JSON object text stored under "config" in metrics.json (the command line's settings).
  std::string config_json = "{}";
  int64_t max_steps_per_epoch = -1;
  std::function<void(const StepInfo&)> on_step;
  /// After each epoch's evaluation.
  std::function<void(const EpochMetrics&)> on_epoch;
};

/// Trains for options.epochs, evaluating on `test` after each; returns one entry per epoch.
/// Usage: auto history = fit(*model, train_loader, test_loader, opt, {.epochs = 5, .output_dir = "runs/x"});
std::vector<EpochMetrics> fit(Module& model, DataLoader& train, DataLoader& test, Optimizer& optimizer,
                              const FitOptions& options);

/// Writes {"config": ..., "epochs": [{epoch, train_loss, train_acc, test_loss, test_acc, seconds,
/// images_per_second, eval_seconds}, ...]} to `path`.
void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& history,
                        const std::string& config_json = "{}");

}  // namespace cnn

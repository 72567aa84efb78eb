// Training: one epoch of classification training, evaluation with full metrics, and fit() with callbacks,
// schedules, gradient clipping, early stopping, checkpoints every epoch and exact resume.
// Not the optimisers (optim.h), schedules (scheduler.h), checkpoint files (checkpoint.h) nor the data (data.h).
#pragma once

#include <cnn/autocast.h>
#include <cnn/aux_outputs.h>
#include <cnn/data.h>
#include <cnn/metrics.h>
#include <cnn/mixup.h>
#include <cnn/module.h>
#include <cnn/optim.h>
#include <cnn/scheduler.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// Mean loss and accuracy (fractions in [0, 1]) over the samples seen, with the full metrics behind them.
struct EvalResult {
  double loss = 0.0;
  double accuracy = 0.0;  // top-1
  int64_t samples = 0;
  double seconds = 0.0;
  double top5 = 0.0;
  ClassificationMetrics metrics;  // per-class accuracy, confusion matrix
};

/// Reported after every training step: running means over the epoch so far.
struct StepInfo {
  int64_t epoch = 0, epochs = 1;      // epoch counts from 0
  int64_t step = 0, steps = 0;        // step counts from 1; steps is the epoch's total
  double loss = 0.0, accuracy = 0.0;  // running means over the epoch
  double batch_loss = 0.0, batch_accuracy = 0.0;  // of this step's batch alone
  double images_per_second = 0.0;
  double seconds = 0.0;  // since the epoch started
  double lr = 0.0;       // of the first parameter group, as used by this step
};

/// One entry of the metrics history (metrics.json, checkpoints).
struct EpochMetrics {
  int64_t epoch = 0;  // from 1, as printed
  double train_loss = 0.0, train_acc = 0.0;
  double test_loss = 0.0, test_acc = 0.0;  // on the evaluation loader (validation or test split)
  double seconds = 0.0;                    // training time of the epoch (evaluation excluded)
  double images_per_second = 0.0;
  double eval_seconds = 0.0;
  double test_top5 = 0.0;
  double lr = 0.0;           // of the first group during the epoch
  double peak_rss_mb = 0.0;  // the process's peak resident memory so far (MiB), read after the epoch
};

/// One training step as logged (metrics.json "steps", checkpoints): the batch's own loss and accuracy, as
/// TensorBoard's per-step scalars. The x of a per-step curve in epochs is epoch - 1 + step / steps.
struct StepRecord {
  int64_t epoch = 0;           // from 1
  int64_t step = 0, steps = 0;  // step from 1 within the epoch, of `steps`
  double loss = 0.0, accuracy = 0.0;
  double lr = 0.0;
};

struct TrainOptions {
  int64_t epoch = 0, epochs = 1;  // only passed on to the callback and messages
  /// Stop after this many steps (-1: the whole epoch); the loader's epoch still advances.
  int64_t max_steps = -1;
  std::function<void(const StepInfo&)> on_step{};
  /// Stepped after every optimiser step (schedules stepped per batch, e.g. OneCycleLR); may be null.
  LRScheduler* step_scheduler = nullptr;
  /// Clip the gradients' total 2-norm to this before each step (clip_grad_norm_); 0: no clipping.
  double clip_grad = 0.0;
  double label_smoothing = 0.0;
  /// bf16 mixed precision: forward and loss inside an AutocastGuard (see autocast.h).
  Amp amp = Amp::none;
  /// L1 regularisation: l1 * sum |w| over the conv and linear weights (split_weight_decay's decay group) added to
  /// the loss, as Keras' kernel_regularizer=l1. 0: off.
  double l1 = 0.0;
  /// mixup / CutMix of every batch (mixup.h), drawn from a SampleRng of (the loader's seed, its epoch, the step), so
  /// runs repeat and resume exactly; the loss is then soft_target_cross_entropy against mixup_target
  /// (label_smoothing applied there). Off unless an alpha is positive.
  MixupOptions mixup{};
};

/// Thrown when the training loss becomes NaN or infinite; says where (epoch from 1, step from 1).
class NonFiniteLossError : public Error {
 public:
  NonFiniteLossError(const std::string& message, int64_t epoch, int64_t step)
      : Error(message), epoch(epoch), step(step) {}
  int64_t epoch, step;
};

/// Trains `model` (train mode) for one pass of `loader` with cross-entropy: zero_grad, forward, backward, clip,
/// step. A model that implements AuxOutputs (GoogLeNet with aux_logits) is run through forward_train and its
/// auxiliary losses join the objective with their weights; options.l1 adds its penalty. The loss reported is the
/// whole objective; accuracy is of the main logits (under mixup: against each sample's dominant label). A loss that is NaN or infinite throws
/// NonFiniteLossError naming the epoch and step, before the optimiser step touches the weights.
/// Usage: EvalResult r = train_one_epoch(*model, loader, opt, {.epoch = 0});
EvalResult train_one_epoch(Module& model, DataLoader& loader, Optimizer& optimizer, const TrainOptions& options = {});

/// Cross-entropy, top-1/top-5, per-class accuracy and the confusion matrix over `loader` in eval mode without
/// gradients (the mode is restored after). max_batches < 0 means all; amp bf16 runs it under autocast.
EvalResult evaluate(Module& model, DataLoader& loader, int64_t max_batches = -1, Amp amp = Amp::none);

/// The process's peak resident set size so far, in MiB (getrusage's ru_maxrss).
double peak_rss_mb();

/// Hooks into fit(), as Keras/Lightning callbacks. Override what you need.
class Callback {
 public:
  virtual ~Callback() = default;
  virtual void on_train_begin(int64_t start_epoch, int64_t epochs) {}
  virtual void on_epoch_begin(int64_t epoch) {}  // from 0
  virtual void on_batch_end(const StepInfo& step) {}
  /// After evaluation, the schedule step and the checkpoints of the epoch.
  virtual void on_epoch_end(const EpochMetrics& metrics, const EvalResult& eval) {}
  virtual void on_train_end(const std::vector<EpochMetrics>& history) {}
  /// Checked after on_epoch_end: true ends training (as Keras' model.stop_training).
  virtual bool stop_training() const { return false; }
};

/// Early stopping (Keras' EarlyStopping) on FitOptions::monitor.
struct EarlyStoppingOptions {
  int64_t patience = 0;  // epochs without improvement before stopping; 0: off
  /// Restore the weights of the best epoch when training ends (after stopping or not).
  bool restore_best_weights = true;
};

struct FitOptions {
  int64_t epochs = 1;
  /// Folder for metrics.json and model.safetensors, and for last.ckpt (every epoch) and best.ckpt (each new best);
  /// empty: no files.
  std::string output_dir{};
  /// Extra JSON object text stored under "config" in metrics.json (the command line's settings).
  std::string config_json = "{}";
  int64_t max_steps_per_epoch = -1;
  std::function<void(const StepInfo&)> on_step{};
  /// After each epoch's evaluation.
  std::function<void(const EpochMetrics&)> on_epoch{};
  std::vector<std::shared_ptr<Callback>> callbacks{};

  /// The learning-rate schedule; stepped after every batch when scheduler_per_step, else after every epoch
  /// (ReduceLROnPlateau with the monitored metric). Null: constant lr.
  LRScheduler* scheduler = nullptr;
  bool scheduler_per_step = false;
  double clip_grad = 0.0;
  double label_smoothing = 0.0;
  /// bf16 mixed precision for training and evaluation (see autocast.h).
  Amp amp = Amp::none;
  double l1 = 0.0;       // see TrainOptions
  MixupOptions mixup{};  // see TrainOptions

  /// What "best" means for best.ckpt, early stopping and plateau schedules: "top1", "top5" (higher is better) or
  /// "loss" (lower is better), of the evaluation loader. An improvement must exceed min_delta.
  std::string monitor = "top1";
  double min_delta = 0.0;
  EarlyStoppingOptions early_stopping{};

  bool checkpoints = true;  // write last.ckpt / best.ckpt when output_dir is set
  /// Continue from this checkpoint (a file, or a folder holding last.ckpt): the model, optimiser, scheduler,
  /// generator, loaders' epochs, metrics history and early-stopping state are restored, so the run goes on exactly
  /// as if it had not stopped (bit for bit with 1 thread). The model, optimiser and schedule must be built as before.
  std::string resume{};
};

/// What fit() did: one entry per epoch (the resumed run's earlier epochs included).
struct FitResult {
  std::vector<EpochMetrics> history;
  std::vector<StepRecord> steps;  // every step of every epoch (the resumed run's earlier ones included)
  int64_t start_epoch = 0;  // epochs already done when this call began (resume)
  int64_t best_epoch = 0;   // from 1; 0 when no epoch ran
  double best_value = 0.0;  // of the monitor
  bool stopped_early = false;
  EvalResult last_eval;  // the final epoch's evaluation (per-class accuracy, confusion matrix)
};

/// Trains for options.epochs, evaluating on `val` after each. Files in output_dir: metrics.json (every epoch),
/// model.safetensors (the final, or restored best, weights), last.ckpt and best.ckpt.
/// Usage: auto r = fit(*model, train_loader, test_loader, opt, {.epochs = 5, .output_dir = "runs/x"});
FitResult fit(Module& model, DataLoader& train, DataLoader& val, Optimizer& optimizer, const FitOptions& options);

/// Writes {"config": ..., "epochs": [{epoch, train_loss, train_acc, test_loss, test_acc, test_top5, lr, seconds,
/// images_per_second, eval_seconds, peak_rss_mb}, ...]} plus, when `last_eval` has samples, "per_class_accuracy"
/// and "confusion_matrix" of that evaluation, and "steps": {"columns": ["epoch", "step", "steps", "loss",
/// "accuracy", "lr"], "rows": [[...], ...]} (one row per line), to `path` (atomically: a temporary file, then
/// rename).
void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& history,
                        const std::string& config_json = "{}", const EvalResult* last_eval = nullptr,
                        const std::vector<StepRecord>& steps = {});

/// The "steps" of the metrics.json at `path` (empty when it has none, as runs before per-step logging). Throws
/// naming the file when it cannot be read or parsed.
std::vector<StepRecord> read_step_log(const std::string& path);

}  // namespace cnn

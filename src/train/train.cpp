// One epoch of classification training and one evaluation pass: train_one_epoch and evaluate.
// Not fit()'s epochs, schedules and checkpoints (fit.cpp), nor a progress display (callers get StepInfo).
#include <cnn/autograd.h>
#include <cnn/ops.h>
#include <cnn/optim_utils.h>
#include <cnn/train.h>

#include <sys/resource.h>

#include <chrono>
#include <cmath>

namespace cnn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void check_logits(const Tensor& logits, const Batch& batch) {
  CNN_CHECK(logits.dim() == 2 && logits.size(0) == batch.labels.size(0),
            "train: expected the model to return logits [{}, num_classes] for images {}, got {}", batch.labels.size(0),
            batch.images.shape(), logits.shape());
}

EvalResult result_of(ClassificationMetrics metrics, double seconds) {
  return {metrics.loss(), metrics.top1(), metrics.samples(), seconds, metrics.top5(), std::move(metrics)};
}

std::vector<Tensor> all_params(const Optimizer& optimizer) {
  std::vector<Tensor> out;
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g)
    for (const Tensor& p : optimizer.params(g)) out.push_back(p);
  return out;
}

}  // namespace

EvalResult train_one_epoch(Module& model, DataLoader& loader, Optimizer& optimizer, const TrainOptions& options) {
  model.train();
  const int64_t steps = options.max_steps < 0 ? loader.size() : std::min(options.max_steps, loader.size());
  const std::vector<Tensor> params = options.clip_grad > 0 ? all_params(optimizer) : std::vector<Tensor>{};
  const auto start = Clock::now();
  ClassificationMetrics metrics;
  int64_t step = 0;
  for (const Batch& batch : loader) {
    if (step == steps) break;
    const double lr = optimizer.lr(0);
    optimizer.zero_grad();
    Tensor logits, loss;
    {
      const AutocastGuard autocast(DType::bf16, options.amp == Amp::bf16);
      logits = model(batch.images);
      check_logits(logits, batch);
      loss = cross_entropy(logits, batch.labels, {.label_smoothing = options.label_smoothing});
    }
    const double loss_value = loss.item();
    if (!std::isfinite(loss_value)) {
      const char* value = std::isnan(loss_value) ? "nan" : (loss_value > 0 ? "inf" : "-inf");
      throw NonFiniteLossError(fmt::format("training stopped: the loss is {} at epoch {}/{}, step {}/{} (lr {:.4g}); "
                                           "the weights were not updated by that step",
                                           value, options.epoch + 1, options.epochs, step + 1, steps, lr),
                               options.epoch + 1, step + 1);
    }
    loss.backward();
    if (options.clip_grad > 0) clip_grad_norm_(params, options.clip_grad);
    optimizer.step();
    if (options.step_scheduler != nullptr) options.step_scheduler->step();

    const double correct_before = metrics.top1() * double(metrics.samples());
    metrics.update(logits, batch.labels, loss_value * double(batch.labels.size(0)));
    const double batch_accuracy =
        (metrics.top1() * double(metrics.samples()) - correct_before) / double(batch.labels.size(0));
    ++step;
    if (options.on_step) {
      const double elapsed = seconds_since(start);
      // Sharded (mpirun): this rank's running loss and accuracy, and every rank's images/s (equal shards).
      const double images = double(metrics.samples()) * double(loader.options().num_replicas);
      options.on_step({.epoch = options.epoch,
                       .epochs = options.epochs,
                       .step = step,
                       .steps = steps,
                       .loss = metrics.loss(),
                       .accuracy = metrics.top1(),
                       .batch_loss = loss_value,
                       .batch_accuracy = std::round(batch_accuracy * double(batch.labels.size(0))) /
                                         double(batch.labels.size(0)),
                       .images_per_second = images / elapsed,
                       .seconds = elapsed,
                       .lr = lr});
    }
  }
  if (loader.options().num_replicas > 1) metrics.all_reduce();  // the epoch's figures over every rank's shard
  return result_of(std::move(metrics), seconds_since(start));
}

EvalResult evaluate(Module& model, DataLoader& loader, int64_t max_batches, Amp amp) {
  CNN_CHECK(loader.dataset().size() > 0,
            "evaluate: the split to evaluate holds no images\nHINT: check the data folder; an empty split gives no "
            "accuracy");
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const AutocastGuard autocast(DType::bf16, amp == Amp::bf16);
  const auto start = Clock::now();
  ClassificationMetrics metrics;
  int64_t batches = 0;
  try {
    for (const Batch& batch : loader) {
      if (batches++ == max_batches) break;
      Tensor logits = model(batch.images);
      check_logits(logits, batch);
      metrics.update(logits, batch.labels, cross_entropy(logits, batch.labels, {.reduction = Reduction::sum}).item());
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  if (loader.options().num_replicas > 1) metrics.all_reduce();  // a sharded split: over all of it, once
  return result_of(std::move(metrics), seconds_since(start));
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace cnn

// One epoch of classification training (auxiliary heads, L1 penalty, mixup/CutMix) and one evaluation pass:
// train_one_epoch and evaluate. Not fit()'s epochs, schedules and checkpoints (fit.cpp), nor a progress display
// (callers get StepInfo).
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

// Salt of mixup's generator, so that its draws do not repeat the sample transforms' SampleRng streams.
constexpr uint64_t kMixupSeed = 0x6d69787570ULL;  // "mixup"

// The main logits, and the auxiliary heads' with their weights when the model has any (AuxOutputs).
TrainOutputs forward_train(Module& model, const Tensor& images) {
  if (auto* aux = dynamic_cast<AuxOutputs*>(&model)) return aux->forward_train(images);
  return {.logits = model(images), .aux = {}};
}

// The objective of one batch: the main loss, each auxiliary loss times its weight, and the L1 penalty. Under mixup
// every head's loss is the soft-target cross-entropy against the same mixed targets.
Tensor training_loss(const TrainOutputs& out, const Batch& batch, const MixupDraw* mix, const TrainOptions& o,
                     const std::vector<Tensor>& l1_params) {
  const Tensor targets = mix != nullptr ? mixup_target(batch.labels, out.logits.size(1), mix->lam, o.label_smoothing)
                                        : Tensor();
  auto criterion = [&](const Tensor& logits) {
    return mix != nullptr ? soft_target_cross_entropy(logits, targets)
                          : cross_entropy(logits, batch.labels, {.label_smoothing = o.label_smoothing});
  };
  Tensor loss = criterion(out.logits);
  for (const AuxOutput& aux : out.aux) loss = add(loss, mul(criterion(aux.logits), aux.weight));
  if (o.l1 > 0) loss = add(loss, l1_penalty(l1_params, o.l1));
  return loss;
}

}  // namespace

EvalResult train_one_epoch(Module& model, DataLoader& loader, Optimizer& optimizer, const TrainOptions& options) {
  model.train();
  const int64_t steps = options.max_steps < 0 ? loader.size() : std::min(options.max_steps, loader.size());
  const std::vector<Tensor> params = options.clip_grad > 0 ? all_params(optimizer) : std::vector<Tensor>{};
  const std::vector<Tensor> l1_params = options.l1 > 0 ? split_weight_decay(model).second : std::vector<Tensor>{};
  const Mixup mixup(options.mixup);
  const int64_t loader_epoch = loader.epoch();  // the epoch the loop below starts
  const int64_t replicas = loader.options().num_replicas, rank = loader.options().rank;
  const auto start = Clock::now();
  ClassificationMetrics metrics;
  int64_t step = 0;
  for (const Batch& batch : loader) {
    if (step == steps) break;
    const double lr = optimizer.lr(0);
    optimizer.zero_grad();
    MixupDraw mix;
    Tensor images = batch.images;
    if (mixup.enabled()) {
      SampleRng rng(loader.seed() ^ kMixupSeed, loader_epoch, step * replicas + rank);
      mix = mixup.draw(rng, images.size(2), images.size(3));
      images = mixup.mix_images(images, mix);
    }
    Tensor logits, loss;
    {
      const AutocastGuard autocast(DType::bf16, options.amp == Amp::bf16);
      const TrainOutputs out = forward_train(model, images);
      logits = out.logits;
      check_logits(logits, batch);
      loss = training_loss(out, batch, mixup.enabled() ? &mix : nullptr, options, l1_params);
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
    const Tensor labels = mixup.enabled() ? dominant_labels(batch.labels, mix.lam) : batch.labels;
    metrics.update(logits, labels, loss_value * double(batch.labels.size(0)));
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

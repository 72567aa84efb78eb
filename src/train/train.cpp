// The classification training loop: train_one_epoch, evaluate and fit (which also writes the run's files).
// Not a progress display: callers get StepInfo/EpochMetrics callbacks and print what they like.
#include <cnn/autograd.h>
#include <cnn/io.h>
#include <cnn/ops.h>
#include <cnn/train.h>

#include <chrono>
#include <filesystem>

namespace cnn {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Rows of logits [B, C] whose largest entry is at the label.
int64_t count_correct(const Tensor& logits, const Tensor& labels) {
  const Tensor l = logits.detach().contiguous();
  const Tensor y = labels.contiguous();
  const float* p = l.data<float>();
  const int64_t* t = y.data<int64_t>();
  const int64_t rows = l.size(0), cols = l.size(1);
  int64_t correct = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p + r * cols;
    int64_t best = 0;
    for (int64_t c = 1; c < cols; ++c)
      if (row[c] > row[best]) best = c;
    correct += best == t[r] ? 1 : 0;
  }
  return correct;
}

void check_logits(const Tensor& logits, const Batch& batch) {
  CNN_CHECK(logits.dim() == 2 && logits.size(0) == batch.labels.size(0),
            "train: expected the model to return logits [{}, num_classes] for images {}, got {}", batch.labels.size(0),
            batch.images.shape(), logits.shape());
}

}  // namespace

EvalResult train_one_epoch(Module& model, DataLoader& loader, Optimizer& optimizer, const TrainOptions& options) {
  model.train();
  const int64_t steps = options.max_steps < 0 ? loader.size() : std::min(options.max_steps, loader.size());
  const auto start = Clock::now();
  double loss_sum = 0.0;
  int64_t correct = 0, seen = 0, step = 0;
  for (const Batch& batch : loader) {
    if (step == steps) break;
    optimizer.zero_grad();
    Tensor logits = model(batch.images);
    check_logits(logits, batch);
    Tensor loss = cross_entropy(logits, batch.labels);
    loss.backward();
    optimizer.step();

    const int64_t n = batch.labels.size(0);
    loss_sum += loss.item() * static_cast<double>(n);
    correct += count_correct(logits, batch.labels);
    seen += n;
    ++step;
    if (options.on_step) {
      const double elapsed = seconds_since(start);
      options.on_step({options.epoch, options.epochs, step, steps, loss_sum / double(seen),
                       double(correct) / double(seen), double(seen) / elapsed, elapsed});
    }
  }
  const double elapsed = seconds_since(start);
  return {seen ? loss_sum / double(seen) : 0.0, seen ? double(correct) / double(seen) : 0.0, seen, elapsed};
}

EvalResult evaluate(Module& model, DataLoader& loader, int64_t max_batches) {
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const auto start = Clock::now();
  double loss_sum = 0.0;
  int64_t correct = 0, seen = 0, batches = 0;
  try {
    for (const Batch& batch : loader) {
      if (batches++ == max_batches) break;
      Tensor logits = model(batch.images);
      check_logits(logits, batch);
      loss_sum += cross_entropy(logits, batch.labels, {.reduction = Reduction::sum}).item();
      correct += count_correct(logits, batch.labels);
      seen += batch.labels.size(0);
    }
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  return {seen ? loss_sum / double(seen) : 0.0, seen ? double(correct) / double(seen) : 0.0, seen,
          seconds_since(start)};
}

std::vector<EpochMetrics> fit(Module& model, DataLoader& train, DataLoader& test, Optimizer& optimizer,
                              const FitOptions& options) {
  CNN_CHECK(options.epochs > 0, "fit: epochs must be positive, got {}", options.epochs);
  if (!options.output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.output_dir, ec);
    CNN_CHECK(!ec, "fit: cannot create output folder {} ({})\nHINT: pass a writable folder with --output",
              options.output_dir, ec.message());
  }
  std::vector<EpochMetrics> history;
  for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
    const EvalResult tr = train_one_epoch(model, train, optimizer,
                                          {.epoch = epoch,
                                           .epochs = options.epochs,
                                           .max_steps = options.max_steps_per_epoch,
                                           .on_step = options.on_step});
    const EvalResult te = evaluate(model, test);
    history.push_back({epoch + 1, tr.loss, tr.accuracy, te.loss, te.accuracy, tr.seconds,
                       tr.seconds > 0 ? double(tr.samples) / tr.seconds : 0.0, te.seconds});
    if (!options.output_dir.empty()) {
      const std::filesystem::path dir(options.output_dir);
      write_metrics_json((dir / "metrics.json").string(), history, options.config_json);
      save_safetensors((dir / "model.safetensors").string(), model.state_dict());
    }
    if (options.on_epoch) options.on_epoch(history.back());
  }
  return history;
}

}  // namespace cnn

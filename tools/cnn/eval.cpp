// `cnn eval RUN` (or --model --weights): a model's weights on a dataset's test (or train) split: loss,
// top-1/top-5, per-class accuracy and the confusion matrix. Not training (train.cpp).
#include <cnn/backend.h>
#include <cnn/checkpoint.h>
#include <cnn/io.h>
#include <cnn/metrics.h>
#include <cnn/models.h>
#include <cnn/train.h>
#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "commands.h"
#include "flag_limits.h"
#include "run_source.h"
#include "train_args.h"

namespace cnn::cli {

namespace {

struct EvalArgs {
  RunSource source;
  std::string split = "test", backend, amp = "none";
  int64_t batch_size = 256, workers = 2, max_classes_shown = 20;
  int threads = 0;
};

void run_eval(const EvalArgs& a) {
  if (!a.backend.empty()) set_backend(a.backend);
  if (a.threads > 0) set_num_threads(a.threads);
  const RunSpec spec = resolve_run(a.source, "eval");
  check_batch_memory("eval", a.batch_size, spec.augment.img_size);
  const DataSplits data = spec.open_eval(a.split == "train");
  const int64_t classes = spec.num_classes > 0 ? spec.num_classes : static_cast<int64_t>(data.classes.size());
  CNN_CHECK(classes > 0, "eval: cannot tell the number of classes of {}\nHINT: pass --num-classes", spec.dataset);
  ModulePtr model = load_run_model(a.source, spec, "eval");
  CNN_CHECK(classifier_outputs(*model) == classes,
            "eval: the weights' classifier has {} classes, {} has {}\nHINT: pass --num-classes or the dataset the "
            "weights were trained on",
            classifier_outputs(*model), spec.dataset, classes);
  DataLoader loader(data.test, {.batch_size = a.batch_size, .seed = 0, .num_workers = a.workers});
  const EvalResult r = evaluate(*model, loader, -1, parse_amp(a.amp));

  fmt::print("cnn eval: {} with {} on {} {} ({} images, {} classes)\n", spec.model, resolve_weights(a.source, spec),
             spec.dataset, a.split, r.samples, classes);
  fmt::print("loss {:.4f}  top-1 {:.2f}%  top-5 {:.2f}%  ({:.1f} s)\n", r.loss, 100 * r.accuracy, 100 * r.top5,
             r.seconds);
  const std::vector<double> per_class = r.metrics.per_class_accuracy();
  if (classes > a.max_classes_shown) {
    double worst = 2.0;
    int64_t worst_class = 0;
    for (int64_t c = 0; c < classes; ++c)
      if (!std::isnan(per_class[static_cast<size_t>(c)]) && per_class[static_cast<size_t>(c)] < worst)
        worst = per_class[static_cast<size_t>(c)], worst_class = c;
    fmt::print(
        "{} classes: per-class accuracy and the confusion matrix are shown up to {} classes "
        "(--max-classes); the weakest class is {} at {:.2f}%\n",
        classes, a.max_classes_shown, worst_class, 100 * worst);
    return;
  }
  fmt::print("\nper-class accuracy and confusion matrix (rows: true class, columns: predicted):\n{}",
             format_confusion_matrix(r.metrics, data.classes));
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval",
                                     "Evaluate a run (cnn eval RUN) or trained weights (--model, --weights): loss, "
                                     "top-1/top-5, per-class accuracy and the confusion matrix on the test split.");
  add_run_source(cmd, a->source);
  cmd->add_option("--split", a->split, "Which split to evaluate")
      ->check(CLI::IsMember({"test", "train"}))
      ->capture_default_str();
  cmd->add_option("-b,--batch-size", a->batch_size, "Batch size")
      ->check(within(1, kMaxBatchSize, "a sane batch"))
      ->capture_default_str();
  cmd->add_option("-j,--workers", a->workers, "Data-loading threads")
      ->check(within(0, kMaxWorkers, "data-loading threads"))
      ->capture_default_str();
  cmd->add_option("--max-classes", a->max_classes_shown, "Show per-class results up to this many classes")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0: all cores)")->check(threads_check());
  cmd->add_option("--backend", a->backend, "Kernels: onednn or ref")->check(CLI::IsMember(available_backends()));
  add_amp_flag(cmd, a->amp);
  cmd->callback([a] { run_eval(*a); });
}

}  // namespace cnn::cli

// `cnn ensemble RUN RUN...`: the mean of several runs' softmax outputs on their shared dataset's test split, with
// each member's loss, top-1 and top-5 (as cnn eval gives them) and the ensemble's. Not the runs' training.
#include <cnn/atomic_file.h>
#include <cnn/autocast.h>
#include <cnn/backend.h>
#include <cnn/metrics.h>
#include <cnn/ops.h>
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "flag_limits.h"
#include "run_source.h"
#include "train_args.h"

namespace cnn::cli {

namespace {

namespace fs = std::filesystem;

struct EnsembleArgs {
  std::vector<std::string> runs;
  std::string backend, amp = "none", output;
  int64_t batch_size = 256, workers = 2, limit = 0;
  int threads = 0;
};

// One member: its run, model and loader over its own evaluation transform of the shared test split.
struct Member {
  std::string run;
  RunSpec spec;
  ModulePtr model;
  std::unique_ptr<DataLoader> loader;
  ClassificationMetrics metrics;
};

std::string canonical(const std::string& dir) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(dir, ec);
  return ec ? dir : p.string();
}

// Every member must evaluate the first one's dataset (same name and folder) with the same classes.
void check_same_dataset(const Member& first, const Member& m) {
  const DatasetSpec a = first.spec.data(), b = m.spec.data();
  CNN_CHECK(a.name == b.name && canonical(a.dir) == canonical(b.dir),
            "ensemble: {} was trained on {} ({}), {} on {} ({}); every run must share the dataset\nHINT: ensemble "
            "runs of one dataset",
            m.run, b.name, b.dir, first.run, a.name, a.dir);
}

void check_same_classes(const Member& first, const Member& m) {
  CNN_CHECK(classifier_outputs(*m.model) == classifier_outputs(*first.model) &&
                m.spec.class_names() == first.spec.class_names(),
            "ensemble: {}'s classifier has {} classes, {}'s has {}; every run must share the classes", m.run,
            classifier_outputs(*m.model), first.run, classifier_outputs(*first.model));
}

// The run's spec, model and test loader, checked against the first member (null for the first itself).
Member open_member(const std::string& run, const EnsembleArgs& a, const Member* first) {
  RunSource source;
  source.run = run;
  Member m;
  m.run = run;
  m.spec = resolve_run(source, "ensemble");
  if (first != nullptr) check_same_dataset(*first, m);
  m.model = load_run_model(source, m.spec, "ensemble");
  if (first != nullptr) check_same_classes(*first, m);
  std::shared_ptr<const Dataset> test = m.spec.open_eval().test;
  if (a.limit > 0 && a.limit < test->size()) test = std::make_shared<SubsetDataset>(test, a.limit);
  m.loader = std::make_unique<DataLoader>(test, DataLoaderOptions{.batch_size = a.batch_size, .seed = 0,
                                                                  .num_workers = a.workers});
  return m;
}

nlohmann::ordered_json result_json(const ClassificationMetrics& m) {
  return {{"loss", m.loss()}, {"top1", m.top1()}, {"top5", m.top5()}};
}

void run_ensemble(const EnsembleArgs& a) {
  CNN_CHECK(a.runs.size() >= 2, "ensemble: pass at least two run folders, got {}", a.runs.size());
  if (!a.backend.empty()) set_backend(a.backend);
  if (a.threads > 0) set_num_threads(a.threads);
  std::vector<Member> members;
  for (const std::string& run : a.runs)
    members.push_back(open_member(run, a, members.empty() ? nullptr : &members.front()));
  NoGradGuard no_grad;
  const AutocastGuard autocast(DType::bf16, parse_amp(a.amp) == Amp::bf16);
  ClassificationMetrics ensemble;
  std::vector<DataLoader::Iterator> batches;
  for (Member& m : members) batches.push_back(m.loader->begin());
  while (batches.front() != members.front().loader->end()) {
    const Tensor labels = batches.front()->labels;
    Tensor sum;
    for (size_t i = 0; i < members.size(); ++i) {
      const Batch& b = *batches[i];
      CNN_CHECK(b.labels.to_vector<int64_t>() == labels.to_vector<int64_t>(),
                "ensemble: {}'s test images come in another order than {}'s", members[i].run, members.front().run);
      const Tensor logits = (*members[i].model)(b.images);
      members[i].metrics.update(logits, labels, cross_entropy(logits, labels, {.reduction = Reduction::sum}).item());
      const Tensor p = softmax(logits, 1);
      sum = sum.defined() ? add(sum, p) : p;
    }
    // The mean probabilities ranked as logits (log is monotonic); clamped so that an underflow to 0 stays finite.
    const Tensor log_mean = log(clamp(div(sum, static_cast<double>(members.size())), 1e-30, std::nullopt));
    ensemble.update(log_mean, labels, nll_loss(log_mean, labels, {.reduction = Reduction::sum}).item());
    for (auto& it : batches) ++it;
  }

  const RunSpec& spec = members.front().spec;
  fmt::print("cnn ensemble: {} runs on {} test ({} images, {} classes), mean of their softmax outputs\n",
             members.size(), spec.dataset, ensemble.samples(), ensemble.num_classes());
  for (const Member& m : members)
    fmt::print("  {}: {}  loss {:.4f}  top-1 {:.2f}%  top-5 {:.2f}%\n", m.run, m.spec.model, m.metrics.loss(),
               100 * m.metrics.top1(), 100 * m.metrics.top5());
  fmt::print("ensemble: loss {:.4f}  top-1 {:.2f}%  top-5 {:.2f}%\n", ensemble.loss(), 100 * ensemble.top1(),
             100 * ensemble.top5());
  if (a.output.empty()) return;
  nlohmann::ordered_json out{{"dataset", spec.dataset},
                             {"data_dir", spec.data().dir},
                             {"images", ensemble.samples()},
                             {"classes", ensemble.num_classes()},
                             {"members", nlohmann::ordered_json::array()},
                             {"ensemble", result_json(ensemble)}};
  for (const Member& m : members) {
    nlohmann::ordered_json j{{"run", m.run}, {"model", m.spec.model}};
    j.update(result_json(m.metrics));
    out["members"].push_back(j);
  }
  write_file_atomic(a.output, out.dump(2) + "\n", "ensemble");
  fmt::print("wrote {}\n", a.output);
}

}  // namespace

void add_ensemble_command(CLI::App& app) {
  auto a = std::make_shared<EnsembleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ensemble",
      "Average the softmax outputs of several runs (cnn ensemble RUN RUN...) on their dataset's test split: each "
      "run's loss, top-1 and top-5 (as cnn eval) and the ensemble's.");
  cmd->add_option("runs", a->runs, "Run folders written by cnn train or finetune, trained on the same dataset")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("-b,--batch-size", a->batch_size, "Batch size")
      ->check(within(1, kMaxBatchSize, "a sane batch"))
      ->capture_default_str();
  cmd->add_option("-j,--workers", a->workers, "Data-loading threads per run")
      ->check(within(0, kMaxWorkers, "data-loading threads"))
      ->capture_default_str();
  cmd->add_option("--limit", a->limit, "Evaluate the first N test images only (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--output", a->output, "Also write the results to this JSON file");
  cmd->add_option("--threads", a->threads, "CPU threads (0: all cores)")->check(threads_check());
  cmd->add_option("--backend", a->backend, "Kernels: onednn or ref")->check(CLI::IsMember(available_backends()));
  add_amp_flag(cmd, a->amp);
  cmd->callback([a] { run_ensemble(*a); });
}

}  // namespace cnn::cli

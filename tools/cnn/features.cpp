// `cnn features`: feature extraction with a trained model (seeds 002 §10.2): the output of one layer for every
// image of a split, through a forward hook, written with the labels to a safetensors file. Not training.
#include <cnn/backend.h>
#include <cnn/io.h>
#include <cnn/loader.h>
#include <cnn/models.h>
#include <cnn/ops.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "commands.h"
#include "flag_limits.h"
#include "run_source.h"

namespace cnn::cli {

namespace {

struct FeaturesArgs {
  RunSource source;
  std::string layer, output = "features.safetensors", split = "test";
  int64_t batch_size = 256, workers = 2, limit = 0;
  int threads = 0;
};

void run_features(const FeaturesArgs& a) {
  if (a.threads > 0) set_num_threads(a.threads);
  const RunSpec spec = resolve_run(a.source, "features");
  DataSplits data = spec.open_eval(a.split == "train");
  ModulePtr model = load_run_model(a.source, spec, "features");
  model->eval();
  const ModulePtr layer = model->get_submodule(a.layer);
  std::shared_ptr<const Dataset> images = data.test;
  if (a.limit > 0 && a.limit < images->size()) images = std::make_shared<SubsetDataset>(images, a.limit);

  Shape per_image;
  std::vector<Tensor> batches, labels;
  Tensor captured;
  HookHandle hook = layer->register_forward_hook([&](Module&, const Tensor&, const Tensor& out) { captured = out; });
  const auto start = std::chrono::steady_clock::now();
  {
    NoGradGuard no_grad;
    DataLoader loader(images, {.batch_size = a.batch_size, .seed = 0, .num_workers = a.workers});
    for (const Batch& batch : loader) {
      (*model)(batch.images);
      per_image = Shape(std::vector<int64_t>(captured.shape().begin() + 1, captured.shape().end()));
      batches.push_back(flatten(captured, 1).contiguous());
      labels.push_back(batch.labels);
    }
  }
  hook.remove();
  const Tensor features = cat(batches, 0), targets = cat(labels, 0);
  save_safetensors(a.output, StateDict{{"features", features}, {"labels", targets}},
                   {{"model", spec.model}, {"weights", resolve_weights(a.source, spec)}, {"layer", a.layer}, {"dataset", spec.dataset},
                    {"split", a.split}, {"layer_output_shape", per_image.str()}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("cnn features: {} {} images through {} up to {} ({} per image) -> features {} and labels {} in "
             "{:.1f} s; written to {}\n",
             spec.dataset, a.split, spec.model, a.layer, per_image, features.shape(), targets.shape(), seconds, a.output);
}

}  // namespace

void add_features_command(CLI::App& app) {
  auto a = std::make_shared<FeaturesArgs>();
  CLI::App* cmd = app.add_subcommand(
      "features",
      "Feature extraction: run a trained run (cnn features RUN --layer L) over a dataset split and save one layer's output per image "
      "(flattened, as \"features\" [N, F]) with the labels (\"labels\" [N]) to a safetensors file.");
  add_run_source(cmd, a->source);
  cmd->add_option("--layer", a->layer, "Dotted name of the layer whose output is saved (e.g. avgpool, features.7)")
      ->required();
  cmd->add_option("--output", a->output, "The safetensors file to write")->capture_default_str();
  cmd->add_option("--split", a->split, "Which split")->check(CLI::IsMember({"train", "test"}))->capture_default_str();
  cmd->add_option("--limit", a->limit, "Only the first N images (0: all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("-b,--batch-size", a->batch_size, "Images per forward pass")
      ->check(within(1, kMaxBatchSize, "a sane batch"))
      ->capture_default_str();
  cmd->add_option("-j,--workers", a->workers, "Data-loading threads")
      ->check(within(0, kMaxWorkers, "data-loading threads"))
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0: all cores)")->check(threads_check());
  cmd->callback([a] { run_features(*a); });
}

}  // namespace cnn::cli

// A run folder or --model/--weights as the source of a trained model (see run_source.h).
#include "flag_limits.h"
#include "run_source.h"

#include <cnn/models.h>
#include <fmt/format.h>

#include "commands.h"

namespace cnn::cli {

void add_run_source(CLI::App* cmd, RunSource& s, RunFlagOptions options) {
  cmd->add_option("run", s.run,
                  "A run folder written by cnn train or finetune: its config.json rebuilds the model (kwargs, "
                  "classes, image size), the dataset and data folder; weights from its model.safetensors")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--model", s.model, "Model name (default: the run's)")->check(CLI::IsMember(models::names()));
  cmd->add_option("--model-kwargs", s.model_kwargs, "Model settings as trained, key=value items (default: the run's)");
  cmd->add_option("--num-classes", s.num_classes, "Classes of the model's last layer (0: the run's, or the dataset's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--weights", s.weights,
                  options.weights_required ? "Weights: model.safetensors or a checkpoint (default: RUN/model.safetensors)"
                                           : "Weights: model.safetensors or a .ckpt (default: RUN/model.safetensors, "
                                             "else the random initialisation)")
      ->check(CLI::ExistingFile);
  if (!options.data) return;
  cmd->add_option("--dataset", s.dataset, "Dataset (default: the run's, else mnist): " + dataset_choices());
  cmd->add_option("--data-dir", s.data_dir, "Folder with the dataset's files (default: the run's, else as cnn train)");
  cmd->add_option("--img-size", s.img_size, "Image side the model sees (default: the run's, else the dataset's own)")
      ->check(img_size_check());
  cmd->add_option("--crop-pct", s.crop_pct, "Resize to img-size / crop-pct, then centre-crop (default: the run's, else 1)")
      ->check(CLI::Range(0.01, 1.0));
}

RunSpec resolve_run(const RunSource& s, const std::string& command) {
  RunSpec spec;
  if (!s.run.empty()) {
    spec = RunSpec::load(s.run);
  } else {
    CNN_CHECK(!s.model.empty(), "{}: pass a run folder (cnn {} RUN) or --model with --weights", command, command);
  }
  if (!s.model.empty()) spec.model = s.model;
  if (!s.model_kwargs.empty()) spec.model_kwargs = s.model_kwargs;
  if (s.num_classes > 0) spec.num_classes = s.num_classes;
  if (!s.dataset.empty() && s.dataset != spec.dataset) {
    spec.dataset = s.dataset;
    spec.data_dir.clear();  // the run's folder is the run's dataset's
  }
  if (!s.data_dir.empty()) spec.data_dir = s.data_dir;
  if (s.img_size > 0) spec.augment.img_size = s.img_size;
  if (s.crop_pct > 0) spec.augment.crop_pct = s.crop_pct;
  return spec;
}

std::string resolve_weights(const RunSource& s, const RunSpec& spec) {
  if (!s.weights.empty()) return s.weights;
  if (!s.run.empty()) return spec.weights();
  return "";
}

ModulePtr load_run_model(const RunSource& s, const RunSpec& spec, const std::string& command, bool allow_random) {
  const std::string weights = resolve_weights(s, spec);
  try {
    if (weights.empty()) {
      CNN_CHECK(allow_random, "{}: no weights: pass a run folder or --weights", command);
      return spec.create_model();
    }
    return spec.load_model(weights);
  } catch (const Error& e) {
    const std::string what = e.what();
    if (what.rfind(command + ":", 0) == 0) throw;
    throw Error(fmt::format("{}: {}", command, what));
  }
}

}  // namespace cnn::cli

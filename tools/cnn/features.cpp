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
#include "data_setup.h"
#include "pretrained.h"
#include "train_args.h"

namespace cnn::cli {

namespace {

struct FeaturesArgs {
  std::string model, weights, layer, output = "features.safetensors", dataset = "mnist", data_dir, split = "test";
  std::vector<std::string> model_kwargs;
  int64_t num_classes = 0, batch_size = 256, workers = 2, limit = 0;
  int threads = 0;
  AugmentArgs augment;
};

void run_features(const FeaturesArgs& a) {
  if (a.threads > 0) set_num_threads(a.threads);
  const DatasetSpec spec = parse_dataset(a.dataset, a.data_dir);
  DataSplits data = open_eval_split(spec, a.augment, a.split == "train");
  const int64_t classes = a.num_classes > 0 ? a.num_classes : static_cast<int64_t>(data.classes.size());
  ModulePtr model = create_with_weights(
      a.model, model_options(a.model, a.model_kwargs, classes, data.raw_shape), a.weights, "features");
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
                   {{"model", a.model}, {"weights", a.weights}, {"layer", a.layer}, {"dataset", a.dataset},
                    {"split", a.split}, {"layer_output_shape", per_image.str()}});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print("cnn features: {} {} images through {} up to {} ({} per image) -> features {} and labels {} in "
             "{:.1f} s; written to {}\n",
             a.dataset, a.split, a.model, a.layer, per_image, features.shape(), targets.shape(), seconds, a.output);
}

}  // namespace

void add_features_command(CLI::App& app) {
  auto a = std::make_shared<FeaturesArgs>();
  CLI::App* cmd = app.add_subcommand(
      "features",
      "Feature extraction: run trained weights over a dataset split and save one layer's output per image "
      "(flattened, as \"features\" [N, F]) with the labels (\"labels\" [N]) to a safetensors file.");
  cmd->add_option("--model", a->model, "Model name, as trained")->required()->check(CLI::IsMember(models::names()));
  cmd->add_option("--model-kwargs", a->model_kwargs, "Model settings as trained (key=value items)");
  cmd->add_option("--weights", a->weights, "Trained weights: model.safetensors or a .ckpt")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--layer", a->layer, "Dotted name of the layer whose output is saved (e.g. avgpool, features.7)")
      ->required();
  cmd->add_option("--output", a->output, "The safetensors file to write")->capture_default_str();
  cmd->add_option("--dataset", a->dataset, "Dataset: " + dataset_choices())->capture_default_str();
  cmd->add_option("--data-dir", a->data_dir, "Folder with the dataset's files (default as cnn train)");
  cmd->add_option("--split", a->split, "Which split")->check(CLI::IsMember({"train", "test"}))->capture_default_str();
  cmd->add_option("--limit", a->limit, "Only the first N images (0: all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--num-classes", a->num_classes, "Classes the weights were trained with (0: the dataset's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--img-size", a->augment.img_size, "Image side the model sees (0: the dataset's own)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-b,--batch-size", a->batch_size, "Images per forward pass")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("-j,--workers", a->workers, "Data-loading threads")->check(CLI::Range(0, 64))->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0: all cores)")->check(CLI::NonNegativeNumber);
  cmd->callback([a] { run_features(*a); });
}

}  // namespace cnn::cli

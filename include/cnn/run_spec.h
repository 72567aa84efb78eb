// A run folder as the unit users pass around: RunSpec reads a run's config.json and rebuilds exactly the model
// (name, kwargs, classes, channels, image size), the dataset with its folder and the evaluation transform, so
// that every command consuming trained weights starts from one place. Not training (train.h) nor writing runs.
#pragma once

#include <cnn/data_splits.h>
#include <cnn/models.h>
#include <cnn/module.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// --model-kwargs items ("depth=5") as a map; throws naming an item without '='.
std::map<std::string, std::string> parse_model_kwargs(const std::vector<std::string>& items);

/// The weights of a .safetensors file, or the model part of a .ckpt checkpoint (chosen by the extension).
StateDict load_weights(const std::string& path);

/// Outputs of the model's classifier (models::classifier_name): its weight's first dimension.
int64_t classifier_outputs(const Module& model);

/// models::create(name, options) with `path`'s weights (.safetensors or .ckpt) loaded strictly, as PyTorch's
/// load_state_dict; the classifier gets as many classes as the weights' classifier has. Errors name the file and
/// the model, and list missing, unexpected and mismatched keys.
ModulePtr create_with_weights(const std::string& name, models::ModelOptions options, const std::string& path);

/// What rebuilds a trained model and its data: read from RUN/config.json (RunSpec::load) or filled from flags.
/// Usage: RunSpec run = RunSpec::load("runs/plaincnn-mnist"); ModulePtr model = run.load_model();
struct RunSpec {
  std::string dir;                        // the run folder it was read from; empty when filled from flags
  std::string model = "simplecnn";
  std::vector<std::string> model_kwargs;  // key=value items, as --model-kwargs
  int64_t num_classes = 0;                // 0: the dataset's
  std::string dataset = "mnist";          // as --dataset: a dataset name or folder:PATH
  std::string data_dir;                   // empty: the dataset's default folder
  AugmentArgs augment;                    // img_size (0: the dataset's own) and crop_pct shape the eval transform
  std::string quantization;               // "int8" for a run written by cnn quantize; empty for f32 weights
  bool fused_conv_bn = false;             // int8 runs: batch norms were folded into convolutions before quantising
  uint64_t seed = 42;                     // cnn train's --seed: it also drew the initial weights
  bool aux_logits = false;                // googlenet trained with its auxiliary classifiers (their weights are saved)

  /// Reads RUN/config.json as `cnn train` writes it. Throws naming the file and the missing or mistyped key.
  static RunSpec load(const std::string& run_dir);

  /// The dataset's name and resolved folder (folder:PATH becomes imagefolder at PATH).
  DatasetSpec data() const;
  /// [C, H, W] the model sees, without reading any data.
  Shape input_shape() const;
  /// The class count: num_classes, else the dataset's (an image folder's sub-folders are listed).
  int64_t classes() const;
  /// The class names: the dataset's (image folders: the sorted sub-folder names of train/); numbers when the
  /// model has more outputs than the dataset has names.
  std::vector<std::string> class_names() const;
  /// The options models::create needs (plaincnn's flatten head sized from the image size).
  models::ModelOptions model_options() const;
  /// RUN/model.safetensors (the trained, or with early stopping the best, weights).
  std::string weights() const;

  /// The model with PyTorch's random initialisation, in eval mode.
  ModulePtr create_model() const;
  /// The weights a `cnn train` run started from: manual_seed(seed), then create_model(), as cnn train does
  /// before training (a finetune run started from its --from weights instead). Reseeds the global generator.
  ModulePtr initial_model() const;
  /// The model with `weights_path` loaded (default: weights()), in eval mode; an int8 run's Conv2d and Linear
  /// layers are QuantizedConv2d and QuantizedLinear (quantize.h).
  ModulePtr load_model(const std::string& weights_path = "") const;
  /// The test split (or the train split) with the evaluation transform.
  DataSplits open_eval(bool train_split = false) const;
  /// The evaluation transform: resize, centre crop, ToTensor, Normalize with the dataset's statistics.
  std::shared_ptr<const Transform> eval_transform() const;
  /// An image file (PNG, JPEG, BMP) as the model's input [C, H, W]: grayscale or RGB as the model's channels,
  /// resized, centre-cropped and normalised as the evaluation images are. Errors name the file.
  Tensor read_image(const std::string& path) const;
};

/// Refuses (cnn::Error naming `flag` and the link) a run folder that is a symbolic link, or that holds one where
/// cnnkit writes (config.json, metrics.json, model.safetensors, last.ckpt, best.ckpt, report.html, their .tmp
/// files, figures/): a planted link would send the write outside the folder. Usage: check_run_folder(dir, "--output");
void check_run_folder(const std::string& dir, const std::string& flag);

}  // namespace cnn

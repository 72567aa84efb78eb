// The subcommands of `cnn`: each registers its flags and its action on the root CLI11 app.
// Not the work itself: actions call the library (models, data, train, analysis) and print.
#pragma once

#include <CLI/CLI.hpp>
#include <cnn/analysis.h>
#include <cstdlib>
#include <string>
#include <vector>

namespace cnn::cli {

/// A flag check with a short message: CLI11 prints "--epochs: expected a positive integer, got 'zero'".
/// kind: "positive integer", "positive number" or "non-negative number".
inline CLI::Validator number_check(const std::string& kind) {
  return CLI::Validator(
      [kind](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        const bool parsed = !text.empty() && end == text.c_str() + text.size();
        const bool integer = kind != "positive integer" || text.find_first_not_of("0123456789+") == std::string::npos;
        const bool in_range = kind == "non-negative number" ? v >= 0 : v > 0;
        return parsed && integer && in_range ? std::string() : "expected a " + kind + ", got '" + text + "'";
      },
      kind);
}

/// cnn train: trains a classifier (train.cpp, train_args.cpp), writing metrics.json, model.safetensors,
/// last.ckpt, best.ckpt and config.json.
void add_train_command(CLI::App& app);
/// cnn finetune: cnn train from pretrained weights with a new head, frozen parts, per-part lrs (finetune.cpp).
void add_finetune_command(CLI::App& app);
/// cnn features: one layer's output for every image of a split, saved with the labels (features.cpp).
void add_features_command(CLI::App& app);
/// cnn ablate: a study over plaincnn settings x seeds, resumable, with a mean ± std table and chart (ablate.cpp).
void add_ablate_command(CLI::App& app);
/// cnn eval: loss, top-1/top-5, per-class accuracy and the confusion matrix of trained weights (eval.cpp).
void add_eval_command(CLI::App& app);
/// cnn ensemble RUN RUN...: the mean softmax of several runs on their shared test split, each run's accuracy and
/// the ensemble's (ensemble.cpp).
void add_ensemble_command(CLI::App& app);
/// cnn summary: one row per layer (name, type, output shape, parameters, MACs, memory, receptive field) and totals.
void add_summary_command(CLI::App& app);
/// cnn viz: filters, features, saliency, gradcam, rf, conv-params, transpose, autoencoder (viz.cpp).
void add_viz_command(CLI::App& app);
/// cnn report RUN_DIR: rebuilds the run's self-contained report.html.
void add_report_command(CLI::App& app);
/// cnn rf: receptive field and jump after each layer of a --layers list or a --model.
void add_rf_command(CLI::App& app);
/// cnn shape: one window op's output size with PyTorch's formula filled in and explained.
void add_shape_command(CLI::App& app);
/// cnn download: a dataset's official files, md5-checked, resumable, unpacked under --data-dir (download.cpp).
void add_download_command(CLI::App& app);
/// cnn stats: per-channel mean and std of a dataset's training images, for Normalize (stats.cpp).
void add_stats_command(CLI::App& app);
/// cnn run: an eval-mode forward pass with safetensors weights and input, written to a safetensors file (run.cpp).
void add_run_command(CLI::App& app);
/// cnn predict RUN IMAGE...: top-k class names of image files under the run's eval transform (predict.cpp).
void add_predict_command(CLI::App& app);
/// cnn export RUN --format onnx: the model as an ONNX file, checked, for other runtimes (export.cpp).
void add_export_command(CLI::App& app);
/// cnn quantize RUN --output RUN_INT8: post-training int8 quantisation, saved as a run folder (quantize.cpp).
void add_quantize_command(CLI::App& app);

/// --input "C,H,W" as a Shape; throws naming the flag on anything but three positive integers.
Shape parse_input(const std::string& text);

/// The model flags `cnn summary` and `cnn rf --model` share; 0 means "the model's default".
struct ModelArgs {
  std::string model, input;
  std::vector<std::string> model_kwargs;
  std::string freeze;  // empty: nothing frozen
  int64_t num_classes = 0, in_chans = 0;
};
/// Registers --model (required or not), --model-kwargs, --input C,H,W, --num-classes, --in-chans and --freeze.
void add_model_flags(CLI::App* cmd, ModelArgs& args, bool model_required);
/// Builds args.model and summarises it on --input (default: the input the model is designed for).
ModelSummary summarize_model(const ModelArgs& args);

}  // namespace cnn::cli

// Shared by the `cnn viz` subcommands: the model, weights and image flags, and loading what they name.
// Not any subcommand's work (viz_model.cpp, viz_explain.cpp, viz_course.cpp, viz_inside.cpp, viz_tsne.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cnn/data.h>
#include <cnn/module.h>

#include <string>
#include <vector>

#include "run_source.h"

namespace cnn::cli {

struct VizArgs {
  RunSource source;     // RUN, or --model --weights --dataset --data-dir (simplecnn on mnist by default)
  std::string image{};  // an image file instead of a test sample
  int64_t index = 0;
  std::string output{};

  /// The run's spec (or the one the flags describe), with the flags overriding the run's settings.
  RunSpec spec() const;
};

/// Adds RUN, --model --model-kwargs --num-classes --weights --dataset --data-dir --img-size --crop-pct, --index
/// and --image (with_image) and --output (default: `default_output`).
void add_viz_flags(CLI::App* cmd, VizArgs& a, const std::string& default_output, bool with_image = true);
/// The run's model with `weights` (default: --weights, else RUN/model.safetensors, else the random
/// initialisation), in eval mode.
ModulePtr load_viz_model(const VizArgs& a, const RunSpec& spec, const std::string& weights = "");
/// The input image [C, H, W] through the run's evaluation transform: --image (read as the model's channels) or
/// test sample --index; label -1 for a file.
Example load_viz_image(const VizArgs& a, const RunSpec& spec);
/// A short name for the weights in titles: the run folder's name, else the file's name; "untrained" for none.
std::string weights_label(const std::string& weights);
/// --threads N, applied as soon as it is parsed.
void add_threads_flag(CLI::App* cmd);
/// "2,2,2" -> {2, 2, 2}; `what` names the flag in errors.
std::vector<int64_t> parse_ints(const std::string& text, const std::string& what);

/// A class's name, or its number when `classes` has none for it.
std::string class_label(const std::vector<std::string>& classes, int64_t c);
/// "simplecnn (mnist)": the model and weights_label of the weights, for figure titles.
std::string run_title(const VizArgs& a, const RunSpec& spec);

void add_viz_model_commands(CLI::App* viz);
void add_viz_explain_commands(CLI::App* viz);
void add_viz_course_commands(CLI::App* viz);
void add_viz_data_commands(CLI::App* viz);
void add_viz_inside_commands(CLI::App* viz);
void add_viz_tsne_command(CLI::App* viz);

}  // namespace cnn::cli

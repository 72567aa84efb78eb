// Shared by the `cnn viz` subcommands: the model, weights and image flags, and loading what they name.
// Not any subcommand's work (viz_model.cpp, viz_explain.cpp, viz_course.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cnn/data.h>
#include <cnn/module.h>

#include <string>
#include <vector>

namespace cnn::cli {

struct VizArgs {
  std::string model = "simplecnn";
  std::string weights{};
  std::string dataset = "mnist";
  std::string data_dir{};
  std::string image{};  // a PNG file instead of a dataset sample
  int64_t index = 0;
  std::string output{};
};

/// Adds --model --weights --dataset --data-dir --index --image --output (default output: `default_output`).
void add_viz_flags(CLI::App* cmd, VizArgs& a, const std::string& default_output, bool with_image = true);
/// The model named by --model for --dataset's classes and channels, with --weights loaded when given (eval mode).
ModulePtr load_viz_model(const VizArgs& a, const std::string& weights);
/// The input image [C, H, W]: --image (grayscale when the dataset is, normalised with its statistics, resized to
/// the model's input) or test sample --index of --dataset; label -1 for a file.
Example load_viz_image(const VizArgs& a);
/// The classes of --dataset.
std::vector<std::string> viz_classes(const VizArgs& a);
/// "2,2,2" -> {2, 2, 2}; `what` names the flag in errors.
std::vector<int64_t> parse_ints(const std::string& text, const std::string& what);

void add_viz_model_commands(CLI::App* viz);
void add_viz_explain_commands(CLI::App* viz);
void add_viz_course_commands(CLI::App* viz);

}  // namespace cnn::cli

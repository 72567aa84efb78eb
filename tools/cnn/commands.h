// The subcommands of `cnn`: each registers its flags and its action on the root CLI11 app.
// Not the work itself: actions call the library (models, data, train, analysis) and print.
#pragma once

#include <CLI/CLI.hpp>

namespace cnn::cli {

/// cnn train: trains a model on MNIST or Fashion-MNIST, writing metrics.json and model.safetensors.
void add_train_command(CLI::App& app);
/// cnn summary: one row per layer (name, type, output shape, parameters) and the totals.
void add_summary_command(CLI::App& app);

}  // namespace cnn::cli

// Where a command that consumes a trained model gets it from: a run folder (the first argument, RUN) or the
// explicit --model/--weights flags, with --dataset, --data-dir, --img-size and friends overriding the run's.
// Not the rebuilding itself (the library's RunSpec).
#pragma once

#include <CLI/CLI.hpp>
#include <cnn/run_spec.h>

#include <string>
#include <vector>

namespace cnn::cli {

struct RunSource {
  std::string run;  // RUN: a folder written by cnn train; empty when the flags name the model
  std::string model, weights, dataset, data_dir;
  std::vector<std::string> model_kwargs;
  int64_t num_classes = 0, img_size = 0;
  double crop_pct = 0.0;  // 0: the run's (else 1)
};

struct RunFlagOptions {
  bool weights_required = true;  // without RUN, --weights must be given (else a random initialisation is used)
  bool data = true;              // the command reads images: --dataset, --data-dir, --img-size, --crop-pct
};

/// Registers RUN (optional positional), --model, --model-kwargs, --num-classes, --weights and, when options.data,
/// --dataset, --data-dir, --img-size and --crop-pct.
void add_run_source(CLI::App* cmd, RunSource& source, RunFlagOptions options = {});

/// RUN's spec with the given flags overriding it, or (without RUN) the spec the flags describe; `command` names
/// the command in errors ("eval: pass a run folder or --model").
RunSpec resolve_run(const RunSource& source, const std::string& command);

/// --weights, else RUN/model.safetensors; empty without both (then the caller uses the random initialisation
/// or refuses).
std::string resolve_weights(const RunSource& source, const RunSpec& spec);

/// The spec's model with resolve_weights loaded (or the random initialisation when there are none and
/// `allow_random`), in eval mode. Errors start with "COMMAND: ".
ModulePtr load_run_model(const RunSource& source, const RunSpec& spec, const std::string& command,
                         bool allow_random = false);

}  // namespace cnn::cli

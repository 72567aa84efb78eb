// Building a model for existing weights (model.safetensors or a checkpoint), as `cnn eval`, `cnn finetune` and
// `cnn features` do. Not the transfer-learning steps after loading (finetune.cpp).
#pragma once

#include <cnn/models.h>

#include <string>

namespace cnn::cli {

/// The weights of a .safetensors file, or the model part of a .ckpt checkpoint.
StateDict read_weights(const std::string& path);

/// Outputs of the model's classifier (models::classifier_name): its weight's first dimension.
int64_t classifier_outputs(const Module& model);

/// models::create(name, options) with `path`'s weights loaded strictly; the classifier gets as many classes as
/// the weights' classifier has (whatever options.num_classes says). Errors start with "COMMAND: ".
ModulePtr create_with_weights(const std::string& name, models::ModelOptions options, const std::string& path,
                              const std::string& command);

}  // namespace cnn::cli

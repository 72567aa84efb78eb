// Building a model for existing weights (model.safetensors or a checkpoint), as `cnn eval`, `cnn finetune` and
// `cnn features` do. Not the transfer-learning steps after loading (finetune.cpp).
#pragma once

#include <cnn/models.h>

#include <string>
#include <vector>

namespace cnn::cli {

/// What `cnn train`, `eval`, `finetune` and `features` build `model` with: the dataset's classes and input
/// channels, --model-kwargs, and for plaincnn the data's image size unless given (its flatten head depends on it).
models::ModelOptions model_options(const std::string& model, const std::vector<std::string>& kwargs, int64_t classes,
                                   const Shape& input);

/// The weights of a .safetensors file, or the model part of a .ckpt checkpoint.
StateDict read_weights(const std::string& path);

/// Outputs of the model's classifier (models::classifier_name): its weight's first dimension.
int64_t classifier_outputs(const Module& model);

/// models::create(name, options) with `path`'s weights loaded strictly; the classifier gets as many classes as
/// the weights' classifier has (whatever options.num_classes says). Errors start with "COMMAND: ".
ModulePtr create_with_weights(const std::string& name, models::ModelOptions options, const std::string& path,
                              const std::string& command);

}  // namespace cnn::cli

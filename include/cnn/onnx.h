// ONNX export: a model traced through one eval-mode forward pass (trace.h) and written as an ONNX ModelProto
// with libonnx (Debian's libonnx-dev), checked with onnx::checker and shape inference before it is saved.
// Initializer names are the state_dict names. Not import (cnnkit reads PyTorch weights as safetensors, io.h).
#pragma once

#include <cnn/module.h>
#include <cnn/tensor.h>

#include <map>
#include <string>

namespace cnn::onnx {

struct ExportOptions {
  /// The ai.onnx opset, 9 to 17. Some ops are written differently per opset (docs/deploy.md).
  int64_t opset = 13;
  /// The batch dimension of the input and output is symbolic ("N") instead of the example's.
  bool dynamic_batch = false;
  std::string input_name = "input";
  std::string output_name = "output";
};

/// What an export wrote.
struct ExportSummary {
  std::map<std::string, int64_t> op_counts;  // ONNX op type -> nodes
  int64_t nodes = 0, initializers = 0, parameters = 0;
  Shape input, output;
};

/// Traces `model` in eval mode on `example` ([N, C, H, W]), converts every traced op to ONNX nodes and returns
/// the serialized, checked ModelProto. The model's train/eval mode is restored. Throws naming the op (and the
/// module it ran in) when an op has no ONNX form, and on checker or shape-inference errors.
std::string export_model_bytes(Module& model, const Tensor& example, const ExportOptions& options = {},
                               ExportSummary* summary = nullptr);

/// export_model_bytes written to `path` (atomically: a temporary file renamed into place).
/// Usage: cnn::onnx::export_model(*model, cnn::zeros({1, 3, 224, 224}), "resnet18.onnx");
ExportSummary export_model(Module& model, const Tensor& example, const std::string& path,
                           const ExportOptions& options = {});

}  // namespace cnn::onnx

// Model analysis: a per-layer summary (output shapes, parameters, multiply-adds) as torchinfo prints.
// Not training-time statistics (train.h) and not visualisation (viz.h).
#pragma once

#include <cnn/module.h>

#include <string>
#include <vector>

namespace cnn {

/// One call of a leaf module during the summary's forward pass.
struct SummaryRow {
  std::string name;  // dotted, as in named_modules() ("conv1", "features.0")
  std::string type;  // "Conv2d"
  Shape output_shape;
  int64_t parameters = 0;  // 0 for a repeated call of the same module
  int64_t macs = 0;        // multiply-accumulates of this call
  bool reused = false;     // the module already ran earlier in the pass (e.g. SimpleCNN's shared pool)
};

struct ModelSummary {
  std::string model_type;
  Shape input_shape;  // [1, C, H, W]
  std::vector<SummaryRow> rows;
  int64_t total_parameters = 0, trainable_parameters = 0;
  int64_t total_macs = 0;
  /// The text table: one row per layer call, then the totals.
  std::string str() const;
};

/// Runs one forward pass on zeros of [1, C, H, W] (no gradients, eval mode, restored after) with a hook on
/// every leaf module, recording each call in order. Usage: fmt::print("{}", summary(*model, {1, 28, 28}).str());
/// A shape the model cannot take throws the model's own cnn::Error (which names the layer).
ModelSummary summary(Module& model, const Shape& input_shape);

/// 421642 -> "421,642".
std::string with_thousands(int64_t value);

}  // namespace cnn

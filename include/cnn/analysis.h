// Model analysis: a per-layer summary (output shapes, parameters, MACs, activation memory, receptive fields)
// and the calculators behind `cnn rf` and `cnn shape`. Not training statistics (train.h) nor plots (viz.h).
#pragma once

#include <cnn/module.h>

#include <optional>
#include <string>
#include <vector>

namespace cnn {

/// Receptive field and jump of one tensor with respect to the model input, per axis, in input pixels
/// (Note [Receptive fields] in docs/design.md): RF_l = RF_{l-1} + (K_l - 1) D_l J_{l-1}, J_l = J_{l-1} S_l.
struct ReceptiveField {
  double rf_h = 1, rf_w = 1;      // side of the input window one element depends on
  double jump_h = 1, jump_w = 1;  // input pixels between neighbouring elements (the cumulative stride)
  /// Every element depends on the whole input (after global pooling, or flatten + linear); rf is then the
  /// input size and jump is 0.
  bool global = false;
  /// A local field that is also scaled by a global branch broadcast back onto it (SE gating, EfficientNet):
  /// rf and jump are those of the local paths, and the element sees the whole input through the branch.
  bool global_context = false;
  /// "7", "7x5" (height x width), "7*" with global context, or "global".
  std::string rf_str() const;
  /// "4", "4x2", or "-" when global.
  std::string jump_str() const;
};

/// Receptive field of each of `outputs` with respect to `input`, read from the autograd graph that recorded
/// them (so `input` must require grad): window ops (conv, pool, transposed conv) grow it, nodes joining paths
/// (add, cat, mul) take the largest field over their inputs, flatten/mean/linear make it global. nullopt for
/// an output that does not depend on `input`. Usage: auto f = graph_receptive_fields(x, {y})[0];
std::vector<std::optional<ReceptiveField>> graph_receptive_fields(const Tensor& input,
                                                                  const std::vector<Tensor>& outputs);

/// One call of a leaf module during the summary's forward pass.
struct SummaryRow {
  std::string name;  // dotted, as in named_modules() ("conv1", "features.0", "layer1.0.conv1")
  std::string type;  // "Conv2d"
  Shape output_shape;
  int64_t trainable = 0, frozen = 0;  // parameters with requires_grad true / false; 0 for a repeated call
  int64_t macs = 0;                   // conv and linear multiply-accumulates of this call (others 0)
  int64_t activation_bytes = 0;       // output elements x 4 bytes
  /// Left out of the forward total: activations, dropout and identity (run in place, as PyTorch's models do
  /// with inplace=True) and outputs that are views of the input (Flatten).
  bool in_place = false;
  bool reused = false;                  // the module already ran earlier in the pass (e.g. a shared ReLU)
  std::optional<ReceptiveField> field;  // of the output; nullopt when it does not depend on the input
  int64_t parameters() const { return trainable + frozen; }
};

enum class SummaryFormat { text, markdown, csv, json };
/// "text", "markdown", "csv" or "json"; throws listing them otherwise.
SummaryFormat parse_summary_format(const std::string& name);

struct ModelSummary {
  std::string model_type;
  Shape input_shape;  // [1, C, H, W]
  std::vector<SummaryRow> rows;
  int64_t total_parameters = 0, trainable_parameters = 0;
  int64_t total_macs = 0;
  /// Forward activation memory per image: the input plus every row's output that is not in place.
  int64_t activation_bytes = 0;
  int64_t frozen_parameters() const { return total_parameters - trainable_parameters; }
  /// text: aligned table and totals; markdown: a table and a list; csv: one line per row, then a "total" line;
  /// json: {"model", "input_shape", "layers": [...], "totals": {...}}.
  std::string str(SummaryFormat format = SummaryFormat::text) const;
};

/// Runs one eval-mode forward pass on zeros of [1, C, H, W] (mode restored after) with a hook on every leaf
/// module, recording each call in order, and follows the recorded graph for receptive fields. Usage:
///   fmt::print("{}", summary(*model, {3, 224, 224}).str(SummaryFormat::markdown));
/// A shape the model cannot take throws the model's own cnn::Error (which names the layer).
ModelSummary summary(Module& model, const Shape& input_shape);

/// 421642 -> "421,642".
std::string with_thousands(int64_t value);
/// Decimal SI prefixes with two decimals: 15470264320 -> "15.47 G", 225792 -> "225.79 K", 12 -> "12".
std::string with_si_prefix(double value);

// ---- `cnn rf --layers`: receptive fields of a stack of layers along one axis ----

/// One item of a layer list. Grammar: conv<k>[s<stride>][d<dilation>][p<padding>] or
/// pool<k>[s<stride>][d<dilation>][p<padding>], suffixes in any order; conv stride defaults to 1, pool stride
/// to k (PyTorch's defaults); padding defaults to 0 and only changes output sizes and centres, not fields.
struct LayerSpec {
  std::string text;  // as written ("conv3s2")
  std::string kind;  // "conv" or "pool"
  int64_t kernel = 1, stride = 1, dilation = 1, padding = 0;
};

/// Parses "conv3,conv3s2,pool2" (spaces allowed around items); throws naming the item, its position and the
/// grammar when an item does not parse or a value is out of range.
std::vector<LayerSpec> parse_layer_specs(const std::string& list);

/// The field after one layer, with what it was computed from.
struct RfStep {
  LayerSpec layer;
  int64_t rf_in = 1, jump_in = 1;  // before the layer
  int64_t rf = 1, jump = 1;        // after: rf = rf_in + (kernel - 1) * dilation * jump_in, jump = jump_in * stride
  double start = 0;                // input coordinate of the centre of the first output's field (pixel centres)
  std::optional<int64_t> size;     // output size, when an input size was given
};

/// Folds the formula over `layers` from RF_0 = 1, J_0 = 1, start_0 = 0. With `input_size`, also tracks the
/// output size (PyTorch's floor rule) and throws when a layer does not fit its input.
std::vector<RfStep> receptive_fields(const std::vector<LayerSpec>& layers, std::optional<int64_t> input_size = {});

// ---- `cnn shape`: output size of one window op along one axis, explained ----

enum class WindowOp { conv, pool, conv_transpose };
/// "conv", "pool" or "convtranspose" (also "conv_transpose"); throws listing them otherwise.
WindowOp parse_window_op(const std::string& name);

struct OutputSizeQuery {
  WindowOp op = WindowOp::conv;
  int64_t in = 0, kernel = 1, stride = 1, padding = 0, dilation = 1;
  int64_t output_padding = 0;    // conv_transpose only
  bool ceil_mode = false;        // pool only
  std::optional<int64_t> target{};  // a wanted output size: which padding / output_padding reaches it
};

struct OutputSizeReport {
  std::string formula;            // symbolic: "out = floor((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1"
  std::string computation;        // filled in: "out = floor((32 + 2*1 - 1*(3-1) - 1) / 2) + 1 = 16"
  int64_t out = 0;                // the output size (meaningless when error is set)
  std::vector<std::string> notes; // remainders, dropped rows, how to reach the target
  std::string error;              // why the combination is invalid, as PyTorch would refuse it; empty when valid
};

/// Evaluates PyTorch's output-size rule for `q` and explains it. Invalid combinations (kernel larger than the
/// padded input, output_padding >= max(stride, dilation), pooling padding > kernel/2) set `error`;
/// out-of-range values (kernel, stride, dilation < 1, negative padding) throw.
OutputSizeReport explain_output_size(const OutputSizeQuery& q);

}  // namespace cnn

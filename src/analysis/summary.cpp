// summary(): per-layer output shapes, parameters, MACs, activation memory and receptive fields from one hooked,
// recorded forward pass. Not the printing (summary_format.cpp) nor the graph walk (receptive_field.cpp).
#include <cnn/activation.h>
#include <cnn/analysis.h>
#include <cnn/autograd.h>
#include <cnn/layers.h>

#include <set>

namespace cnn {

namespace {

// Restores the training flag and the grad mode when the pass ends, thrown or not.
struct PassGuard {
  Module& model;
  bool was_training, grad_was_enabled;
  explicit PassGuard(Module& m) : model(m), was_training(m.is_training()), grad_was_enabled(grad_enabled()) {
    model.eval();
    set_grad_enabled(true);  // the graph is what the receptive fields are read from
  }
  ~PassGuard() {
    model.train(was_training);
    set_grad_enabled(grad_was_enabled);
  }
  PassGuard(const PassGuard&) = delete;
  PassGuard& operator=(const PassGuard&) = delete;
};

struct HookGuard {
  std::vector<HookHandle> handles;
  ~HookGuard() {
    for (auto& h : handles) h.remove();
  }
};

// Conv and linear layers only: the standard totals (vgg16 15.47 G, resnet18 1.82 G) leave out normalisation,
// activations, pooling and additions, which a layer's own macs() may count.
int64_t counted_macs(const Module& m, const Shape& in) {
  const bool counted = m.geometry().has_value() || dynamic_cast<const Linear*>(&m) != nullptr;
  return counted ? m.macs(in) : 0;
}

bool shares_storage(const Tensor& a, const Tensor& b) {
  return a.defined() && b.defined() && a.impl()->storage == b.impl()->storage;
}

}  // namespace

std::string with_thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (auto i = static_cast<int64_t>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return value < 0 ? "-" + digits : digits;
}

std::string with_si_prefix(double value) {
  static constexpr std::pair<double, const char*> prefixes[] = {{1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "K"}};
  for (const auto& [scale, prefix] : prefixes)
    if (std::abs(value) >= scale) return fmt::format("{:.2f} {}", value / scale, prefix);
  return value == static_cast<double>(static_cast<int64_t>(value)) ? fmt::format("{}", static_cast<int64_t>(value))
                                                                    : fmt::format("{:.2f}", value);
}

ModelSummary summary(Module& model, const Shape& input_shape) {
  CNN_CHECK(input_shape.dim() == 3 && input_shape.numel() > 0,
            "summary: expected an input shape [C, H, W] with positive sizes, got {}", input_shape);
  ModelSummary out;
  out.model_type = model.type_name();
  out.input_shape = Shape{1, input_shape[0], input_shape[1], input_shape[2]};
  out.total_parameters = model.num_parameters();
  out.trainable_parameters = model.num_parameters(true);

  std::set<const Module*> seen;
  std::vector<Tensor> outputs;  // one per row, kept alive so the graph can be read after the pass
  HookGuard hooks;
  for (auto& [name, module] : model.named_modules()) {
    if (!module->named_children().empty()) continue;
    const std::string row_name = name.empty() ? module->type_name() : name;
    hooks.handles.push_back(module->register_forward_hook([&out, &seen, &outputs, row_name](
                                                              Module& m, const Tensor& in, const Tensor& y) {
      SummaryRow row;
      row.name = row_name, row.type = m.type_name(), row.output_shape = y.shape();
      row.reused = !seen.insert(&m).second;
      if (!row.reused)
        for (const Tensor& p : m.parameters()) (p.requires_grad() ? row.trainable : row.frozen) += p.numel();
      row.macs = counted_macs(m, in.shape());
      row.activation_bytes = y.numel() * 4;
      row.in_place = dynamic_cast<const ElementwiseModule*>(&m) != nullptr || shares_storage(in, y);
      out.rows.push_back(std::move(row));
      outputs.push_back(y);
    }));
  }

  Tensor x = zeros(out.input_shape);
  x.requires_grad_(true);
  {
    PassGuard pass(model);
    model(x);
    const auto fields = graph_receptive_fields(x, outputs);
    for (size_t i = 0; i < out.rows.size(); ++i) out.rows[i].field = fields[i];
  }

  out.activation_bytes = x.numel() * 4;
  for (const auto& r : out.rows) {
    out.total_macs += r.macs;
    if (!r.in_place) out.activation_bytes += r.activation_bytes;
  }
  return out;
}

}  // namespace cnn

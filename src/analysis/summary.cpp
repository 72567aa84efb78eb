// summary(): per-layer output shapes, parameter counts and multiply-adds from one hooked forward pass.
// Not a static shape folder: running the model covers any forward(), including reused modules.
#include <cnn/analysis.h>
#include <cnn/autograd.h>

#include <set>

namespace cnn {

std::string with_thousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (auto i = static_cast<int64_t>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return value < 0 ? "-" + digits : digits;
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
  std::vector<HookHandle> handles;
  struct RemoveHooks {
    std::vector<HookHandle>& handles;
    ~RemoveHooks() {
      for (auto& h : handles) h.remove();
    }
  } remove_hooks{handles};
  for (auto& [name, module] : model.named_modules()) {
    if (!module->named_children().empty()) continue;
    const std::string row_name = name.empty() ? module->type_name() : name;
    handles.push_back(module->register_forward_hook([&out, &seen, row_name](Module& m, const Tensor& in,
                                                                            const Tensor& y) {
      const bool reused = !seen.insert(&m).second;
      SummaryRow row{row_name, m.type_name(), y.shape(), reused ? 0 : m.num_parameters(), m.macs(in.shape()), reused};
      out.total_macs += row.macs;
      out.rows.push_back(std::move(row));
    }));
  }

  const bool was_training = model.is_training();
  model.eval();
  try {
    NoGradGuard no_grad;
    model(zeros(out.input_shape));
  } catch (...) {
    model.train(was_training);
    throw;
  }
  model.train(was_training);
  return out;
}

std::string ModelSummary::str() const {
  size_t name_w = 12, type_w = 4, shape_w = 12;
  for (const auto& r : rows) {
    name_w = std::max(name_w, r.name.size());
    type_w = std::max(type_w, r.type.size());
    shape_w = std::max(shape_w, r.output_shape.str().size());
  }
  const size_t width = name_w + type_w + shape_w + 12 + 15 + 8;
  const std::string rule(width, '-'), double_rule(width, '=');
  std::string s = fmt::format("{} summary for input {}\n{}\n", model_type, input_shape, double_rule);
  s += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>12}  {:>15}\n", "Layer", name_w, "Type", type_w, "Output shape", shape_w,
                   "Param #", "Mult-adds");
  s += double_rule + "\n";
  for (const auto& r : rows)
    s += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>12}  {:>15}\n", r.name, name_w, r.type, type_w, r.output_shape.str(),
                     shape_w, r.reused ? "(reused)" : with_thousands(r.parameters), with_thousands(r.macs));
  s += double_rule + "\n";
  s += fmt::format("Total params: {}\nTrainable params: {}\nNon-trainable params: {}\n",
                   with_thousands(total_parameters), with_thousands(trainable_parameters),
                   with_thousands(total_parameters - trainable_parameters));
  s += fmt::format("Total mult-adds: {} ({:.2f} M)\n", with_thousands(total_macs), double(total_macs) / 1e6);
  s += rule + "\n";
  s += fmt::format("Parameters size (MB): {:.2f}\n", double(total_parameters) * 4.0 / (1024.0 * 1024.0));
  return s;
}

}  // namespace cnn

// Looking inside a forward pass with forward hooks: find a layer by name, capture its output, list the calls.
// Not the interpretation methods themselves (saliency.cpp, gradcam.cpp, receptive_field.cpp use these).
#include <cnn/nn.h>
#include <cnn/ops.h>
#include <cnn/viz_interpret.h>
#include <fmt/format.h>

#include <map>

namespace cnn::viz {

Module& find_module(Module& model, const std::string& name) {
  std::vector<std::string> names;
  for (auto& [n, m] : model.named_modules()) {
    if (n == name) return *m;
    if (!n.empty()) names.push_back(n);
  }
  CNN_CHECK(false, "viz: the model has no layer '{}'; its layers are: {}", name, fmt::join(names, ", "));
  return model;
}

std::pair<Tensor, Tensor> forward_capture(Module& model, const std::string& layer, const Tensor& x) {
  // "relu#1": the second call of a module that runs several times; a bare name: its last call.
  const size_t hash = layer.find('#');
  const std::string name = layer.substr(0, hash);
  const int64_t wanted = hash == std::string::npos ? -1 : std::stoll(layer.substr(hash + 1));
  Tensor captured;
  int64_t calls = 0;
  HookHandle h = find_module(model, name).register_forward_hook(
      [&captured, &calls, wanted](Module&, const Tensor&, const Tensor& out) {
        if (wanted < 0 || calls == wanted) captured = out;
        ++calls;
      });
  Tensor y;
  try {
    y = model(x);
  } catch (...) {
    h.remove();
    throw;
  }
  h.remove();
  CNN_CHECK(captured.defined(), "viz: layer '{}' was not called by the model's forward pass ({} calls of '{}')", layer,
            calls, name);
  return {captured, y};
}

std::vector<std::pair<std::string, Shape>> layer_calls(Module& model, const Tensor& x) {
  std::vector<std::pair<std::string, Shape>> calls;
  std::vector<HookHandle> handles;
  for (auto& [name, m] : model.named_modules())
    if (m->children().empty() && !name.empty())
      handles.push_back(m->register_forward_hook(
          [&calls, n = name](Module&, const Tensor&, const Tensor& out) { calls.emplace_back(n, out.shape()); }));
  try {
    NoGradGuard no_grad;
    model(x);
  } catch (...) {
    for (HookHandle& h : handles) h.remove();
    throw;
  }
  for (HookHandle& h : handles) h.remove();
  return calls;
}

int64_t predict(Module& model, const Tensor& image) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  const Tensor logits = model(image.unsqueeze(0));
  model.train(was_training);
  return static_cast<int64_t>(argmax(logits, 1).item());
}

std::string gradcam_layer(Module& model, const Shape& input_shape) {
  const auto calls = layer_calls(model, zeros({1, input_shape[0], input_shape[1], input_shape[2]}));
  std::map<std::string, int64_t> seen;  // calls of each module so far, to name repeated ones "relu#1"
  std::string last;
  for (size_t i = 0; i < calls.size(); ++i) {
    const std::string& name = calls[i].first;
    ++seen[name];
    if (!dynamic_cast<Conv2d*>(&find_module(model, name)) || calls[i].second.dim() != 4) continue;
    last = name;
    if (i + 1 < calls.size() && dynamic_cast<ElementwiseModule*>(&find_module(model, calls[i + 1].first))) {
      const std::string& next = calls[i + 1].first;
      last = next + "#" + std::to_string(seen[next]);
    }
  }
  CNN_CHECK(!last.empty(), "viz: the model has no Conv2d layer; name one with --layer");
  return last;
}

}  // namespace cnn::viz

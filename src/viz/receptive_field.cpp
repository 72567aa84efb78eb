// Receptive fields two ways: by gradients (which input pixels reach one output position) and analytically
// (folding kernel, stride, padding and dilation in call order). Not the drawing (the rf command overlays them).
#include <cnn/nn.h>
#include <cnn/ops.h>
#include <cnn/viz_interpret.h>

#include <algorithm>

namespace cnn::viz {

Tensor gradient_receptive_field(Module& model, const Shape& input_shape, Pair2 position, const std::string& layer,
                                double fill) {
  CNN_CHECK(input_shape.dim() == 3, "receptive field: expected an input shape [C, H, W], got {}", input_shape);
  const bool was_training = model.is_training();
  model.eval();
  Tensor x = full({1, input_shape[0], input_shape[1], input_shape[2]}, fill);
  x.requires_grad_();
  const Tensor out = layer.empty() ? model(x) : forward_capture(model, layer, x).first;
  CNN_CHECK(out.dim() == 4, "receptive field: {} has output shape {}; pick a layer with a [N, C, H, W] output",
            layer.empty() ? "the model" : "layer '" + layer + "'", out.shape());
  CNN_CHECK(position.h >= 0 && position.h < out.size(2) && position.w >= 0 && position.w < out.size(3),
            "receptive field: position ({}, {}) is outside the {}x{} output", position.h, position.w, out.size(2),
            out.size(3));
  std::vector<float> seed(static_cast<size_t>(out.numel()), 0.0f);
  for (int64_t c = 0; c < out.size(1); ++c)
    seed[static_cast<size_t>(((c * out.size(2)) + position.h) * out.size(3) + position.w)] = 1.0f;
  const Tensor g = grad({out}, {x}, {from_vector(seed, out.shape())})[0];
  model.train(was_training);
  NoGradGuard no_grad;
  return sum(abs(g), {1})[0].contiguous();
}

Window analytic_receptive_field(Module& model, const Shape& input_shape, Pair2 position, const std::string& layer) {
  const auto calls = layer_calls(model, zeros({1, input_shape[0], input_shape[1], input_shape[2]}));
  size_t end = calls.size();
  if (!layer.empty()) {
    // "relu#1": the second call of a module called several times (as forward_capture); a bare name: its last call.
    const size_t hash = layer.find('#');
    const std::string name = layer.substr(0, hash);
    const int64_t wanted = hash == std::string::npos ? -1 : std::stoll(layer.substr(hash + 1));
    end = 0;
    int64_t seen = 0;
    for (size_t i = 0; i < calls.size(); ++i)
      if (calls[i].first == name && (wanted < 0 || seen++ == wanted)) end = i + 1;
    CNN_CHECK(end > 0, "receptive field: layer '{}' is not called by the model", layer);
  }
  CNN_CHECK(end > 0 && calls[end - 1].second.dim() == 4,
            "receptive field: the output of {} is not a [N, C, H, W] feature map; name a layer",
            layer.empty() ? "the model" : layer);
  // Walk back from the output: rows [lo, hi] of a layer's output see rows [lo*s - p, hi*s - p + d*(k-1)] of its input.
  int64_t top = position.h, bottom = position.h, left = position.w, right = position.w;
  for (size_t i = end; i-- > 0;) {
    const auto g = find_module(model, calls[i].first).geometry();
    if (!g) continue;
    CNN_CHECK(!g->transposed, "receptive field: layer '{}' is transposed; the analytic box covers downsampling stacks",
              calls[i].first);
    top = top * g->stride.h - g->padding.h;
    bottom = bottom * g->stride.h - g->padding.h + g->dilation.h * (g->kernel_size.h - 1);
    left = left * g->stride.w - g->padding.w;
    right = right * g->stride.w - g->padding.w + g->dilation.w * (g->kernel_size.w - 1);
  }
  return {.top = top, .left = left, .height = bottom - top + 1, .width = right - left + 1};
}

Window bounding_box(const Tensor& plane, double threshold) {
  CNN_CHECK(plane.dim() == 2, "bounding_box: expected a plane [H, W], got {}", plane.shape());
  const std::vector<float> v = plane.contiguous().to_vector<float>();
  const int64_t h = plane.size(0), w = plane.size(1);
  int64_t top = h, bottom = -1, left = w, right = -1;
  for (int64_t r = 0; r < h; ++r)
    for (int64_t c = 0; c < w; ++c)
      if (v[static_cast<size_t>(r * w + c)] > threshold) {
        top = std::min(top, r), bottom = std::max(bottom, r), left = std::min(left, c), right = std::max(right, c);
      }
  if (bottom < 0) return {.top = 0, .left = 0, .height = 0, .width = 0};
  return {.top = top, .left = left, .height = bottom - top + 1, .width = right - left + 1};
}

double mass_inside(const Tensor& heat, const Window& window) {
  CNN_CHECK(heat.dim() == 2, "mass_inside: expected a heatmap [H, W], got {}", heat.shape());
  const std::vector<float> v = heat.contiguous().to_vector<float>();
  double total = 0, inside = 0;
  for (int64_t r = 0; r < heat.size(0); ++r)
    for (int64_t c = 0; c < heat.size(1); ++c) {
      const double x = v[static_cast<size_t>(r * heat.size(1) + c)];
      total += x;
      if (r >= window.top && r < window.top + window.height && c >= window.left && c < window.left + window.width)
        inside += x;
    }
  return total > 0 ? inside / total : 0.0;
}

ModulePtr dilated_stack(const std::vector<int64_t>& dilations) {
  CNN_CHECK(!dilations.empty(), "dilated_stack: give at least one dilation");
  auto stack = std::make_shared<Sequential>();
  for (int64_t d : dilations) {
    CNN_CHECK(d > 0, "dilated_stack: dilations must be positive, got {}", d);
    auto conv = stack->push_back(Conv2d(1, 1, {.kernel_size = 3, .padding = d, .dilation = d, .bias = false}));
    NoGradGuard no_grad;
    conv->weight.fill_(1.0);
  }
  return stack;
}

}  // namespace cnn::viz

// Panels built from a model and a dataset: filters, feature maps, predictions, confusion counts, explanations.
// Not file writing: callers arrange the panels with save_figure() or save_confusion_matrix().
#include <cnn/nn.h>
#include <cnn/ops.h>
#include <cnn/viz_interpret.h>
#include <cnn/viz_model.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cnn::viz {

std::vector<Panel> filter_panels(const Tensor& weight, int64_t max_filters, int64_t max_in_channels) {
  CNN_CHECK(weight.dim() == 4, "filter_panels: expected a conv weight [K, C, R, S], got {}", weight.shape());
  NoGradGuard no_grad;
  const Tensor w = weight.detach().contiguous();
  std::vector<Panel> panels;
  const int64_t k_count = std::min(w.size(0), max_filters);
  for (int64_t k = 0; k < k_count; ++k) {
    if (w.size(1) == 3) {
      panels.push_back({.rgb = to_rgb(w[k]), .title = fmt::format("f{}", k)});
      continue;
    }
    for (int64_t c = 0; c < std::min(w.size(1), max_in_channels); ++c)
      panels.push_back({.rgb = colorize(w[k][c], Colormap::gray),
                        .title = max_in_channels > 1 ? fmt::format("f{} c{}", k, c) : fmt::format("f{}", k)});
  }
  return panels;
}

std::vector<double> filter_movement(const Tensor& weight, const Tensor& initial) {
  CNN_CHECK(weight.dim() == 4 && weight.shape() == initial.shape(),
            "filter_movement: expected two conv weights [K, C, R, S] of one shape, got {} and {}", weight.shape(),
            initial.shape());
  NoGradGuard no_grad;
  const std::vector<float> w = weight.detach().contiguous().to_vector<float>();
  const std::vector<float> w0 = initial.detach().contiguous().to_vector<float>();
  const auto k_count = static_cast<size_t>(weight.size(0)), per = w.size() / std::max<size_t>(k_count, 1);
  std::vector<double> out;
  for (size_t k = 0; k < k_count; ++k) {
    double diff = 0, base = 0;
    for (size_t i = k * per; i < (k + 1) * per; ++i) {
      diff += (double(w[i]) - double(w0[i])) * (double(w[i]) - double(w0[i]));
      base += double(w0[i]) * double(w0[i]);
    }
    out.push_back(base > 0 ? std::sqrt(diff / base) : diff > 0 ? std::numeric_limits<double>::infinity() : 0.0);
  }
  return out;
}

std::string first_conv_layer(Module& model, const Shape& input_shape) {
  for (const auto& [name, shape] : layer_calls(model, zeros({1, input_shape[0], input_shape[1], input_shape[2]})))
    if (dynamic_cast<Conv2d*>(&find_module(model, name))) return name;
  CNN_CHECK(false, "viz: the model has no Conv2d layer");
  return {};
}

Section feature_section(const std::string& layer, const Tensor& activation, int64_t max_channels) {
  CNN_CHECK(activation.dim() == 4, "feature maps: layer '{}' outputs {}, not a [N, C, H, W] feature map", layer,
            activation.shape());
  NoGradGuard no_grad;
  const Tensor a = activation.detach()[0].contiguous();
  Section s{.title = fmt::format("{} {}", layer, activation.shape()), .panels = {}, .columns = 8};
  s.panels.push_back({.rgb = colorize(mean(a, {0}), Colormap::viridis), .title = "mean", .title_color = "#0000a0"});
  for (int64_t c = 0; c < std::min(a.size(0), max_channels); ++c)
    s.panels.push_back({.rgb = colorize(a[c], Colormap::viridis), .title = fmt::format("ch {}", c)});
  return s;
}

std::vector<std::vector<int64_t>> confusion_counts(Module& model, const Dataset& data, int64_t num_classes,
                                                   int64_t max_samples) {
  NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<std::vector<int64_t>> counts(static_cast<size_t>(num_classes), std::vector<int64_t>(num_classes, 0));
  const int64_t n = max_samples < 0 ? data.size() : std::min(max_samples, data.size());
  const Shape image = data.image_shape();
  for (int64_t start = 0; start < n; start += 256) {
    const int64_t b = std::min<int64_t>(256, n - start);
    Tensor x = Tensor::empty({b, image[0], image[1], image[2]});
    std::vector<int64_t> labels(static_cast<size_t>(b));
    for (int64_t i = 0; i < b; ++i) {
      const Example e = data.get(start + i);
      x[i].copy_(e.image);
      labels[static_cast<size_t>(i)] = e.label;
    }
    const std::vector<int64_t> pred = argmax(model(x), 1).to_vector<int64_t>();
    for (int64_t i = 0; i < b; ++i) ++counts.at(static_cast<size_t>(labels[i])).at(static_cast<size_t>(pred[i]));
  }
  model.train(was_training);
  return counts;
}

std::vector<Panel> prediction_panels(Module& model, const Dataset& data, const std::vector<std::string>& classes,
                                     int64_t count) {
  std::vector<Panel> panels;
  for (int64_t i = 0; i < std::min(count, data.size()); ++i) {
    const Example e = data.get(i);
    const int64_t p = predict(model, e.image);
    auto name = [&classes](int64_t c) { return c < static_cast<int64_t>(classes.size()) ? classes[c] : std::to_string(c); };
    panels.push_back({.rgb = to_rgb(e.image),
                      .title = fmt::format("pred {}\ntrue {}", name(p), name(e.label)),
                      .title_color = p == e.label ? "#006000" : "#d00000"});
  }
  return panels;
}

Section explanation_section(Module& model, const Dataset& data, const std::vector<std::string>& classes,
                            const std::string& layer, int64_t count) {
  Section s{.title = fmt::format("image | saliency | SmoothGrad (n=16) | Grad-CAM at {}", layer), .panels = {},
            .columns = 4};
  for (int64_t i = 0; i < std::min(count, data.size()); ++i) {
    const Example e = data.get(i);
    const GradCam cam = gradcam(model, layer, e.image);
    const std::string cls = cam.target < static_cast<int64_t>(classes.size()) ? classes[cam.target]
                                                                               : std::to_string(cam.target);
    const Tensor rgb = to_rgb(e.image);
    s.panels.push_back({.rgb = rgb, .title = fmt::format("#{} pred {}", i, cls)});
    s.panels.push_back({.rgb = colorize(saliency(model, e.image), Colormap::hot), .title = "|d score/d x|"});
    s.panels.push_back({.rgb = colorize(saliency(model, e.image, {.samples = 16}), Colormap::hot), .title = "SmoothGrad"});
    s.panels.push_back({.rgb = overlay(rgb, cam.heatmap, Colormap::hot, 0.6), .title = "Grad-CAM"});
  }
  return s;
}

}  // namespace cnn::viz

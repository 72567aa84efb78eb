// What a channel responds to most over a dataset: its top images and positions, each with the receptive field
// to crop (Zeiler & Fergus 2014; Girshick et al. 2014), and a layer's flattened features per sample.
// Not the drawing (the top-patches command crops and lays out the panels).
#include <cnn/ops.h>
#include <cnn/viz_inside.h>

#include <algorithm>
#include <tuple>

namespace cnn::viz {

namespace {

// Samples [first, first + n) of `data` as one batch [n, C, H, W] and their labels.
std::pair<Tensor, std::vector<int64_t>> load_batch(const Dataset& data, int64_t first, int64_t n) {
  std::vector<Tensor> images;
  std::vector<int64_t> labels;
  for (int64_t i = first; i < first + n; ++i) {
    Example e = data.get(i);
    images.push_back(e.image.unsqueeze(0));
    labels.push_back(e.label);
  }
  return {cat(images, 0), labels};
}

int64_t samples_to_read(const Dataset& data, int64_t limit) {
  return limit < 0 ? data.size() : std::min(limit, data.size());
}

}  // namespace

std::vector<std::vector<TopActivation>> top_activations(Module& model, const Dataset& data, const std::string& layer,
                                                        const TopActivationOptions& o) {
  CNN_CHECK(o.top >= 1 && o.batch >= 1, "top_activations: top ({}) and batch ({}) must be positive", o.top, o.batch);
  const int64_t n = samples_to_read(data, o.limit);
  CNN_CHECK(n > 0, "top_activations: the dataset has no samples to rank (size {}, limit {})", data.size(), o.limit);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<int64_t> channels = o.channels;
  // Per channel, every image's best (value, image, flat position); ranked at the end.
  std::vector<std::vector<std::tuple<double, int64_t, int64_t>>> best;
  std::vector<int64_t> labels;
  Shape act_shape;
  for (int64_t first = 0; first < n; first += o.batch) {
    const int64_t count = std::min(o.batch, n - first);
    auto [images, batch_labels] = load_batch(data, first, count);
    labels.insert(labels.end(), batch_labels.begin(), batch_labels.end());
    const Tensor act = forward_capture(model, layer, images).first.contiguous();
    CNN_CHECK(act.dim() == 4, "top_activations: layer '{}' outputs shape {}; name a layer with a [N, C, H, W] output",
              layer, act.shape());
    if (first == 0) {
      act_shape = act.shape();
      if (channels.empty())
        for (int64_t k = 0; k < std::min(o.max_channels, act.size(1)); ++k) channels.push_back(k);
      for (int64_t k : channels)
        CNN_CHECK(k >= 0 && k < act.size(1), "top_activations: channel {} is out of range for layer '{}' with output "
                  "shape {}", k, layer, act.shape());
      best.resize(channels.size());
    }
    const std::vector<float> v = act.to_vector<float>();
    const int64_t plane = act.size(2) * act.size(3);
    for (int64_t b = 0; b < count; ++b)
      for (size_t k = 0; k < channels.size(); ++k) {
        const float* p = v.data() + (b * act.size(1) + channels[k]) * plane;
        const int64_t at = std::max_element(p, p + plane) - p;
        best[k].emplace_back(p[at], first + b, at);
      }
  }
  model.train(was_training);

  const Shape input = data.get(0).image.shape();
  const Window origin = analytic_receptive_field(model, input, {0, 0}, layer);
  const Window step = analytic_receptive_field(model, input, {1, 1}, layer);
  std::vector<std::vector<TopActivation>> result(channels.size());
  for (size_t k = 0; k < channels.size(); ++k) {
    auto& all = best[k];
    const size_t keep = std::min(static_cast<size_t>(o.top), all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      [](const auto& a, const auto& b) {
                        return std::get<0>(a) != std::get<0>(b) ? std::get<0>(a) > std::get<0>(b)
                                                                : std::get<1>(a) < std::get<1>(b);
                      });
    for (size_t i = 0; i < keep; ++i) {
      const auto [value, image, at] = all[i];
      const Pair2 pos{at / act_shape[3], at % act_shape[3]};
      // The fold is affine in the position: shift the (0, 0) window by position * the layer's total stride.
      const int64_t top = origin.top + pos.h * (step.top - origin.top);
      const int64_t left = origin.left + pos.w * (step.left - origin.left);
      const int64_t y0 = std::max<int64_t>(top, 0), x0 = std::max<int64_t>(left, 0);
      const int64_t y1 = std::min(top + origin.height, input[1]), x1 = std::min(left + origin.width, input[2]);
      result[k].push_back({.image = image, .label = labels[static_cast<size_t>(image)], .position = pos,
                           .value = value, .field = {.top = y0, .left = x0, .height = y1 - y0, .width = x1 - x0},
                           .receptive_field = {.top = top, .left = left, .height = origin.height, .width = origin.width}});
    }
  }
  return result;
}

Tensor crop(const Tensor& image, const Window& window) {
  CNN_CHECK(image.dim() == 3, "crop: expected an image [C, H, W], got {}", image.shape());
  const int64_t y0 = std::max<int64_t>(window.top, 0), x0 = std::max<int64_t>(window.left, 0);
  const int64_t y1 = std::min(window.top + window.height, image.size(1));
  const int64_t x1 = std::min(window.left + window.width, image.size(2));
  CNN_CHECK(y1 > y0 && x1 > x0, "crop: window {}x{} at ({}, {}) does not overlap the image of shape {}", window.height,
            window.width, window.top, window.left, image.shape());
  NoGradGuard no_grad;
  return image.slice(1, y0, y1).slice(2, x0, x1).contiguous();
}

std::pair<Tensor, Tensor> dataset_features(Module& model, const Dataset& data, const std::string& layer,
                                           int64_t limit, int64_t batch) {
  CNN_CHECK(batch >= 1, "dataset_features: batch must be positive, got {}", batch);
  const int64_t n = samples_to_read(data, limit);
  CNN_CHECK(n > 0, "dataset_features: no samples to read (dataset size {}, limit {})", data.size(), limit);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  std::vector<Tensor> features;
  std::vector<int64_t> labels;
  for (int64_t first = 0; first < n; first += batch) {
    auto [images, batch_labels] = load_batch(data, first, std::min(batch, n - first));
    labels.insert(labels.end(), batch_labels.begin(), batch_labels.end());
    features.push_back(flatten(forward_capture(model, layer, images).first, 1).contiguous());
  }
  model.train(was_training);
  return {cat(features, 0), from_vector(labels, {n})};
}

}  // namespace cnn::viz

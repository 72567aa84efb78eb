// Occlusion sensitivity (Zeiler & Fergus 2014): how much the target class's probability drops while a grey patch
// hides each part of the image. Batched forward passes without gradients; not a gradient method.
#include <cnn/ops.h>
#include <cnn/viz_inside.h>

#include <algorithm>

namespace cnn::viz {

Occlusion occlusion(Module& model, const Tensor& image, const OcclusionOptions& o) {
  CNN_CHECK(image.dim() == 3, "occlusion: expected one image [C, H, W], got {}", image.shape());
  const int64_t c = image.size(0), h = image.size(1), w = image.size(2);
  CNN_CHECK(o.patch >= 1 && o.patch <= std::min(h, w), "occlusion: patch {} must be between 1 and the image's "
            "smaller side ({}x{})", o.patch, h, w);
  CNN_CHECK(o.stride >= 1 && o.batch >= 1, "occlusion: stride ({}) and batch ({}) must be positive", o.stride,
            o.batch);
  const bool was_training = model.is_training();
  model.eval();
  NoGradGuard no_grad;
  const Tensor base = softmax(model(image.unsqueeze(0)), 1);
  Occlusion result;
  result.target = o.target >= 0 ? o.target : static_cast<int64_t>(argmax(base, 1).item());
  CNN_CHECK(result.target < base.size(1), "occlusion: class {} is out of range for model output of shape {}",
            result.target, base.shape());
  result.probability = base[0][result.target].item();

  const int64_t rows = (h - o.patch) / o.stride + 1, cols = (w - o.patch) / o.stride + 1, count = rows * cols;
  const std::vector<float> pixels = image.contiguous().to_vector<float>();
  std::vector<float> drops(static_cast<size_t>(count));
  for (int64_t first = 0; first < count; first += o.batch) {
    const int64_t n = std::min(o.batch, count - first);
    std::vector<float> batch(static_cast<size_t>(n * c * h * w));
    for (int64_t b = 0; b < n; ++b) {
      float* copy = batch.data() + b * c * h * w;
      std::copy(pixels.begin(), pixels.end(), copy);
      const int64_t top = (first + b) / cols * o.stride, left = (first + b) % cols * o.stride;
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = top; y < top + o.patch; ++y)
          std::fill_n(copy + (ch * h + y) * w + left, o.patch, static_cast<float>(o.fill));
    }
    const Tensor probs = softmax(model(from_vector(batch, {n, c, h, w})), 1).contiguous();
    const std::vector<float> p = probs.to_vector<float>();
    for (int64_t b = 0; b < n; ++b)
      drops[static_cast<size_t>(first + b)] =
          static_cast<float>(result.probability) - p[static_cast<size_t>(b * probs.size(1) + result.target)];
  }
  model.train(was_training);

  // Each pixel: the mean drop over the patch positions that cover it.
  std::vector<float> heat(static_cast<size_t>(h * w), 0.0f), covered(static_cast<size_t>(h * w), 0.0f);
  for (int64_t k = 0; k < count; ++k) {
    const int64_t top = k / cols * o.stride, left = k % cols * o.stride;
    for (int64_t y = top; y < top + o.patch; ++y)
      for (int64_t x = left; x < left + o.patch; ++x) {
        heat[static_cast<size_t>(y * w + x)] += drops[static_cast<size_t>(k)];
        covered[static_cast<size_t>(y * w + x)] += 1.0f;
      }
  }
  for (size_t i = 0; i < heat.size(); ++i)
    if (covered[i] > 0) heat[i] /= covered[i];
  result.coarse = from_vector(drops, {rows, cols});
  result.heatmap = from_vector(heat, {h, w});
  return result;
}

}  // namespace cnn::viz

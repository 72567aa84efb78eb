// Saliency maps: |d score / d input| (Simonyan et al. 2014) and its SmoothGrad average over noisy copies.
// Not Grad-CAM (gradcam.cpp): this differentiates down to the pixels.
#include <cnn/ops.h>
#include <cnn/random.h>
#include <cnn/viz_interpret.h>

namespace cnn::viz {

namespace {

// A one-hot gradient for logits [N, K] at column `target` in every row.
Tensor one_hot_rows(const Shape& logits, int64_t target) {
  CNN_CHECK(logits.dim() == 2 && target >= 0 && target < logits[1],
            "viz: class {} is out of range for model output of shape {}", target, logits);
  std::vector<float> v(static_cast<size_t>(logits.numel()), 0.0f);
  for (int64_t r = 0; r < logits[0]; ++r) v[static_cast<size_t>(r * logits[1] + target)] = 1.0f;
  return from_vector(v, logits);
}

}  // namespace

Tensor saliency(Module& model, const Tensor& image, const SaliencyOptions& options) {
  CNN_CHECK(image.dim() == 3, "saliency: expected one image [C, H, W], got {}", image.shape());
  const bool was_training = model.is_training();
  model.eval();
  const int64_t target = options.target >= 0 ? options.target : predict(model, image);
  Tensor x = image.detach().unsqueeze(0);
  if (options.samples > 0) {
    // A generator of its own, so the noise depends only on options.seed and the global one is left alone.
    Generator gen(options.seed);
    const double sigma = options.noise * (max(image).item() - min(image).item());
    const Shape batch{options.samples, image.size(0), image.size(1), image.size(2)};
    std::vector<float> noise(static_cast<size_t>(batch.numel()));
    for (float& v : noise) v = static_cast<float>(gen.normal(0.0, sigma));
    x = (x.expand(batch) + from_vector(noise, batch)).contiguous();
  } else {
    x = x.clone();
  }
  x.requires_grad_();
  const Tensor logits = model(x);
  const Tensor g = grad({logits}, {x}, {one_hot_rows(logits.shape(), target)})[0];
  model.train(was_training);
  NoGradGuard no_grad;
  const Tensor per_pixel = max(abs(g), 1).first;  // [N, H, W]: the strongest channel
  return mean(per_pixel, {0}).contiguous();
}

}  // namespace cnn::viz

// Grad-CAM (Selvaraju et al. 2017): class evidence at one layer, weighted by the mean gradient of each channel.
// Not saliency (saliency.cpp); the layer's activation is captured with a forward hook.
#include <cnn/ops.h>
#include <cnn/viz_interpret.h>

namespace cnn::viz {

GradCam gradcam(Module& model, const std::string& layer, const Tensor& image, int64_t target) {
  CNN_CHECK(image.dim() == 3, "gradcam: expected one image [C, H, W], got {}", image.shape());
  const bool was_training = model.is_training();
  model.eval();
  GradCam result;
  result.target = target >= 0 ? target : predict(model, image);
  Tensor x = image.detach().unsqueeze(0).clone();
  x.requires_grad_();
  auto [a, logits] = forward_capture(model, layer, x);
  CNN_CHECK(a.dim() == 4, "gradcam: layer '{}' outputs shape {}; Grad-CAM needs a [N, C, H, W] feature map", layer,
            a.shape());
  CNN_CHECK(result.target < logits.size(1), "gradcam: class {} is out of range for model output of shape {}",
            result.target, logits.shape());
  std::vector<float> one_hot(static_cast<size_t>(logits.numel()), 0.0f);
  one_hot[static_cast<size_t>(result.target)] = 1.0f;
  const Tensor g = grad({logits}, {a}, {from_vector(one_hot, logits.shape())})[0];
  model.train(was_training);

  NoGradGuard no_grad;
  const Tensor alpha = mean(g, {2, 3}, true);                // [1, K, 1, 1]
  const Tensor cam = relu(sum(alpha * a.detach(), {1}, true));  // [1, 1, h, w]
  result.coarse = cam[0][0].contiguous();
  Tensor up = interpolate(cam, {.size = Pair2{image.size(1), image.size(2)}, .mode = "bilinear", .align_corners = false});
  up = relu(up[0][0]);
  const double peak = max(up).item();
  result.heatmap = (peak > 0 ? up / peak : up).contiguous();
  return result;
}

}  // namespace cnn::viz

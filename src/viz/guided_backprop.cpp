// Gradients with modified ReLU backward passes: guided backpropagation (Springenberg et al. 2015), the
// Zeiler-Fergus deconvnet, and guided Grad-CAM. The rule itself lives in relu's backward (relu_rule.h).
#include <cnn/ops.h>
#include <cnn/viz_inside.h>

namespace cnn::viz {

Tensor backprop(Module& model, const Tensor& image, const BackpropOptions& options) {
  CNN_CHECK(image.dim() == 3, "backprop: expected one image [C, H, W], got {}", image.shape());
  const bool was_training = model.is_training();
  model.eval();
  const int64_t target = options.target >= 0 ? options.target : predict(model, image);
  Tensor x = image.detach().unsqueeze(0).clone();
  x.requires_grad_();
  const Tensor logits = model(x);
  CNN_CHECK(logits.dim() == 2 && target < logits.size(1),
            "backprop: class {} is out of range for model output of shape {}", target, logits.shape());
  std::vector<float> one_hot(static_cast<size_t>(logits.numel()), 0.0f);
  one_hot[static_cast<size_t>(target)] = 1.0f;
  Tensor g;
  {
    ReluBackwardGuard rule(options.rule);
    g = grad({logits}, {x}, {from_vector(one_hot, logits.shape())})[0];
  }
  model.train(was_training);
  return g[0].contiguous();
}

Tensor guided_gradcam(Module& model, const std::string& layer, const Tensor& image, int64_t target) {
  const GradCam cam = gradcam(model, layer, image, target);
  const Tensor guided = backprop(model, image, {.rule = ReluBackwardRule::guided, .target = cam.target});
  NoGradGuard no_grad;
  return (guided * cam.heatmap.unsqueeze(0)).contiguous();
}

}  // namespace cnn::viz

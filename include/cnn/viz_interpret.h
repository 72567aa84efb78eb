// What a model looks at: saliency (plain and SmoothGrad), Grad-CAM, and the gradient receptive field of one
// output position with its analytic box. Not the drawing: results are tensors, viz_image.h paints them.
#pragma once

#include <cnn/module.h>

#include <string>
#include <vector>

namespace cnn::viz {

/// The module at a dotted name ("conv1", "features.3"); throws listing the names when absent.
Module& find_module(Module& model, const std::string& name);

/// Runs the model on x [N, C, H, W] and returns the output of `layer` together with the model's output, both still
/// in the graph. A module called several times gives its last call, or call k (from 0) when named "name#k". Usage: auto [act, logits] = forward_capture(m, "conv2", x);
std::pair<Tensor, Tensor> forward_capture(Module& model, const std::string& layer, const Tensor& x);

/// Dotted names of the leaf modules in the order a forward pass on x [N, C, H, W] calls them (repeats kept),
/// with each call's output shape.
std::vector<std::pair<std::string, Shape>> layer_calls(Module& model, const Tensor& x);

/// The class with the highest score for one image [C, H, W] (eval mode, no gradients).
int64_t predict(Module& model, const Tensor& image);

struct SaliencyOptions {
  int64_t target = -1;        // class whose score is differentiated; -1: the predicted class
  int64_t samples = 0;        // SmoothGrad: average over this many noisy copies (0: plain gradient)
  double noise = 0.15;        // SmoothGrad noise sigma, as a fraction of the image's value range
  uint64_t seed = 0;
};

/// |d score / d input| for one image [C, H, W], maximum over channels: [H, W] (Simonyan et al. 2014);
/// with samples > 0, the mean over noisy copies (SmoothGrad, Smilkov et al. 2017). The model runs in eval mode.
Tensor saliency(Module& model, const Tensor& image, const SaliencyOptions& options = {});

struct GradCam {
  Tensor heatmap{};     // [H, W] of the input, in [0, 1] (all zero when no evidence for the class)
  Tensor coarse{};        // [h, w] at the layer's resolution, before upsampling and normalisation
  int64_t target = 0;   // the class explained
};

/// Grad-CAM (Selvaraju et al. 2017) at `layer` for one image [C, H, W]: ReLU(sum_k alpha_k A_k) with alpha_k the
/// spatial mean of d score / d A_k, upsampled bilinearly to the input size. target -1: the predicted class.
GradCam gradcam(Module& model, const std::string& layer, const Tensor& image, int64_t target = -1);

/// Grad-CAM's default layer for an input of `input_shape` [C, H, W]: the last Conv2d call, or the activation call
/// right after it when there is one ("relu#1": the second call of a shared `relu`), as Grad-CAM takes the rectified
/// feature maps (pre-activation maps also light up the background).
std::string gradcam_layer(Module& model, const Shape& input_shape);

/// Gradient receptive field: |d out[0, :, y, x].sum() / d input| summed over input channels, [H, W], where out is
/// `layer`'s output (empty: the model's) for an input of `input_shape` [C, H, W] filled with `fill`.
/// Non-zero exactly where the input can change that output (for weights with no cancellation).
Tensor gradient_receptive_field(Module& model, const Shape& input_shape, Pair2 position, const std::string& layer = "",
                                double fill = 1.0);

/// A rectangle of rows and columns of a plane.
struct Window {
  int64_t top = 0, left = 0, height = 1, width = 1;
};

/// The smallest window holding every element of plane [H, W] above `threshold`.
Window bounding_box(const Tensor& plane, double threshold);
/// The fraction of a non-negative heatmap [H, W]'s total inside `window` (0 when the total is 0).
double mass_inside(const Tensor& heat, const Window& window);

/// The input rows/columns one output position of `layer` (empty: the model's output; "name#k": call k, as in
/// forward_capture) can see, folding each leaf layer's (kernel, stride, padding, dilation) in call order up to it;
/// unclipped, so it may pass the edges.
Window analytic_receptive_field(Module& model, const Shape& input_shape, Pair2 position,
                                  const std::string& layer = "");

/// 3x3 stride-1 convolutions, one per dilation (one channel, weights 1, no bias, padding = dilation) with these dilations:
/// the stack of exercise 3 whose gradient receptive field shows the gridding effect.
ModulePtr dilated_stack(const std::vector<int64_t>& dilations);

}  // namespace cnn::viz

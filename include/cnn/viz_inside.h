// The CS231n ways of seeing inside a trained convnet: occlusion sensitivity, maximally activating dataset patches,
// guided backpropagation and the deconvnet, and class-model visualisation. Results are tensors and positions;
// viz_image.h paints them. Not saliency or Grad-CAM (viz_interpret.h) and not t-SNE (viz_tsne.h).
#pragma once

#include <cnn/dataset.h>
#include <cnn/module.h>
#include <cnn/relu_rule.h>
#include <cnn/viz_interpret.h>

#include <limits>
#include <string>
#include <vector>

namespace cnn::viz {

struct OcclusionOptions {
  int64_t patch = 8;   // side of the square grey patch, in input pixels
  int64_t stride = 4;  // step between patch positions
  double fill = 0.0;   // the patch's value: 0 is the dataset mean once the image is normalised
  int64_t target = -1;   // class whose probability is watched; -1: the predicted class
  int64_t batch = 64;    // occluded copies per forward pass
};

struct Occlusion {
  Tensor coarse{};   // [rows, cols]: drop in the target's softmax probability with the patch at (r*stride, c*stride)
  Tensor heatmap{};  // [H, W]: each pixel's mean drop over the patch positions covering it (0 where none do)
  int64_t target = 0;
  double probability = 0.0;  // the target's probability on the unoccluded image
};

/// Occlusion sensitivity (Zeiler & Fergus 2014) for one image [C, H, W]: a patch of `fill` slides over the image
/// at rows and columns 0, stride, ... up to H - patch (W - patch), and each position records
/// p(target | image) - p(target | occluded image). The model runs in eval mode, without gradients.
/// Usage: Occlusion o = occlusion(*model, image, {.patch = 8, .stride = 2});
Occlusion occlusion(Module& model, const Tensor& image, const OcclusionOptions& options = {});

/// One of a channel's strongest responses over a dataset.
struct TopActivation {
  int64_t image = 0;       // index in the dataset
  int64_t label = 0;       // that sample's label
  Pair2 position{0, 0};    // (row, column) in the layer's output
  double value = 0.0;      // the activation there
  Window field{};          // the position's receptive field, clipped to the image
  Window receptive_field{};  // the same, unclipped (may pass the image's edges)
};

struct TopActivationOptions {
  std::vector<int64_t> channels{};  // the layer's channels to rank (empty: the first `max_channels`)
  int64_t max_channels = 8;
  int64_t top = 9;                  // images per channel
  int64_t limit = -1;               // the first `limit` samples of the dataset (-1: all)
  int64_t batch = 128;
};

/// For each channel of `layer`'s output ([N, C, h, w]) over the dataset's samples, the `top` images whose largest
/// activation in that channel is highest (one position per image: its maximum, the first in row-major order on
/// ties; images ranked by value, then by index), each with its receptive field (analytic_receptive_field) clipped
/// to the image. result[k] belongs to channels[k]. Eval mode, no gradients, one batch of activations at a time.
/// Usage: auto top = top_activations(*model, *test, "relu#1", {.channels = {0, 5}, .top = 9, .limit = 1000});
std::vector<std::vector<TopActivation>> top_activations(Module& model, const Dataset& data, const std::string& layer,
                                                        const TopActivationOptions& options = {});

/// The rows and columns of an image [C, H, W] inside `window` (which must overlap the image): [C, h, w].
Tensor crop(const Tensor& image, const Window& window);

struct BackpropOptions {
  ReluBackwardRule rule = ReluBackwardRule::guided;  // standard: the plain gradient
  int64_t target = -1;                                // class whose score is differentiated; -1: the predicted one
};

/// d score[target] / d input for one image [C, H, W], signed, [C, H, W], with every relu's backward replaced by
/// the rule: guided backpropagation (Springenberg et al. 2015) or the deconvnet (Zeiler & Fergus 2014). The rule
/// is a thread-local mode read by relu's backward (ReluBackwardGuard, relu_rule.h), so it reaches ReLU layers and
/// functional relu() calls alike; max pooling passes the gradient to the forward maximum (the deconvnet's
/// switches). Eval mode. Usage: Tensor g = backprop(*model, image, {.rule = ReluBackwardRule::deconvnet});
Tensor backprop(Module& model, const Tensor& image, const BackpropOptions& options = {});

/// Guided Grad-CAM (Selvaraju et al. 2017): guided backpropagation [C, H, W] times the Grad-CAM heatmap [H, W] of
/// `layer`, for the same target (-1: the predicted class).
Tensor guided_gradcam(Module& model, const std::string& layer, const Tensor& image, int64_t target = -1);

struct ClassModelOptions {
  int64_t steps = 200;
  double lr = 1.0;      // step size of the gradient ascent
  double l2 = 1e-3;     // lambda of the L2 penalty lambda * ||I||^2
  int64_t jitter = 0;   // roll the image by up to this many pixels each step (and back), as common practice
  int64_t blur_every = 0;  // blur with a 3x3 Gaussian every this many steps (0: never)
  double min_value = -std::numeric_limits<double>::infinity();  // clamp pixels after each step (the valid range
  double max_value = std::numeric_limits<double>::infinity();   // of normalised images)
  uint64_t seed = 0;    // the jitter's generator
};

struct ClassModel {
  Tensor image{};               // [C, H, W], the final image
  std::vector<double> scores{};  // S_c before each step, and after the last: steps + 1 values
  std::vector<double> norms{};   // ||I|| at the same times
};

/// Class-model visualisation (Simonyan et al. 2014): gradient ascent from the zero (mean) image on
/// S_c(I) - l2 * ||I||^2, where S_c is the unnormalised class score (the logit, not the softmax):
/// I <- I + lr * (dS_c/dI - 2 l2 I), optionally jittered, blurred and clamped. Eval mode.
/// Usage: ClassModel m = class_model(*model, {1, 28, 28}, 3, {.steps = 300, .lr = 0.5, .l2 = 1e-2});
ClassModel class_model(Module& model, const Shape& input_shape, int64_t target, const ClassModelOptions& options = {});

/// A layer's output flattened per sample ([N, F]) for the first `limit` samples of `data` (-1: all) and their
/// labels ([N], i64): the features t-SNE embeds, as `cnn features` writes them. Eval mode, no gradients.
std::pair<Tensor, Tensor> dataset_features(Module& model, const Dataset& data, const std::string& layer,
                                           int64_t limit = -1, int64_t batch = 256);

}  // namespace cnn::viz

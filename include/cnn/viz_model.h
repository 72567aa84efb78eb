// Figures of a model and its data: filter grids, feature maps per layer, predictions on test samples,
// confusion counts. Not the drawing (viz_image.h, viz_chart.h) nor the gradient methods (viz_interpret.h).
#pragma once

#include <cnn/data.h>
#include <cnn/module.h>
#include <cnn/viz_image.h>

#include <string>
#include <vector>

namespace cnn::viz {

/// One panel per filter of a conv weight [K, C, R, S], each normalised on its own: RGB when C == 3, otherwise
/// one grayscale panel per input channel (the first max_in_channels of them). Titles "f3" or "f3 c1".
std::vector<Panel> filter_panels(const Tensor& weight, int64_t max_filters = 64, int64_t max_in_channels = 1);

/// How far each filter of a conv weight [K, C, R, S] moved from where it started: |W_k - W0_k| / |W0_k| (L2 over
/// the filter; 0 where both are zero, infinity where only W0_k is). One value per filter, in filter order.
std::vector<double> filter_movement(const Tensor& weight, const Tensor& initial);

/// The first Conv2d a forward pass on `input_shape` [C, H, W] calls (where first-layer filters live).
std::string first_conv_layer(Module& model, const Shape& input_shape);

/// A section for one layer's activation [1, C, h, w]: the channel mean first, then each channel (up to
/// max_channels), viridis, titled "NAME [1, C, h, w]".
Section feature_section(const std::string& layer, const Tensor& activation, int64_t max_channels = 64);

/// counts[true][predicted] over the first max_samples samples of `data` (eval mode, batches of 256).
std::vector<std::vector<int64_t>> confusion_counts(Module& model, const Dataset& data, int64_t num_classes,
                                                   int64_t max_samples = -1);

/// The first `count` samples with "pred X / true Y" titles; wrong predictions titled in red.
std::vector<Panel> prediction_panels(Module& model, const Dataset& data, const std::vector<std::string>& classes,
                                     int64_t count = 16);

/// Rows of [image, saliency, SmoothGrad, Grad-CAM overlay] for the first `count` samples of `data`.
Section explanation_section(Module& model, const Dataset& data, const std::vector<std::string>& classes,
                            const std::string& layer, int64_t count = 4);

/// A grid of samples titled with their class names: the first `per_class` images of each class of `data`, one
/// row per class (classes without images are skipped). The grid of CS231n's CIFAR-10 lecture.
Section sample_section(const Dataset& data, const std::vector<std::string>& classes, int64_t per_class = 8);

/// Image `index` of `raw` (a dataset without transforms) under each random step of `pipeline` alone, `draws`
/// times (the deterministic steps, Resize, CenterCrop, ToTensor and Normalize, kept in place so the image is what
/// the model would see), then under the whole pipeline. One section per step, titled by its repr; the original's
/// title names its class from `classes` (else its number).
std::vector<Section> augmentation_sections(const Dataset& raw, int64_t index, const Transform& pipeline,
                                           int64_t draws = 6, uint64_t seed = 0,
                                           const std::vector<std::string>& classes = {});

}  // namespace cnn::viz

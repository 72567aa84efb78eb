// Post-training int8 quantisation of a trained model: calibrate the input range of every Conv2d and Linear on a
// few training images, then swap them for QuantizedConv2d / QuantizedLinear (layers_quantized.h). Batch norm,
// pooling and activations stay f32. Not quantisation-aware training.
// Usage: auto ranges = quant::calibrate(*model, train_set, {.images = 512});  quant::quantize_model(*model, ranges);
#pragma once

#include <cnn/dataset.h>
#include <cnn/module.h>

#include <map>
#include <memory>
#include <string>

namespace cnn::quant {

struct CalibrationOptions {
  int64_t images = 512;           // calibration images: a seeded random subset of the dataset
  std::string method = "minmax";  // "minmax": max |x|; "percentile": that percentile of |x| (clips outliers)
  double percentile = 99.99;
  int64_t batch_size = 64;
  uint64_t seed = 0;
};

/// Each Conv2d's and Linear's input range (dotted module path -> max |x| or the percentile of |x|) over
/// `options.images` samples of `data`, run in eval mode without gradients. Throws naming a bad method or count.
std::map<std::string, double> calibrate(Module& model, std::shared_ptr<const Dataset> data,
                                        const CalibrationOptions& options = {});

/// Replaces every Conv2d and Linear named in `ranges` by its int8 version with input scale range / 127 (a zero
/// range, a layer that only ever saw zeros, gets scale 1). Returns how many layers were replaced.
int64_t quantize_model(Module& model, const std::map<std::string, double>& ranges);

/// Replaces every Conv2d and Linear by an int8 one of the same shape with placeholder values, so that
/// load_state_dict fills it from a saved int8 model (RunSpec::load_model of a quantised run). Returns how many.
int64_t prepare_quantized(Module& model);

}  // namespace cnn::quant

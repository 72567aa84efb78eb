// Inference on a trained run: cnn::Predictor loads a run folder once and classifies image files or batches,
// safe to call from many threads at once. Not training (train.h) nor export (onnx.h).
#pragma once

#include <cnn/module.h>
#include <cnn/run_spec.h>

#include <string>
#include <vector>

namespace cnn {

/// The top-k classes of one image, best first.
struct Prediction {
  std::string source;                // the image file, or "" for a tensor row
  std::vector<int64_t> indices;      // class indices
  std::vector<std::string> names;    // their names (RunSpec::class_names)
  std::vector<double> probabilities; // softmax probabilities
};

/// A run's model in eval mode with its eval transform and class names, loaded once.
/// Every const method may be called from any number of threads at once: the forward pass runs under a
/// thread-local NoGradGuard, the model is never changed after loading, and the backend's primitive cache is
/// locked (see docs/deploy.md).
/// Usage: const Predictor p = Predictor::load("runs/mnist"); auto top = p.predict_files({"digit.png"}, 3);
class Predictor {
 public:
  /// RUN/config.json and RUN/model.safetensors (or `weights`: a .safetensors or .ckpt file).
  static Predictor load(const std::string& run_dir, const std::string& weights = "");
  /// A spec and a model built from it, put in eval mode with its batch norms folded into the convolutions before
  /// them (fuse_conv_bn): the Predictor owns an inference-only model.
  Predictor(RunSpec spec, ModulePtr model);

  /// Logits [N, classes] of inputs [N, C, H, W] (or one [C, H, W]) as read_image makes them.
  Tensor logits(const Tensor& batch) const;
  /// Softmax of logits, [N, classes].
  Tensor probabilities(const Tensor& batch) const;
  /// The top-k classes of each row of `batch` (topk is clamped to the class count).
  std::vector<Prediction> predict(const Tensor& batch, int64_t topk = 5) const;
  /// Image files (PNG, JPEG, BMP) read, transformed and classified `batch_size` at a time. Errors name the file.
  std::vector<Prediction> predict_files(const std::vector<std::string>& paths, int64_t topk = 5,
                                        int64_t batch_size = 64) const;

  /// An image file as the model's input [C, H, W] (the run's eval transform).
  Tensor read_image(const std::string& path) const { return spec_.read_image(path); }
  const RunSpec& spec() const { return spec_; }
  const std::vector<std::string>& class_names() const { return names_; }
  /// [C, H, W] the model takes.
  const Shape& input_shape() const { return input_; }
  const Module& model() const { return *model_; }

 private:
  RunSpec spec_;
  ModulePtr model_;
  std::vector<std::string> names_;
  Shape input_;
};

/// The image files named by `paths`: files as given, folders expanded to their .png, .jpg, .jpeg and .bmp files
/// (sorted, not recursive). Throws naming a path that does not exist or a folder without images.
std::vector<std::string> list_image_files(const std::vector<std::string>& paths);

}  // namespace cnn

// The configurable plain CNN of ablation studies (seeds 002 §11): conv (+ batch norm) + ReLU layers in up to three
// stages, a downsampling after each, and a GAP or flatten head, with exactly the knobs the protocol varies.
// Not the zoo's fixed architectures (models_zoo.h) nor the study runner (`cnn ablate`).
#pragma once

#include <cnn/nn.h>

#include <map>
#include <memory>
#include <string>

namespace cnn::models {

/// The knobs of plaincnn (as `--model-kwargs depth=5 width=64 ...` or an ablation's `--vary`).
struct PlainCNNOptions {
  int64_t depth = 3;         // conv layers, spread over min(depth, 3) stages (5: 2+2+1, 8: 3+3+2)
  int64_t width = 32;        // channels of the first stage; each later stage doubles them
  int64_t kernel = 3;        // odd kernel size, "same" padding (kernel / 2)
  std::string pool = "max";  // downsampling after each stage: max (MaxPool2d(2)), avg (AvgPool2d(2)), stride (the
                             // stage's last conv has stride 2)
  bool bn = true;            // BatchNorm2d after each conv (the conv then has no bias)
  std::string head = "gap";  // gap: AdaptiveAvgPool2d(1) + Linear; flatten: Flatten + Linear over every position
  double dropout = 0.0;      // Dropout before the last Linear (0: none)
  int64_t num_classes = 10;
  int64_t in_channels = 1;
  int64_t image_size = 28;  // the square input the flatten head is sized for
};

/// Options from key=value strings (keys as the fields; bn takes on/off/true/false/1/0), over `base`.
/// Throws naming the key and the accepted values for an unknown key or a bad value.
PlainCNNOptions plain_cnn_options(const std::map<std::string, std::string>& kwargs, PlainCNNOptions base = {});

/// Children: features (Sequential: Conv2d, [BatchNorm2d], ReLU, ..., [MaxPool2d | AvgPool2d] per stage, numbered
/// as torchvision's VGG) and classifier (Sequential: [AdaptiveAvgPool2d, ] Flatten, [Dropout, ] Linear).
/// PyTorch's default initialisation. Usage: PlainCNN net({.depth = 5, .pool = "stride", .head = "flatten"});
class PlainCNN : public Module {
 public:
  explicit PlainCNN(const PlainCNNOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "PlainCNN"; }
  const PlainCNNOptions& options() const { return options_; }

  std::shared_ptr<Sequential> features, classifier;

 private:
  PlainCNNOptions options_;
};

}  // namespace cnn::models

// DenseNet's blocks: each layer sees the concatenation of every earlier feature map. torchvision's names
// (_DenseLayer norm1/relu1/conv1/norm2/relu2/conv2, _DenseBlock denselayer1..., _Transition) or the course's
// (seeds 001 exercise 3: bn1/conv1/bn2/conv2, layers.0...). Usage: DenseBlock(6, 64, {.growth_rate = 32})
#pragma once

#include <cnn/blocks_resnet.h>
#include <cnn/nn.h>

namespace cnn {

struct DenseLayerOptions {
  int64_t growth_rate = 32;
  /// The 1x1 bottleneck has bn_size * growth_rate channels.
  int64_t bn_size = 4;
  /// Dropout on the new features while training (torchvision's drop_rate).
  double drop_rate = 0.0;
  BlockNaming naming = BlockNaming::torchvision;
};

/// BN, ReLU, 1x1 conv to bn_size*k, BN, ReLU, 3x3 conv to k (no biases). Input: the concatenated features.
class DenseLayer : public Module {
 public:
  DenseLayer(int64_t num_input_features, const DenseLayerOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override;

 private:
  std::shared_ptr<BatchNorm2d> norm1_, norm2_;
  std::shared_ptr<Conv2d> conv1_, conv2_;
  DenseLayerOptions options_;
};

/// num_layers DenseLayers; layer i gets num_input_features + i*k channels; the output concatenates the input and
/// every layer's k new channels: num_input_features + num_layers*k.
class DenseBlock : public Module {
 public:
  DenseBlock(int64_t num_layers, int64_t num_input_features, const DenseLayerOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override;
  int64_t out_channels() const { return out_channels_; }

 private:
  std::vector<std::shared_ptr<DenseLayer>> layers_;
  int64_t out_channels_;
  BlockNaming naming_;
};

/// torchvision's _Transition: Sequential named norm, relu, conv (1x1, no bias), pool (AvgPool2d(2, 2)).
class Transition : public Sequential {
 public:
  Transition(int64_t num_input_features, int64_t num_output_features);
  std::string type_name() const override { return "_Transition"; }
};

}  // namespace cnn

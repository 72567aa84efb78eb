// DenseLayer, DenseBlock and Transition: DenseNet's concatenating blocks in torchvision's or the course's names.
// Not the DenseNet models (src/models/densenet.cpp).
#include <cnn/blocks_dense.h>
#include <cnn/ops.h>

namespace cnn {

DenseLayer::DenseLayer(int64_t num_input_features, const DenseLayerOptions& options) : options_(options) {
  CNN_CHECK(num_input_features > 0 && options.growth_rate > 0 && options.bn_size > 0,
            "DenseLayer: expected positive num_input_features ({}), growth_rate ({}) and bn_size ({})",
            num_input_features, options.growth_rate, options.bn_size);
  const bool tv = options.naming == BlockNaming::torchvision;
  const int64_t mid = options.bn_size * options.growth_rate;
  norm1_ = register_module(tv ? "norm1" : "bn1", BatchNorm2d(num_input_features));
  if (tv) register_module("relu1", ReLU());
  conv1_ = register_module("conv1", Conv2d(num_input_features, mid, {.kernel_size = 1, .bias = false}));
  norm2_ = register_module(tv ? "norm2" : "bn2", BatchNorm2d(mid));
  if (tv) register_module("relu2", ReLU());
  conv2_ = register_module("conv2",
                           Conv2d(mid, options.growth_rate, {.kernel_size = 3, .padding = 1, .bias = false}));
}

std::string DenseLayer::type_name() const {
  return options_.naming == BlockNaming::torchvision ? "_DenseLayer" : "DenseLayer";
}

Tensor DenseLayer::forward(const Tensor& x) {
  Tensor out = (*conv1_)(relu((*norm1_)(x)));
  out = (*conv2_)(relu((*norm2_)(out)));
  return options_.drop_rate > 0 ? dropout(out, options_.drop_rate, is_training()) : out;
}

DenseBlock::DenseBlock(int64_t num_layers, int64_t num_input_features, const DenseLayerOptions& options)
    : out_channels_(num_input_features + num_layers * options.growth_rate), naming_(options.naming) {
  CNN_CHECK(num_layers > 0, "DenseBlock: expected at least one layer, got {}", num_layers);
  std::shared_ptr<Sequential> list;
  if (naming_ == BlockNaming::course) list = register_module("layers", std::make_shared<Sequential>());
  for (int64_t i = 0; i < num_layers; ++i) {
    auto layer = std::make_shared<DenseLayer>(num_input_features + i * options.growth_rate, options);
    if (list)
      list->push_back(layer);
    else
      register_module("denselayer" + std::to_string(i + 1), layer);
    layers_.push_back(layer);
  }
}

std::string DenseBlock::type_name() const {
  return naming_ == BlockNaming::torchvision ? "_DenseBlock" : "DenseBlock";
}

Tensor DenseBlock::forward(const Tensor& x) {
  std::vector<Tensor> features{x};
  for (const auto& layer : layers_) features.push_back((*layer)(features.size() == 1 ? x : cat(features, 1)));
  return cat(features, 1);
}

Transition::Transition(int64_t num_input_features, int64_t num_output_features) {
  push_back("norm", BatchNorm2d(num_input_features));
  push_back("relu", ReLU());
  push_back("conv", Conv2d(num_input_features, num_output_features, {.kernel_size = 1, .bias = false}));
  push_back("pool", AvgPool2d(AvgPool2dOptions{.kernel_size = 2, .stride = 2}));
}

}  // namespace cnn

// DenseNet-121/161/169/201 as torchvision.models.densenet: the features Sequential with its named stages,
// classifier and initialisation. Not the blocks (nn/blocks/dense_blocks.cpp).
#include <cnn/blocks.h>
#include <cnn/ops.h>

#include <array>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

struct DenseNetConfig {
  int64_t growth_rate;
  std::array<int64_t, 4> block_config;
  int64_t num_init_features;
};

class DenseNet : public Module {
 public:
  DenseNet(const DenseNetConfig& c, const Resolved& r) {
    auto features = register_module("features", std::make_shared<Sequential>());
    features->push_back("conv0", Conv2d(r.in_channels, c.num_init_features,
                                        {.kernel_size = 7, .stride = 2, .padding = 3, .bias = false}));
    features->push_back("norm0", BatchNorm2d(c.num_init_features));
    features->push_back("relu0", ReLU());
    features->push_back("pool0", MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2, .padding = 1}));
    int64_t num_features = c.num_init_features;
    for (size_t i = 0; i < c.block_config.size(); ++i) {
      const std::string n = std::to_string(i + 1);
      features->push_back("denseblock" + n,
                          DenseBlock(c.block_config[i], num_features, {.growth_rate = c.growth_rate, .bn_size = 4}));
      num_features += c.block_config[i] * c.growth_rate;
      if (i + 1 == c.block_config.size()) break;
      features->push_back("transition" + n, Transition(num_features, num_features / 2));
      num_features /= 2;
    }
    features->push_back("norm5", BatchNorm2d(num_features));
    register_module("classifier", Linear(num_features, r.num_classes));
    apply([](Module& m) {
      if (auto* conv = dynamic_cast<Conv2d*>(&m)) init::kaiming_normal_(conv->weight);
      if (auto* fc = dynamic_cast<Linear*>(&m)) init::zeros_(fc->bias);
    });
  }

  Tensor forward(const Tensor& x) override {
    const Tensor y = adaptive_avg_pool2d(relu(call_child(*this, "features", x)), {1, 1});
    return call_child(*this, "classifier", flatten(y, 1));
  }
  std::string type_name() const override { return "DenseNet"; }
};

ModulePtr make_densenet(const std::string& name, const DenseNetConfig& c, const ModelOptions& o) {
  return std::make_shared<DenseNet>(c, resolve(name, o, kImageNet));
}

}  // namespace

ModulePtr densenet121(const ModelOptions& o) { return make_densenet("densenet121", {32, {6, 12, 24, 16}, 64}, o); }
ModulePtr densenet161(const ModelOptions& o) { return make_densenet("densenet161", {48, {6, 12, 36, 24}, 96}, o); }
ModulePtr densenet169(const ModelOptions& o) { return make_densenet("densenet169", {32, {6, 12, 32, 32}, 64}, o); }
ModulePtr densenet201(const ModelOptions& o) { return make_densenet("densenet201", {32, {6, 12, 48, 32}, 64}, o); }

}  // namespace cnn::models

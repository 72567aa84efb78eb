// ResNet, ResNeXt and Wide ResNet as torchvision.models.resnet, and the course's CIFAR ResNets (seeds 001 §3.3):
// stems, stages of BasicBlock/Bottleneck, classifier and initialisation. Not the blocks (nn/blocks).
#include <cnn/blocks.h>
#include <cnn/ops.h>

#include <array>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

struct ResNetConfig {
  bool bottleneck;
  std::array<int64_t, 4> layers;
  int64_t groups = 1;
  int64_t width_per_group = 64;
};

/// torchvision naming: conv1, bn1, relu, maxpool, layer1..4, avgpool, fc (cifar_stem: 3x3 conv1, Identity
/// maxpool). Course naming: conv1 (3x3), bn1, layer1..4, avgpool, fc, functional ReLU.
class ResNet : public Module {
 public:
  ResNet(const ResNetConfig& c, const Resolved& r, BlockNaming naming, bool small_stem) : naming_(naming) {
    const bool tv = naming == BlockNaming::torchvision;
    const Conv2dLayerOptions stem = small_stem ? Conv2dLayerOptions{.kernel_size = 3, .padding = 1, .bias = false}
                                               : Conv2dLayerOptions{.kernel_size = 7, .stride = 2, .padding = 3,
                                                                    .bias = false};
    register_module("conv1", Conv2d(r.in_channels, 64, stem));
    register_module("bn1", BatchNorm2d(64));
    if (tv) {
      register_module("relu", ReLU());
      if (small_stem)
        register_module("maxpool", Identity());
      else
        register_module("maxpool", MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2, .padding = 1}));
    }
    int64_t inplanes = 64;
    for (size_t i = 0; i < 4; ++i) {
      const int64_t planes = int64_t{64} << i;
      auto stage = register_module("layer" + std::to_string(i + 1), std::make_shared<Sequential>());
      for (int64_t b = 0; b < c.layers[i]; ++b) {
        const ResidualBlockOptions block{.stride = (b == 0 && i > 0) ? 2 : 1, .groups = c.groups,
                                         .base_width = c.width_per_group, .naming = naming};
        if (c.bottleneck) {
          stage->push_back(Bottleneck(inplanes, planes, block));
          inplanes = planes * Bottleneck::expansion;
        } else {
          stage->push_back(BasicBlock(inplanes, planes, block));
          inplanes = planes * BasicBlock::expansion;
        }
      }
    }
    register_module("avgpool", AdaptiveAvgPool2d(Pair2{1, 1}));
    register_module("fc", Linear(inplanes, r.num_classes));
    init_like_torchvision(*this, nullptr);
  }

  Tensor forward(const Tensor& x) override {
    Tensor y = call_children(*this, {"conv1", "bn1"}, x);
    y = naming_ == BlockNaming::torchvision ? call_children(*this, {"relu", "maxpool"}, y) : relu(y);
    y = call_children(*this, {"layer1", "layer2", "layer3", "layer4", "avgpool"}, y);
    return call_child(*this, "fc", flatten(y, 1));
  }
  std::string type_name() const override { return "ResNet"; }

 private:
  BlockNaming naming_;
};

ModulePtr make_resnet(const std::string& name, const ResNetConfig& c, const ModelOptions& o) {
  const Resolved r = resolve(name, o, kImageNet, {Extra::cifar_stem});
  return std::make_shared<ResNet>(c, r, BlockNaming::torchvision, o.cifar_stem);
}

ModulePtr make_cifar_resnet(const std::string& name, const ResNetConfig& c, const ModelOptions& o) {
  return std::make_shared<ResNet>(c, resolve(name, o, kCifar), BlockNaming::course, true);
}

}  // namespace

ModulePtr resnet18(const ModelOptions& o) { return make_resnet("resnet18", {false, {2, 2, 2, 2}}, o); }
ModulePtr resnet34(const ModelOptions& o) { return make_resnet("resnet34", {false, {3, 4, 6, 3}}, o); }
ModulePtr resnet50(const ModelOptions& o) { return make_resnet("resnet50", {true, {3, 4, 6, 3}}, o); }
ModulePtr resnet101(const ModelOptions& o) { return make_resnet("resnet101", {true, {3, 4, 23, 3}}, o); }
ModulePtr resnet152(const ModelOptions& o) { return make_resnet("resnet152", {true, {3, 8, 36, 3}}, o); }
ModulePtr resnext50_32x4d(const ModelOptions& o) {
  return make_resnet("resnext50_32x4d", {true, {3, 4, 6, 3}, 32, 4}, o);
}
ModulePtr resnext101_32x8d(const ModelOptions& o) {
  return make_resnet("resnext101_32x8d", {true, {3, 4, 23, 3}, 32, 8}, o);
}
ModulePtr wide_resnet50_2(const ModelOptions& o) {
  return make_resnet("wide_resnet50_2", {true, {3, 4, 6, 3}, 1, 128}, o);
}

ModulePtr resnet18_cifar(const ModelOptions& o) {
  return make_cifar_resnet("resnet18_cifar", {false, {2, 2, 2, 2}}, o);
}
ModulePtr resnet34_cifar(const ModelOptions& o) {
  return make_cifar_resnet("resnet34_cifar", {false, {3, 4, 6, 3}}, o);
}
ModulePtr resnet50_cifar(const ModelOptions& o) {
  return make_cifar_resnet("resnet50_cifar", {true, {3, 4, 6, 3}}, o);
}

}  // namespace cnn::models

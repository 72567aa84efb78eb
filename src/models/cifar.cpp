// The course's CIFAR-10 networks of seeds 001: SimpleCNN (§3.1, here simplecnn_cifar) and VGGStyleCNN (§3.2,
// vgg_style), with the notebook's child names. The CIFAR ResNets of §3.3 are in resnet.cpp.
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

/// conv1..conv3 (3x3, padding 1), pool (2x2), fc1 (128*4*4 -> 256), fc2, dropout (0.5).
class SimpleCNNCifar : public Module {
 public:
  explicit SimpleCNNCifar(const Resolved& r) {
    register_module("conv1", Conv2d(r.in_channels, 32, {.kernel_size = 3, .padding = 1}));
    register_module("conv2", Conv2d(32, 64, {.kernel_size = 3, .padding = 1}));
    register_module("conv3", Conv2d(64, 128, {.kernel_size = 3, .padding = 1}));
    register_module("pool", MaxPool2d(MaxPool2dOptions{.kernel_size = 2, .stride = 2}));
    register_module("fc1", Linear(128 * 4 * 4, 256));
    register_module("fc2", Linear(256, r.num_classes));
    register_module("dropout", Dropout(0.5));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (const char* conv : {"conv1", "conv2", "conv3"})
      y = call_child(*this, "pool", relu(call_child(*this, conv, y)));
    y = relu(call_child(*this, "fc1", flatten(y, 1)));
    return call_children(*this, {"dropout", "fc2"}, y);
  }
  std::string type_name() const override { return "SimpleCNNCifar"; }
};

/// The notebook's ConvBlock: conv (k x k, padding k/2), bn, then a functional ReLU.
class ConvBlock : public Module {
 public:
  ConvBlock(int64_t in, int64_t out, int64_t k = 3) {
    register_module("conv", Conv2d(in, out, {.kernel_size = k, .padding = k / 2}));
    register_module("bn", BatchNorm2d(out));
  }
  Tensor forward(const Tensor& x) override { return relu(call_children(*this, {"conv", "bn"}, x)); }
  std::string type_name() const override { return "ConvBlock"; }
};

class VGGStyleCNN : public Module {
 public:
  explicit VGGStyleCNN(const Resolved& r) {
    auto pool = [] { return MaxPool2d(MaxPool2dOptions{.kernel_size = 2, .stride = 2}); };
    register_module("block1", Sequential(ConvBlock(r.in_channels, 64), ConvBlock(64, 64), pool()));
    register_module("block2", Sequential(ConvBlock(64, 128), ConvBlock(128, 128), pool()));
    register_module("block3", Sequential(ConvBlock(128, 256), ConvBlock(256, 256), ConvBlock(256, 256), pool()));
    register_module("classifier", Sequential(AdaptiveAvgPool2d(1), Flatten(), Linear(256, 256), ReLU(), Dropout(0.5),
                                             Linear(256, r.num_classes)));
  }
  Tensor forward(const Tensor& x) override {
    return call_children(*this, {"block1", "block2", "block3", "classifier"}, x);
  }
  std::string type_name() const override { return "VGGStyleCNN"; }
};

}  // namespace

ModulePtr simplecnn_cifar(const ModelOptions& o) {
  return std::make_shared<SimpleCNNCifar>(resolve("simplecnn_cifar", o, kCifar));
}
ModulePtr vgg_style(const ModelOptions& o) { return std::make_shared<VGGStyleCNN>(resolve("vgg_style", o, kCifar)); }

}  // namespace cnn::models

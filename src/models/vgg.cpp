// VGG 11/13/16/19 with and without batch norm, as torchvision.models.vgg: names, counts and initialisation.
// Not the course's small VGG-style CIFAR network (cifar.cpp).
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

constexpr int64_t M = 0;  // a max-pool in the configuration lists, torchvision's "M"

class VGG : public Module {
 public:
  VGG(const std::vector<int64_t>& config, bool batch_norm, const Resolved& r) {
    auto features = register_module("features", std::make_shared<Sequential>());
    int64_t in = r.in_channels;
    for (int64_t v : config) {
      if (v == M) {
        features->push_back(MaxPool2d(MaxPool2dOptions{.kernel_size = 2, .stride = 2}));
        continue;
      }
      features->push_back(Conv2d(in, v, {.kernel_size = 3, .padding = 1}));
      if (batch_norm) features->push_back(BatchNorm2d(v));
      features->push_back(ReLU());
      in = v;
    }
    register_module("avgpool", AdaptiveAvgPool2d(Pair2{7, 7}));
    register_module("classifier", Sequential(Linear(512 * 7 * 7, 4096), ReLU(), Dropout(0.5), Linear(4096, 4096),
                                             ReLU(), Dropout(0.5), Linear(4096, r.num_classes)));
    init_like_torchvision(*this, [](Linear& fc) {
      init::normal_(fc.weight, 0.0, 0.01);
      init::zeros_(fc.bias);
    });
  }

  Tensor forward(const Tensor& x) override {
    Tensor y = call_children(*this, {"features", "avgpool"}, x);
    return call_child(*this, "classifier", flatten(y, 1));
  }
  std::string type_name() const override { return "VGG"; }
};

const std::vector<int64_t> kA{64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
const std::vector<int64_t> kB{64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
const std::vector<int64_t> kD{64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
const std::vector<int64_t> kE{64,  64,  M,   128, 128, M,   256, 256, 256, 256, M,
                              512, 512, 512, 512, M,   512, 512, 512, 512, M};

ModulePtr make_vgg(const std::string& name, const std::vector<int64_t>& config, bool batch_norm,
                   const ModelOptions& o) {
  return std::make_shared<VGG>(config, batch_norm, resolve(name, o, kImageNet));
}

}  // namespace

ModulePtr vgg11(const ModelOptions& o) { return make_vgg("vgg11", kA, false, o); }
ModulePtr vgg11_bn(const ModelOptions& o) { return make_vgg("vgg11_bn", kA, true, o); }
ModulePtr vgg13(const ModelOptions& o) { return make_vgg("vgg13", kB, false, o); }
ModulePtr vgg13_bn(const ModelOptions& o) { return make_vgg("vgg13_bn", kB, true, o); }
ModulePtr vgg16(const ModelOptions& o) { return make_vgg("vgg16", kD, false, o); }
ModulePtr vgg16_bn(const ModelOptions& o) { return make_vgg("vgg16_bn", kD, true, o); }
ModulePtr vgg19(const ModelOptions& o) { return make_vgg("vgg19", kE, false, o); }
ModulePtr vgg19_bn(const ModelOptions& o) { return make_vgg("vgg19_bn", kE, true, o); }

}  // namespace cnn::models

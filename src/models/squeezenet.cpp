// SqueezeNet 1.0 and 1.1 as torchvision.models.squeezenet, with its Fire module (squeeze 1x1, then 1x1 and 3x3
// expands concatenated) and initialisation. Not a general block: Fire lives here, used by nothing else.
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

class Fire : public Module {
 public:
  Fire(int64_t in, int64_t squeeze, int64_t expand1x1, int64_t expand3x3) {
    register_module("squeeze", Conv2d(in, squeeze, {.kernel_size = 1}));
    register_module("squeeze_activation", ReLU());
    register_module("expand1x1", Conv2d(squeeze, expand1x1, {.kernel_size = 1}));
    register_module("expand1x1_activation", ReLU());
    register_module("expand3x3", Conv2d(squeeze, expand3x3, {.kernel_size = 3, .padding = 1}));
    register_module("expand3x3_activation", ReLU());
  }
  Tensor forward(const Tensor& x) override {
    const Tensor s = call_children(*this, {"squeeze", "squeeze_activation"}, x);
    return cat({call_children(*this, {"expand1x1", "expand1x1_activation"}, s),
                call_children(*this, {"expand3x3", "expand3x3_activation"}, s)},
               1);
  }
  std::string type_name() const override { return "Fire"; }
};

MaxPool2d pool() { return MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = true}); }

class SqueezeNet : public Module {
 public:
  SqueezeNet(const std::string& version, const Resolved& r) {
    std::shared_ptr<Sequential> f;
    if (version == "1_0") {
      f = std::make_shared<Sequential>(Conv2d(r.in_channels, 96, {.kernel_size = 7, .stride = 2}), ReLU(), pool(),
                                       Fire(96, 16, 64, 64), Fire(128, 16, 64, 64), Fire(128, 32, 128, 128), pool(),
                                       Fire(256, 32, 128, 128), Fire(256, 48, 192, 192), Fire(384, 48, 192, 192),
                                       Fire(384, 64, 256, 256), pool(), Fire(512, 64, 256, 256));
    } else {
      f = std::make_shared<Sequential>(Conv2d(r.in_channels, 64, {.kernel_size = 3, .stride = 2}), ReLU(), pool(),
                                       Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), pool(), Fire(128, 32, 128, 128),
                                       Fire(256, 32, 128, 128), pool(), Fire(256, 48, 192, 192),
                                       Fire(384, 48, 192, 192), Fire(384, 64, 256, 256), Fire(512, 64, 256, 256));
    }
    register_module("features", f);
    auto classifier = register_module("classifier", std::make_shared<Sequential>());
    classifier->push_back(Dropout(0.5));
    auto final_conv = classifier->push_back(Conv2d(512, r.num_classes, {.kernel_size = 1}));
    classifier->push_back(ReLU());
    classifier->push_back(AdaptiveAvgPool2d(Pair2{1, 1}));
    apply([&](Module& m) {
      auto* conv = dynamic_cast<Conv2d*>(&m);
      if (conv == nullptr) return;
      if (conv == final_conv.get())
        init::normal_(conv->weight, 0.0, 0.01);
      else
        init::kaiming_uniform_(conv->weight);
      init::zeros_(conv->bias);
    });
  }
  Tensor forward(const Tensor& x) override {
    return flatten(call_children(*this, {"features", "classifier"}, x), 1);
  }
  std::string type_name() const override { return "SqueezeNet"; }
};

}  // namespace

ModulePtr squeezenet1_0(const ModelOptions& o) {
  return std::make_shared<SqueezeNet>("1_0", resolve("squeezenet1_0", o, kImageNet));
}
ModulePtr squeezenet1_1(const ModelOptions& o) {
  return std::make_shared<SqueezeNet>("1_1", resolve("squeezenet1_1", o, kImageNet));
}

}  // namespace cnn::models

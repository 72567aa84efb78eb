// ShuffleNetV2 x0.5/x1.0/x1.5/x2.0 as torchvision.models.shufflenetv2, with its InvertedResidual unit (channel
// split, two branches, channel_shuffle). Not MobileNetV2's InvertedResidual (nn/blocks), which shares the name.
#include <cnn/ops.h>

#include <array>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

Conv2d depthwise(int64_t channels, int64_t stride) {
  return Conv2d(channels, channels,
                {.kernel_size = 3, .stride = stride, .padding = 1, .groups = channels, .bias = false});
}
Conv2d pointwise(int64_t in, int64_t out) { return Conv2d(in, out, {.kernel_size = 1, .bias = false}); }

/// stride 1: the input's first half passes through, branch2 transforms the second; stride 2: branch1 and branch2
/// both see the whole input. Then cat and channel_shuffle(2).
class ShuffleUnit : public Module {
 public:
  ShuffleUnit(int64_t inp, int64_t oup, int64_t stride) : stride_(stride) {
    const int64_t branch = oup / 2;
    CNN_CHECK(stride > 1 || inp == branch * 2, "InvertedResidual: stride 1 needs inp ({}) == oup // 2 * 2 ({})", inp,
              branch * 2);
    auto b1 = register_module("branch1", std::make_shared<Sequential>());
    if (stride > 1) {
      b1->push_back(depthwise(inp, stride));
      b1->push_back(BatchNorm2d(inp));
      b1->push_back(pointwise(inp, branch));
      b1->push_back(BatchNorm2d(branch));
      b1->push_back(ReLU());
    }
    register_module("branch2", Sequential(pointwise(stride > 1 ? inp : branch, branch), BatchNorm2d(branch), ReLU(),
                                          depthwise(branch, stride), BatchNorm2d(branch), pointwise(branch, branch),
                                          BatchNorm2d(branch), ReLU()));
  }
  Tensor forward(const Tensor& x) override {
    Tensor out;
    if (stride_ == 1) {
      const int64_t half = x.size(1) / 2;
      out = cat({x.slice(1, 0, half), (*child("branch2"))(x.slice(1, half, x.size(1)))}, 1);
    } else {
      out = cat({(*child("branch1"))(x), (*child("branch2"))(x)}, 1);
    }
    return channel_shuffle(out, 2);
  }
  std::string type_name() const override { return "InvertedResidual"; }

 private:
  int64_t stride_;
};

class ShuffleNetV2 : public Module {
 public:
  ShuffleNetV2(const std::array<int64_t, 5>& channels, const Resolved& r) {
    const int64_t repeats[] = {4, 8, 4};
    register_module("conv1", Sequential(Conv2d(r.in_channels, channels[0],
                                               {.kernel_size = 3, .stride = 2, .padding = 1, .bias = false}),
                                        BatchNorm2d(channels[0]), ReLU()));
    register_module("maxpool", MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2, .padding = 1}));
    int64_t in = channels[0];
    for (size_t s = 0; s < 3; ++s) {
      auto stage = register_module("stage" + std::to_string(s + 2), std::make_shared<Sequential>());
      stage->push_back(ShuffleUnit(in, channels[s + 1], 2));
      for (int64_t i = 1; i < repeats[s]; ++i) stage->push_back(ShuffleUnit(channels[s + 1], channels[s + 1], 1));
      in = channels[s + 1];
    }
    register_module("conv5", Sequential(pointwise(in, channels[4]), BatchNorm2d(channels[4]), ReLU()));
    register_module("fc", Linear(channels[4], r.num_classes));
  }
  Tensor forward(const Tensor& x) override {
    const Tensor y = call_children(*this, {"conv1", "maxpool", "stage2", "stage3", "stage4", "conv5"}, x);
    return call_child(*this, "fc", mean(y, {2, 3}));
  }
  std::string type_name() const override { return "ShuffleNetV2"; }
};

ModulePtr make_shufflenet(const std::string& name, const std::array<int64_t, 5>& channels, const ModelOptions& o) {
  return std::make_shared<ShuffleNetV2>(channels, resolve(name, o, kImageNet));
}

}  // namespace

ModulePtr shufflenet_v2_x0_5(const ModelOptions& o) {
  return make_shufflenet("shufflenet_v2_x0_5", {24, 48, 96, 192, 1024}, o);
}
ModulePtr shufflenet_v2_x1_0(const ModelOptions& o) {
  return make_shufflenet("shufflenet_v2_x1_0", {24, 116, 232, 464, 1024}, o);
}
ModulePtr shufflenet_v2_x1_5(const ModelOptions& o) {
  return make_shufflenet("shufflenet_v2_x1_5", {24, 176, 352, 704, 1024}, o);
}
ModulePtr shufflenet_v2_x2_0(const ModelOptions& o) {
  return make_shufflenet("shufflenet_v2_x2_0", {24, 244, 488, 976, 2048}, o);
}

}  // namespace cnn::models

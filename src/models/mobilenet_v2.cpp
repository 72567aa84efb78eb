// MobileNetV2 as torchvision.models.mobilenet_v2: width multiplier, InvertedResidual stages, classifier, init.
// Not the blocks (nn/blocks/mobile_blocks.cpp) nor MobileNetV1 (mobilenet_v1.cpp).
#include <cnn/blocks.h>
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

class MobileNetV2 : public Module {
 public:
  MobileNetV2(const Resolved& r, double width_mult) {
    struct Stage {
      int64_t t, c, n, s;  // expansion, channels, repeats, first stride
    };
    const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                            {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    int64_t input_channel = make_divisible(32 * width_mult, 8);
    const int64_t last_channel = make_divisible(1280 * std::max(1.0, width_mult), 8);
    auto features = register_module("features", std::make_shared<Sequential>());
    features->push_back(
        Conv2dNormActivation(r.in_channels, input_channel, {.stride = 2, .activation_layer = layer<ReLU6>}));
    for (const Stage& st : stages) {
      const int64_t output_channel = make_divisible(static_cast<double>(st.c) * width_mult, 8);
      for (int64_t i = 0; i < st.n; ++i) {
        features->push_back(
            InvertedResidual(input_channel, output_channel, {.stride = i == 0 ? st.s : 1, .expand_ratio = st.t}));
        input_channel = output_channel;
      }
    }
    features->push_back(
        Conv2dNormActivation(input_channel, last_channel, {.kernel_size = 1, .activation_layer = layer<ReLU6>}));
    register_module("classifier", Sequential(Dropout(0.2), Linear(last_channel, r.num_classes)));
    init_like_torchvision(*this, [](Linear& fc) {
      init::normal_(fc.weight, 0.0, 0.01);
      init::zeros_(fc.bias);
    });
  }

  Tensor forward(const Tensor& x) override {
    const Tensor y = adaptive_avg_pool2d(call_child(*this, "features", x), {1, 1});
    return call_child(*this, "classifier", flatten(y, 1));
  }
  std::string type_name() const override { return "MobileNetV2"; }
};

}  // namespace

ModulePtr mobilenet_v2(const ModelOptions& o) {
  const Resolved r = resolve("mobilenet_v2", o, kImageNet, {Extra::width_mult});
  return std::make_shared<MobileNetV2>(r, o.width_mult.value_or(1.0));
}

}  // namespace cnn::models

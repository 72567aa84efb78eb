// MobileNetV1 (Howard et al. 2017, seeds 004) from the course's DepthwiseSeparableConv: width multiplier alpha
// and resolution multiplier rho. Not in torchvision, so its names are ours: features.N.depthwise, ..., fc.
#include <cnn/blocks.h>
#include <cnn/ops.h>

#include <cmath>

#include "models/zoo_util.h"
#include "nn/repr.h"

namespace cnn::models {

namespace {

/// rho does not change the network: it only sets the input it is designed for, which extra_repr prints.
class MobileNetV1 : public Module {
 public:
  MobileNetV1(const Resolved& r, double alpha, double rho) : alpha_(alpha), rho_(rho) {
    // (out channels, stride) of the 13 depthwise-separable layers, Table 1 of the paper.
    const std::pair<int64_t, int64_t> layers[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1},
                                                  {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1},
                                                  {512, 1}, {1024, 2}, {1024, 1}};
    auto width = [alpha](int64_t c) { return make_divisible(static_cast<double>(c) * alpha, 8); };
    auto features = register_module("features", std::make_shared<Sequential>());
    int64_t in = width(32);
    features->push_back(Conv2dNormActivation(r.in_channels, in, {.stride = 2}));
    for (const auto& [out, stride] : layers) {
      features->push_back(DepthwiseSeparableConv(in, width(out), 3, stride));
      in = width(out);
    }
    register_module("avgpool", AdaptiveAvgPool2d(1));
    register_module("fc", Linear(in, r.num_classes));
    init_like_torchvision(*this, nullptr);
  }

  Tensor forward(const Tensor& x) override {
    const Tensor y = call_children(*this, {"features", "avgpool"}, x);
    return call_child(*this, "fc", flatten(y, 1));
  }
  std::string type_name() const override { return "MobileNetV1"; }
  std::string extra_repr() const override {
    return fmt::format("alpha={}, rho={} (designed for {}x{} inputs)", repr::py_float(alpha_), repr::py_float(rho_),
                       input_size(rho_), input_size(rho_));
  }
  static int64_t input_size(double rho) { return std::lround(224 * rho); }

 private:
  double alpha_, rho_;
};

}  // namespace

ModulePtr mobilenet_v1(const ModelOptions& o) {
  const Resolved r = resolve("mobilenet_v1", o, kImageNet, {Extra::width_mult, Extra::resolution_mult});
  return std::make_shared<MobileNetV1>(r, o.width_mult.value_or(1.0), o.resolution_mult.value_or(1.0));
}

}  // namespace cnn::models

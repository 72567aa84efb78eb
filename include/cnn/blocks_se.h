// Squeeze-and-excitation: channel weights from a global average, multiplied back onto the input.
// Two spellings with different parameter names: the course's SEBlock (Linear layers, seeds 001 §5.3) and
// torchvision's SqueezeExcitation (1x1 convolutions with bias, as in EfficientNet and MobileNetV3).
#pragma once

#include <cnn/nn.h>

#include <functional>

namespace cnn {

/// Builds a fresh layer each call, as PyTorch's activation_layer=nn.SiLU. Usage: .activation_layer = layer<SiLU>
using LayerFactory = std::function<ModulePtr()>;
template <class M>
ModulePtr layer() {
  return std::make_shared<M>();
}

/// The course's SEBlock: squeeze AdaptiveAvgPool2d(1), excitation Sequential(Linear(C, C/r, bias=False), ReLU,
/// Linear(C/r, C, bias=False), Sigmoid); x * weights. Usage: SEBlock(64, 16)
class SEBlock : public Module {
 public:
  explicit SEBlock(int64_t channels, int64_t reduction = 16);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SEBlock"; }
  Shape output_shape(const Shape& in) const override { return in; }
};

/// torchvision.ops.SqueezeExcitation: avgpool, fc1 Conv2d(C, S, 1), activation, fc2 Conv2d(S, C, 1),
/// scale_activation (Sigmoid); x * scale. Usage: SqueezeExcitation(96, 4, layer<SiLU>)
class SqueezeExcitation : public Module {
 public:
  SqueezeExcitation(int64_t input_channels, int64_t squeeze_channels, const LayerFactory& activation = layer<ReLU>,
                    const LayerFactory& scale_activation = layer<Sigmoid>);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SqueezeExcitation"; }
  Shape output_shape(const Shape& in) const override { return in; }
};

}  // namespace cnn

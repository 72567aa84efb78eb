// SEBlock (the course's, with Linear layers) and SqueezeExcitation (torchvision's, with 1x1 convolutions).
// Not the blocks that use them (resnet_blocks.cpp, mobile_blocks.cpp).
#include <cnn/blocks_se.h>
#include <cnn/ops.h>

namespace cnn {

SEBlock::SEBlock(int64_t channels, int64_t reduction) {
  CNN_CHECK(channels > 0 && reduction > 0 && channels / reduction > 0,
            "SEBlock: channels ({}) / reduction ({}) must be at least 1", channels, reduction);
  register_module("squeeze", AdaptiveAvgPool2d(1));
  register_module("excitation", Sequential(Linear(channels, channels / reduction, {.bias = false}), ReLU(),
                                           Linear(channels / reduction, channels, {.bias = false}), Sigmoid()));
}

Tensor SEBlock::forward(const Tensor& x) {
  CNN_CHECK(x.dim() == 4, "SEBlock: expected input [N, C, H, W], got {}", x.shape());
  const int64_t n = x.size(0), c = x.size(1);
  Tensor y = (*child("squeeze"))(x).reshape({n, c});
  y = (*child("excitation"))(y).reshape({n, c, 1, 1});
  return mul(x, y);
}

SqueezeExcitation::SqueezeExcitation(int64_t input_channels, int64_t squeeze_channels, const LayerFactory& activation,
                                     const LayerFactory& scale_activation) {
  CNN_CHECK(activation && scale_activation, "SqueezeExcitation({}, {}): activation layers must be given",
            input_channels, squeeze_channels);
  register_module("avgpool", AdaptiveAvgPool2d(1));
  register_module("fc1", Conv2d(input_channels, squeeze_channels, {.kernel_size = 1}));
  register_module("fc2", Conv2d(squeeze_channels, input_channels, {.kernel_size = 1}));
  register_module("activation", activation());
  register_module("scale_activation", scale_activation());
}

Tensor SqueezeExcitation::forward(const Tensor& x) {
  Tensor scale = (*child("avgpool"))(x);
  scale = (*child("activation"))((*child("fc1"))(scale));
  scale = (*child("scale_activation"))((*child("fc2"))(scale));
  return mul(scale, x);
}

}  // namespace cnn

// Network-in-Network (Lin, Chen and Yan 2014) for CIFAR-10, after the authors' Caffe model: mlpconv blocks of
// one k x k and two 1x1 convolutions, no fully connected layer. Not in torchvision: the names are ours.
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

/// An mlpconv block: Conv2d(in, c1, k, padding k/2), ReLU, Conv2d(c1, c2, 1), ReLU, Conv2d(c2, c3, 1), ReLU.
Sequential mlpconv(int64_t in, int64_t c1, int64_t c2, int64_t c3, int64_t k) {
  return Sequential(Conv2d(in, c1, {.kernel_size = k, .padding = k / 2}), ReLU(), Conv2d(c1, c2, {.kernel_size = 1}),
                    ReLU(), Conv2d(c2, c3, {.kernel_size = 1}), ReLU());
}

/// features: mlpconv(192, 160, 96; 5x5), max-pool 3/2, dropout, mlpconv(192, 192, 192; 5x5), avg-pool 3/2,
/// dropout, mlpconv(192, 192, K; 3x3); then global average pooling gives the K class scores.
class NiN : public Module {
 public:
  explicit NiN(const Resolved& r) {
    const bool ceil = true;  // Caffe's pooling rounds up: 32 -> 16 -> 8
    register_module("features",
                    Sequential(mlpconv(r.in_channels, 192, 160, 96, 5),
                               MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = ceil}),
                               Dropout(0.5), mlpconv(96, 192, 192, 192, 5),
                               AvgPool2d(AvgPool2dOptions{.kernel_size = 3, .stride = 2, .ceil_mode = ceil}),
                               Dropout(0.5), mlpconv(192, 192, 192, r.num_classes, 3)));
    register_module("avgpool", AdaptiveAvgPool2d(1));
    register_module("flatten", Flatten());
  }
  Tensor forward(const Tensor& x) override { return call_children(*this, {"features", "avgpool", "flatten"}, x); }
  std::string type_name() const override { return "NiN"; }
};

}  // namespace

ModulePtr nin(const ModelOptions& o) { return std::make_shared<NiN>(resolve("nin", o, kCifar)); }

}  // namespace cnn::models

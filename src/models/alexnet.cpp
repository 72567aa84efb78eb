// AlexNet twice: torchvision's single-GPU variant, and the original two-GPU network of Krizhevsky et al. 2012
// with grouped convolutions and local response normalisation. Not the training recipe.
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

MaxPool2d pool() { return MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 2}); }

Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t padding, int64_t groups = 1) {
  return Conv2d(in, out, {.kernel_size = k, .stride = stride, .padding = padding, .groups = groups});
}

/// features, avgpool (adaptive, 6x6), classifier; forward: features, avgpool, flatten, classifier.
class AlexNet : public Module {
 public:
  AlexNet(std::shared_ptr<Sequential> features, int64_t channels, int64_t num_classes) {
    register_module("features", std::move(features));
    register_module("avgpool", AdaptiveAvgPool2d(Pair2{6, 6}));
    register_module("classifier", Sequential(Dropout(0.5), Linear(channels * 6 * 6, 4096), ReLU(), Dropout(0.5),
                                             Linear(4096, 4096), ReLU(), Linear(4096, num_classes)));
  }
  Tensor forward(const Tensor& x) override {
    const Tensor y = call_children(*this, {"features", "avgpool"}, x);
    return call_child(*this, "classifier", flatten(y, 1));
  }
  std::string type_name() const override { return "AlexNet"; }
};

}  // namespace

ModulePtr alexnet(const ModelOptions& o) {
  const Resolved r = resolve("alexnet", o, kImageNet);
  auto features = std::make_shared<Sequential>(
      conv(r.in_channels, 64, 11, 4, 2), ReLU(), pool(), conv(64, 192, 5, 1, 2), ReLU(), pool(),
      conv(192, 384, 3, 1, 1), ReLU(), conv(384, 256, 3, 1, 1), ReLU(), conv(256, 256, 3, 1, 1), ReLU(), pool());
  return std::make_shared<AlexNet>(features, 256, r.num_classes);
}

ModulePtr alexnet_original(const ModelOptions& o) {
  const Resolved r = resolve("alexnet_original", o, kImageNet);
  // PyTorch's LocalResponseNorm divides alpha by size, as Caffe's bvlc_alexnet (alpha=1e-4, local_size=5).
  auto lrn = [] { return LocalResponseNorm(5, {.alpha = 1e-4, .beta = 0.75, .k = 2.0}); };
  auto features = std::make_shared<Sequential>(
      conv(r.in_channels, 96, 11, 4, 2), ReLU(), lrn(), pool(), conv(96, 256, 5, 1, 2, 2), ReLU(), lrn(), pool(),
      conv(256, 384, 3, 1, 1), ReLU(), conv(384, 384, 3, 1, 1, 2), ReLU(), conv(384, 256, 3, 1, 1, 2), ReLU(), pool());
  auto model = std::make_shared<AlexNet>(features, 256, r.num_classes);
  // The paper's initialisation: weights N(0, 0.01); biases 1 in conv2, conv4, conv5 and the hidden fc layers.
  const auto params = model->named_parameters();
  for (const auto& [name, p] : params) {
    if (p.dim() > 1) init::normal_(p, 0.0, 0.01);
    const bool one = name == "features.4.bias" || name == "features.10.bias" || name == "features.12.bias" ||
                     name == "classifier.1.bias" || name == "classifier.4.bias";
    if (p.dim() == 1) init::constant_(p, one ? 1.0 : 0.0);
  }
  return model;
}

}  // namespace cnn::models

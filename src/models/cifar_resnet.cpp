// He et al. 2016's CIFAR-10 networks (§4.2): ResNet-20/32/44/56/110 and the plain nets of the same depth
// (6n + 2 layers: a 3x3 conv, three stages of n two-conv blocks on 16, 32, 64 channels, global average pooling,
// fc). Shortcuts are their option A: identity, subsampled and zero-padded where the shape changes, so a ResNet and
// its plain twin have exactly the same parameters. Not torchvision's ImageNet ResNets (resnet.cpp).
#include <cnn/nn.h>
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

/// conv1 3x3 (stride), bn1, relu, conv2 3x3, bn2, [+ shortcut], relu.
class CifarBlock : public Module {
 public:
  CifarBlock(int64_t in, int64_t out, int64_t stride, bool residual)
      : in_(in), out_(out), stride_(stride), residual_(residual) {
    register_module("conv1", Conv2d(in, out, {.kernel_size = 3, .stride = stride, .padding = 1, .bias = false}));
    register_module("bn1", BatchNorm2d(out));
    register_module("conv2", Conv2d(out, out, {.kernel_size = 3, .padding = 1, .bias = false}));
    register_module("bn2", BatchNorm2d(out));
  }

  Tensor forward(const Tensor& x) override {
    Tensor y = relu(call_children(*this, {"conv1", "bn1"}, x));
    y = call_children(*this, {"conv2", "bn2"}, y);
    return relu(residual_ ? y + shortcut(x) : y);
  }
  std::string type_name() const override { return residual_ ? "BasicBlock" : "PlainBlock"; }
  std::string extra_repr() const override {
    return residual_ && (stride_ != 1 || in_ != out_) ? "(shortcut): option A (subsample, zero-pad channels)" : "";
  }

 private:
  // Option A: x[:, :, ::stride, ::stride] with (out - in) / 2 zero channels on each side, as the paper's CIFAR
  // networks (and the common PyTorch reimplementations) do.
  Tensor shortcut(const Tensor& x) const {
    if (stride_ == 1 && in_ == out_) return x;
    Tensor s = x.slice(2, 0, x.size(2), stride_).slice(3, 0, x.size(3), stride_);
    const int64_t pad = (out_ - in_) / 2;
    const Tensor zero = zeros({s.size(0), pad, s.size(2), s.size(3)}, s.dtype());
    return cat({zero, s, zero}, 1);
  }

  int64_t in_, out_, stride_;
  bool residual_;
};

class CifarResNet : public Module {
 public:
  CifarResNet(int64_t depth, bool residual, const Resolved& r) : depth_(depth), residual_(residual) {
    const int64_t n = (depth - 2) / 6;
    register_module("conv1", Conv2d(r.in_channels, 16, {.kernel_size = 3, .padding = 1, .bias = false}));
    register_module("bn1", BatchNorm2d(16));
    int64_t in = 16;
    for (int64_t stage = 0; stage < 3; ++stage) {
      const int64_t out = int64_t{16} << stage;
      auto layer = register_module("layer" + std::to_string(stage + 1), std::make_shared<Sequential>());
      for (int64_t b = 0; b < n; ++b) {
        layer->push_back(std::make_shared<CifarBlock>(in, out, b == 0 && stage > 0 ? 2 : 1, residual));
        in = out;
      }
    }
    register_module("avgpool", AdaptiveAvgPool2d(Pair2{1, 1}));
    register_module("fc", Linear(64, r.num_classes));
    // He et al.'s initialisation [13] for every conv and the fc; BN weight 1, bias 0 (PyTorch's default).
    for (auto& [unused, m] : named_modules())
      if (auto* conv = dynamic_cast<Conv2d*>(m)) init::kaiming_normal_(conv->weight, {.mode = "fan_in", .nonlinearity = "relu"});
      else if (auto* fc = dynamic_cast<Linear*>(m)) init::kaiming_normal_(fc->weight, {.mode = "fan_in", .nonlinearity = "relu"});
  }

  Tensor forward(const Tensor& x) override {
    Tensor y = relu(call_children(*this, {"conv1", "bn1"}, x));
    y = call_children(*this, {"layer1", "layer2", "layer3", "avgpool"}, y);
    return call_child(*this, "fc", flatten(y, 1));
  }
  std::string type_name() const override { return residual_ ? "ResNet" : "PlainNet"; }
  std::string extra_repr() const override { return fmt::format("depth={}", depth_); }

 private:
  int64_t depth_;
  bool residual_;
};

}  // namespace

ModulePtr cifar_resnet(int64_t depth, bool residual, const ModelOptions& o) {
  const std::string name = fmt::format("{}{}", residual ? "resnet" : "plain", depth);
  CNN_CHECK(depth >= 8 && (depth - 2) % 6 == 0, "{}: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110), got {}",
            name, depth);
  return std::make_shared<CifarResNet>(depth, residual, resolve(name, o, kCifar));
}

}  // namespace cnn::models

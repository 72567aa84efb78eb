// BasicBlock, Bottleneck, SEBasicBlock and the exercise's ConvBottleneck: children, shortcut and forward.
// Not the ResNet models (src/models/resnet.cpp) nor their initialisation.
#include <cnn/blocks_resnet.h>
#include <cnn/ops.h>

namespace cnn {

namespace {

Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1, int64_t groups = 1) {
  return Conv2d(in, out, {.kernel_size = 3, .stride = stride, .padding = 1, .groups = groups, .bias = false});
}
Conv2d conv1x1(int64_t in, int64_t out, int64_t stride = 1) {
  return Conv2d(in, out, {.kernel_size = 1, .stride = stride, .bias = false});
}

}  // namespace

ResidualBlock::ResidualBlock(int64_t in_channels, int64_t out_channels, int64_t stride, BlockNaming naming)
    : in_channels_(in_channels), out_channels_(out_channels), stride_(stride), naming_(naming) {
  CNN_CHECK(in_channels > 0 && out_channels > 0 && stride > 0,
            "residual block: expected positive channels and stride, got in={} out={} stride={}", in_channels,
            out_channels, stride);
}

void ResidualBlock::add_shortcut() {
  const bool project = stride_ != 1 || in_channels_ != out_channels_;
  const std::string name = naming_ == BlockNaming::torchvision ? "downsample" : "shortcut";
  if (!project && naming_ == BlockNaming::torchvision) return;
  auto seq = std::make_shared<Sequential>();
  if (project) {
    seq->push_back(conv1x1(in_channels_, out_channels_, stride_));
    seq->push_back(BatchNorm2d(out_channels_));
  }
  shortcut_ = register_module(name, seq);
}

Tensor ResidualBlock::finish(const Tensor& out, const Tensor& x) {
  const Tensor identity = shortcut_ ? (*shortcut_)(x) : x;
  return relu(add(out, identity));
}

Shape ResidualBlock::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() == 4 && in[1] == in_channels_, "{}: expected input [N, {}, H, W], got {}", type_name(),
            in_channels_, in);
  return {in[0], out_channels_, (in[2] - 1) / stride_ + 1, (in[3] - 1) / stride_ + 1};
}

BasicBlock::BasicBlock(int64_t inplanes, int64_t planes, const ResidualBlockOptions& options)
    : ResidualBlock(inplanes, planes * expansion, options.stride, options.naming) {
  CNN_CHECK(options.groups == 1 && options.base_width == 64,
            "BasicBlock only supports groups=1 and base_width=64, got groups={} base_width={}", options.groups,
            options.base_width);
  conv1 = register_module("conv1", conv3x3(inplanes, planes, options.stride));
  bn1 = register_module("bn1", BatchNorm2d(planes));
  if (naming_ == BlockNaming::torchvision) register_module("relu", ReLU());
  conv2 = register_module("conv2", conv3x3(planes, planes));
  bn2 = register_module("bn2", BatchNorm2d(planes));
  add_shortcut();
}

Tensor BasicBlock::forward(const Tensor& x) {
  Tensor out = relu((*bn1)((*conv1)(x)));
  out = (*bn2)((*conv2)(out));
  return finish(out, x);
}

Bottleneck::Bottleneck(int64_t inplanes, int64_t planes, const ResidualBlockOptions& options)
    : ResidualBlock(inplanes, planes * expansion, options.stride, options.naming) {
  CNN_CHECK(options.groups > 0 && options.base_width > 0, "Bottleneck: groups ({}) and base_width ({}) must be "
            "positive", options.groups, options.base_width);
  const double scale = static_cast<double>(options.base_width) / 64.0;
  const int64_t width = static_cast<int64_t>(static_cast<double>(planes) * scale) * options.groups;
  conv1 = register_module("conv1", conv1x1(inplanes, width));
  bn1 = register_module("bn1", BatchNorm2d(width));
  conv2 = register_module("conv2", conv3x3(width, width, options.stride, options.groups));
  bn2 = register_module("bn2", BatchNorm2d(width));
  conv3 = register_module("conv3", conv1x1(width, planes * expansion));
  bn3 = register_module("bn3", BatchNorm2d(planes * expansion));
  if (naming_ == BlockNaming::torchvision) register_module("relu", ReLU());
  add_shortcut();
}

Tensor Bottleneck::forward(const Tensor& x) {
  Tensor out = relu((*bn1)((*conv1)(x)));
  out = relu((*bn2)((*conv2)(out)));
  out = (*bn3)((*conv3)(out));
  return finish(out, x);
}

SEBasicBlock::SEBasicBlock(int64_t in_channels, int64_t out_channels, const ResidualBlockOptions& options,
                           int64_t reduction)
    : ResidualBlock(in_channels, out_channels, options.stride, BlockNaming::course) {
  CNN_CHECK(options.groups == 1 && options.base_width == 64,
            "SEBasicBlock takes only .stride (the course's block, always with its names), got groups={} base_width={}",
            options.groups, options.base_width);
  conv1 = register_module("conv1", conv3x3(in_channels, out_channels, options.stride));
  bn1 = register_module("bn1", BatchNorm2d(out_channels));
  conv2 = register_module("conv2", conv3x3(out_channels, out_channels));
  bn2 = register_module("bn2", BatchNorm2d(out_channels));
  se = register_module("se", SEBlock(out_channels, reduction));
  add_shortcut();
}

Tensor SEBasicBlock::forward(const Tensor& x) {
  Tensor out = relu((*bn1)((*conv1)(x)));
  out = (*se)((*bn2)((*conv2)(out)));
  return finish(out, x);
}

ConvBottleneck::ConvBottleneck(int64_t in_channels, int64_t mid_channels, int64_t out_channels) {
  push_back("reduce", Conv2d(in_channels, mid_channels, {.kernel_size = 1}));
  push_back("relu1", ReLU());
  push_back("conv", Conv2d(mid_channels, mid_channels, {.kernel_size = 3, .padding = 1}));
  push_back("relu2", ReLU());
  push_back("expand", Conv2d(mid_channels, out_channels, {.kernel_size = 1}));
}

}  // namespace cnn

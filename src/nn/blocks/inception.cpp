// BasicConv2d, Inception and InceptionAux: GoogLeNet's blocks with torchvision's names.
// Not the GoogLeNet model (src/models/googlenet.cpp).
#include <cnn/blocks_inception.h>
#include <cnn/ops.h>

namespace cnn {

BasicConv2d::BasicConv2d(int64_t in_channels, int64_t out_channels, const Conv2dLayerOptions& options) {
  Conv2dLayerOptions o = options;
  o.bias = false;
  conv = register_module("conv", Conv2d(in_channels, out_channels, o));
  bn = register_module("bn", BatchNorm2d(out_channels, {.eps = 0.001}));
}

Tensor BasicConv2d::forward(const Tensor& x) { return relu((*bn)((*conv)(x))); }

Inception::Inception(int64_t in_channels, const InceptionChannels& c, const InceptionOptions& o)
    : out_channels_(c.ch1x1 + c.ch3x3 + c.ch5x5 + c.pool_proj) {
  const int64_t k = o.branch3_kernel;
  CNN_CHECK(k == 3 || k == 5, "Inception: branch3_kernel must be 3 (torchvision) or 5 (the paper's 5x5), got {}", k);
  branch1_ = register_module("branch1", BasicConv2d(in_channels, c.ch1x1, {.kernel_size = 1}));
  branch2_ = register_module("branch2", Sequential(BasicConv2d(in_channels, c.ch3x3red, {.kernel_size = 1}),
                                                   BasicConv2d(c.ch3x3red, c.ch3x3, {.kernel_size = 3, .padding = 1})));
  branch3_ = register_module("branch3", Sequential(BasicConv2d(in_channels, c.ch5x5red, {.kernel_size = 1}),
                                                   BasicConv2d(c.ch5x5red, c.ch5x5,
                                                               {.kernel_size = k, .padding = k / 2})));
  branch4_ = register_module(
      "branch4", Sequential(MaxPool2d(MaxPool2dOptions{.kernel_size = 3, .stride = 1, .padding = 1, .ceil_mode = true}),
                            BasicConv2d(in_channels, c.pool_proj, {.kernel_size = 1})));
}

Tensor Inception::forward(const Tensor& x) {
  return cat({(*branch1_)(x), (*branch2_)(x), (*branch3_)(x), (*branch4_)(x)}, 1);
}

InceptionAux::InceptionAux(int64_t in_channels, int64_t num_classes, double dropout) {
  conv_ = register_module("conv", BasicConv2d(in_channels, 128, {.kernel_size = 1}));
  fc1_ = register_module("fc1", Linear(2048, 1024));
  fc2_ = register_module("fc2", Linear(1024, num_classes));
  dropout_ = register_module("dropout", Dropout(dropout));
}

Tensor InceptionAux::forward(const Tensor& x) {
  Tensor out = (*conv_)(adaptive_avg_pool2d(x, {4, 4}));
  out = relu((*fc1_)(flatten(out, 1)));
  return (*fc2_)((*dropout_)(out));
}

}  // namespace cnn

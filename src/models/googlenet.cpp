// GoogLeNet as torchvision.models.googlenet (transform_input=False): stem, nine Inception modules, optional
// auxiliary classifiers and truncated-normal initialisation; kwarg branch3_kernel=5 gives the paper's 5x5
// convolutions. Not the blocks (nn/blocks/inception.cpp).
#include <cnn/blocks.h>
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

MaxPool2d pool(int64_t kernel, int64_t stride) {
  return MaxPool2d(MaxPool2dOptions{.kernel_size = kernel, .stride = stride, .ceil_mode = true});
}

// The model kwargs: branch3_kernel=3 (torchvision's, the default) or 5 (the paper's 5x5 convolutions).
InceptionOptions inception_options(const std::map<std::string, std::string>& kwargs) {
  InceptionOptions o;
  for (const auto& [key, value] : kwargs) {
    CNN_CHECK(key == "branch3_kernel", "googlenet: unknown option \"{}\" (options: branch3_kernel)", key);
    CNN_CHECK(value == "3" || value == "5",
              "googlenet: branch3_kernel must be 3 (torchvision) or 5 (the paper's 5x5), got \"{}\"", value);
    o.branch3_kernel = value == "5" ? 5 : 3;
  }
  return o;
}

}  // namespace

GoogLeNet::GoogLeNet(const ModelOptions& o) {
  const Resolved r = resolve("googlenet", o, kImageNet, {Extra::aux_logits, Extra::kwargs});
  const InceptionOptions io = inception_options(o.kwargs);
  register_module("conv1", BasicConv2d(r.in_channels, 64, {.kernel_size = 7, .stride = 2, .padding = 3}));
  register_module("maxpool1", pool(3, 2));
  register_module("conv2", BasicConv2d(64, 64, {.kernel_size = 1}));
  register_module("conv3", BasicConv2d(64, 192, {.kernel_size = 3, .padding = 1}));
  register_module("maxpool2", pool(3, 2));
  register_module("inception3a", Inception(192, {64, 96, 128, 16, 32, 32}, io));
  register_module("inception3b", Inception(256, {128, 128, 192, 32, 96, 64}, io));
  register_module("maxpool3", pool(3, 2));
  register_module("inception4a", Inception(480, {192, 96, 208, 16, 48, 64}, io));
  register_module("inception4b", Inception(512, {160, 112, 224, 24, 64, 64}, io));
  register_module("inception4c", Inception(512, {128, 128, 256, 24, 64, 64}, io));
  register_module("inception4d", Inception(512, {112, 144, 288, 32, 64, 64}, io));
  register_module("inception4e", Inception(528, {256, 160, 320, 32, 128, 128}, io));
  register_module("maxpool4", pool(2, 2));
  register_module("inception5a", Inception(832, {256, 160, 320, 32, 128, 128}, io));
  register_module("inception5b", Inception(832, {384, 192, 384, 48, 128, 128}, io));
  if (o.aux_logits) {
    register_module("aux1", InceptionAux(512, r.num_classes));
    register_module("aux2", InceptionAux(528, r.num_classes));
  }
  register_module("avgpool", AdaptiveAvgPool2d(Pair2{1, 1}));
  register_module("dropout", Dropout(0.2));
  register_module("fc", Linear(1024, r.num_classes));
  apply([](Module& m) {
    if (auto* conv = dynamic_cast<Conv2d*>(&m)) init::trunc_normal_(conv->weight, 0.0, 0.01, -2, 2);
    if (auto* fc = dynamic_cast<Linear*>(&m)) init::trunc_normal_(fc->weight, 0.0, 0.01, -2, 2);
  });
}

GoogLeNet::Outputs GoogLeNet::forward_with_aux(const Tensor& x) {
  const bool aux = is_training() && named_children().contains("aux1");
  Outputs out;
  Tensor y = call_children(*this, {"conv1", "maxpool1", "conv2", "conv3", "maxpool2", "inception3a", "inception3b",
                                   "maxpool3", "inception4a"}, x);
  if (aux) out.aux_logits1 = call_child(*this, "aux1", y);
  y = call_children(*this, {"inception4b", "inception4c", "inception4d"}, y);
  if (aux) out.aux_logits2 = call_child(*this, "aux2", y);
  y = call_children(*this, {"inception4e", "maxpool4", "inception5a", "inception5b", "avgpool"}, y);
  out.logits = call_children(*this, {"dropout", "fc"}, flatten(y, 1));
  return out;
}

Tensor GoogLeNet::forward(const Tensor& x) { return forward_with_aux(x).logits; }

TrainOutputs GoogLeNet::forward_train(const Tensor& x) {
  Outputs out = forward_with_aux(x);
  TrainOutputs train{.logits = out.logits, .aux = {}};
  for (const Tensor& aux : {out.aux_logits1, out.aux_logits2})
    if (aux.defined()) train.aux.push_back({.logits = aux, .weight = kAuxLossWeight});
  return train;
}

std::shared_ptr<GoogLeNet> googlenet(const ModelOptions& o) { return std::make_shared<GoogLeNet>(o); }

}  // namespace cnn::models

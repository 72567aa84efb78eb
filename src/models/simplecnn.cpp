// SimpleCNN (the course's MNIST model) and LeNet-5.
// Not a model zoo: larger architectures get their own files next to this one.
#include <cnn/models.h>
#include <cnn/ops.h>

#include "models/zoo_util.h"

namespace cnn::models {

Tensor call_layer(const std::string& name, Module& layer, const Tensor& x) {
  try {
    return layer(x);
  } catch (const Error& e) {
    throw Error(fmt::format("{} ({}): {}", name, layer.type_name(), e.what()));
  }
}

SimpleCNN::SimpleCNN(const ModelOptions& o) {
  const Resolved options = resolve("SimpleCNN", o, kMnist);
  conv1 = register_module("conv1", Conv2d(options.in_channels, 32, {.kernel_size = 3, .padding = 1}));
  conv2 = register_module("conv2", Conv2d(32, 64, {.kernel_size = 3, .padding = 1}));
  pool = register_module("pool", MaxPool2d(MaxPool2dOptions{.kernel_size = 2, .stride = 2}));
  fc1 = register_module("fc1", Linear(64 * 7 * 7, 128));
  fc2 = register_module("fc2", Linear(128, options.num_classes));
  relu = register_module("relu", ReLU());
}

Tensor SimpleCNN::forward(const Tensor& input) {
  Tensor x = call_children(*this, {"conv1", "relu", "pool", "conv2", "relu", "pool"}, input);
  return call_children(*this, {"fc1", "relu", "fc2"}, flatten(x, 1));
}

void SimpleCNN::child_registered(const std::string& name, const ModulePtr& module) {
  if (name == "conv1") conv1 = std::dynamic_pointer_cast<Conv2d>(module);
  if (name == "conv2") conv2 = std::dynamic_pointer_cast<Conv2d>(module);
  if (name == "pool") pool = std::dynamic_pointer_cast<MaxPool2d>(module);
  if (name == "fc1") fc1 = std::dynamic_pointer_cast<Linear>(module);
  if (name == "fc2") fc2 = std::dynamic_pointer_cast<Linear>(module);
  if (name == "relu") relu = std::dynamic_pointer_cast<ReLU>(module);
}

LeNet5::LeNet5(const ModelOptions& o) {
  const Resolved options = resolve("LeNet5", o, kMnist);
  features =
      register_module("features", Sequential(Conv2d(options.in_channels, 6, {.kernel_size = 5, .padding = 2}), ReLU(),
                                             MaxPool2d(2), Conv2d(6, 16, {.kernel_size = 5}), ReLU(), MaxPool2d(2)));
  classifier = register_module("classifier", Sequential(Linear(16 * 5 * 5, 120), ReLU(), Linear(120, 84), ReLU(),
                                                        Linear(84, options.num_classes)));
}

Tensor LeNet5::forward(const Tensor& input) {
  Tensor x = input;
  for (const auto& [name, layer] : features->named_children()) x = call_layer("features." + name, *layer, x);
  x = flatten(x, 1);
  for (const auto& [name, layer] : classifier->named_children()) x = call_layer("classifier." + name, *layer, x);
  return x;
}

void LeNet5::child_registered(const std::string& name, const ModulePtr& module) {
  if (name == "features") features = std::dynamic_pointer_cast<Sequential>(module);
  if (name == "classifier") classifier = std::dynamic_pointer_cast<Sequential>(module);
}

std::shared_ptr<SimpleCNN> simplecnn(const ModelOptions& options) { return std::make_shared<SimpleCNN>(options); }
std::shared_ptr<LeNet5> lenet5(const ModelOptions& options) { return std::make_shared<LeNet5>(options); }

}  // namespace cnn::models

// Models: the course's SimpleCNN and LeNet-5, and a registry to build any model by name.
// Not layers (layers.h) nor training (train.h): each model is an ordinary Module composed at run time.
#pragma once

#include <cnn/nn.h>

#include <memory>
#include <string>
#include <vector>

namespace cnn::models {

/// What every model takes, as timm's create_model(name, num_classes=, in_chans=).
struct ModelOptions {
  int64_t num_classes = 10;
  int64_t in_channels = 1;
};

/// The course's MNIST model (seeds 002 §8.1); 421,642 parameters for 1x28x28 inputs and 10 classes.
/// Children in PyTorch's order: conv1, conv2, pool, fc1, fc2, relu. fc1 expects 64 x 7 x 7 features,
/// so inputs are 28x28. Forward: pool(relu(conv1)), pool(relu(conv2)), flatten, relu(fc1), fc2.
class SimpleCNN : public Module {
 public:
  explicit SimpleCNN(const ModelOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SimpleCNN"; }

  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<MaxPool2d> pool;
  std::shared_ptr<Linear> fc1, fc2;
  std::shared_ptr<ReLU> relu;
};

/// LeNet-5 as common PyTorch code writes it for 28x28 inputs: 61,706 parameters with 10 classes.
/// features: Conv2d(in, 6, 5, padding=2), ReLU, MaxPool2d(2), Conv2d(6, 16, 5), ReLU, MaxPool2d(2);
/// classifier: Linear(400, 120), ReLU, Linear(120, 84), ReLU, Linear(84, num_classes).
/// Max pooling and ReLU, as PyTorch tutorials do (the 1998 paper subsampled by trainable averages, with tanh).
class LeNet5 : public Module {
 public:
  explicit LeNet5(const ModelOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LeNet5"; }

  std::shared_ptr<Sequential> features, classifier;
};

std::shared_ptr<SimpleCNN> simplecnn(const ModelOptions& options = {});
std::shared_ptr<LeNet5> lenet5(const ModelOptions& options = {});

/// Builds a model by its registry name. Usage: auto model = models::create("simplecnn", {.num_classes = 10});
/// Throws cnn::Error listing names() for an unknown name.
ModulePtr create(const std::string& name, const ModelOptions& options = {});
/// The registered names, sorted.
std::vector<std::string> names();
/// The input [C, H, W] a model is designed for (what `cnn summary` uses without --input).
Shape default_input_shape(const std::string& name, const ModelOptions& options = {});

/// Runs `layer` on x; a cnn::Error from inside gains the prefix "NAME (Type): ", so messages name the layer
/// that failed (e.g. "conv1 (Conv2d): conv2d: expected input with 1 channels ...").
Tensor call_layer(const std::string& name, Module& layer, const Tensor& x);

}  // namespace cnn::models

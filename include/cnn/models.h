// Models: the course's SimpleCNN and LeNet-5, the options every model takes, and a registry to build any model by
// name. Not layers (layers.h) nor training (train.h): each model is an ordinary Module composed at run time.
// The model zoo (ResNet, VGG, MobileNet, ...) is declared in models_zoo.h, included here.
#pragma once

#include <cnn/nn.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnn::models {

/// What every model takes, as timm's create_model(name, num_classes=, in_chans=, ...). Unset fields mean the
/// model's own default; a model refuses the fields it has no use for (e.g. width_mult for resnet18).
/// Usage: models::resnet18({.num_classes = 10, .cifar_stem = true})
struct ModelOptions {
  /// Classes of the last layer; unset: 1000 for the ImageNet models, 10 for the CIFAR and MNIST ones.
  std::optional<int64_t> num_classes{};
  /// Input channels; unset: 3 (1 for the MNIST models simplecnn and lenet5).
  std::optional<int64_t> in_channels{};
  /// Channel multiplier: mobilenet_v2's width_mult, mobilenet_v1's alpha. Unset: 1.0.
  std::optional<double> width_mult{};
  /// mobilenet_v1's resolution multiplier rho: the network is unchanged (same parameters); only the input it is
  /// designed for shrinks to round(224 * rho) (default_input_shape), and printing says so.
  std::optional<double> resolution_mult{};
  /// googlenet: also build the two auxiliary classifiers aux1, aux2 (torchvision's aux_logits; used in training).
  bool aux_logits = false;
  /// ResNets: a 3x3 stride-1 stem and no max-pool (maxpool becomes Identity), for 32x32 inputs.
  bool cifar_stem = false;
  /// Model-specific settings as key=value strings, as timm's --model-kwargs (plaincnn: depth, width, kernel,
  /// pool, bn, head, dropout, image_size; googlenet: branch3_kernel). Models without such settings refuse them.
  std::map<std::string, std::string> kwargs{};
};

/// The course's MNIST model (seeds 002 §8.1); 421,642 parameters for 1x28x28 inputs and 10 classes.
/// Children in PyTorch's order: conv1, conv2, pool, fc1, fc2, relu. fc1 expects 64 x 7 x 7 features,
/// so inputs are 28x28. Forward: pool(relu(conv1)), pool(relu(conv2)), flatten, relu(fc1), fc2.
class SimpleCNN : public Module {
 public:
  explicit SimpleCNN(const ModelOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SimpleCNN"; }

  /// The children as built; replace() updates them (null when the new child has another type).
  std::shared_ptr<Conv2d> conv1, conv2;
  std::shared_ptr<MaxPool2d> pool;
  std::shared_ptr<Linear> fc1, fc2;
  std::shared_ptr<ReLU> relu;

 protected:
  void child_registered(const std::string& name, const ModulePtr& module) override;
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

 protected:
  void child_registered(const std::string& name, const ModulePtr& module) override;
};

std::shared_ptr<SimpleCNN> simplecnn(const ModelOptions& options = {});
std::shared_ptr<LeNet5> lenet5(const ModelOptions& options = {});

/// The model's defaults filled in where `options` leaves them unset (num_classes, in_channels).
ModelOptions resolved_options(const std::string& name, const ModelOptions& options = {});

/// Builds a model by its registry name. Usage: auto model = models::create("simplecnn", {.num_classes = 10});
/// Throws cnn::Error listing names() for an unknown name.
ModulePtr create(const std::string& name, const ModelOptions& options = {});
/// The registered names, sorted.
std::vector<std::string> names();
/// The input [C, H, W] a model is designed for (what `cnn summary` uses without --input): 3x224x224 for the
/// ImageNet models (224*rho for mobilenet_v1), 3x32x32 for the CIFAR ones, 1x28x28 for simplecnn and lenet5.
Shape default_input_shape(const std::string& name, const ModelOptions& options = {});

/// The dotted name of the model's classifier: its last Linear layer, or a last 1x1 Conv2d (squeezenet). It is
/// what reset_classifier replaces and what `cnn finetune` calls the head. Throws when the model has neither.
std::string classifier_name(const Module& model);
/// Puts a freshly initialised classifier with num_classes outputs in place of the old one (timm's
/// reset_classifier; torchvision users write model.fc = nn.Linear(512, 10)) and returns its name.
std::string reset_classifier(Module& model, int64_t num_classes);

/// Freezes for transfer learning (Module::freeze): spec "backbone" freezes everything but the classifier
/// (classifier_name), "none" nothing, anything else is a freeze pattern ("layer1,layer2", "features.*").
/// freeze_bn_stats: the frozen batch norms also keep their running statistics. Returns the frozen parameter count.
int64_t freeze_backbone(Module& model, const std::string& spec = "backbone", bool freeze_bn_stats = false);

/// Runs `layer` on x; a cnn::Error from inside gains the prefix "NAME (Type): ", so messages name the layer
/// that failed (e.g. "conv1 (Conv2d): conv2d: expected input with 1 channels ...").
Tensor call_layer(const std::string& name, Module& layer, const Tensor& x);

}  // namespace cnn::models

#include <cnn/models_plain.h>
#include <cnn/models_zoo.h>

// The model registry: names to constructors and to the input each model is built for, as timm's create_model.
// Not the models themselves (one file per family beside this one).
#include <cnn/models.h>

#include <cmath>
#include <functional>
#include <map>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

struct Entry {
  std::function<ModulePtr(const ModelOptions&)> make;
  Defaults defaults;
};

template <class F>
Entry entry(F make, Defaults d) {
  return {[make](const ModelOptions& o) { return ModulePtr(make(o)); }, d};
}

const std::map<std::string, Entry>& registry() {
  static const std::map<std::string, Entry> entries{
      {"simplecnn", entry(simplecnn, kMnist)},
      {"lenet5", entry(lenet5, kMnist)},
      {"vgg11", entry(vgg11, kImageNet)},
      {"vgg11_bn", entry(vgg11_bn, kImageNet)},
      {"vgg13", entry(vgg13, kImageNet)},
      {"vgg13_bn", entry(vgg13_bn, kImageNet)},
      {"vgg16", entry(vgg16, kImageNet)},
      {"vgg16_bn", entry(vgg16_bn, kImageNet)},
      {"vgg19", entry(vgg19, kImageNet)},
      {"vgg19_bn", entry(vgg19_bn, kImageNet)},
      {"resnet18", entry(resnet18, kImageNet)},
      {"resnet34", entry(resnet34, kImageNet)},
      {"resnet50", entry(resnet50, kImageNet)},
      {"resnet101", entry(resnet101, kImageNet)},
      {"resnet152", entry(resnet152, kImageNet)},
      {"resnext50_32x4d", entry(resnext50_32x4d, kImageNet)},
      {"resnext101_32x8d", entry(resnext101_32x8d, kImageNet)},
      {"wide_resnet50_2", entry(wide_resnet50_2, kImageNet)},
      {"mobilenet_v2", entry(mobilenet_v2, kImageNet)},
      {"densenet121", entry(densenet121, kImageNet)},
      {"densenet161", entry(densenet161, kImageNet)},
      {"densenet169", entry(densenet169, kImageNet)},
      {"densenet201", entry(densenet201, kImageNet)},
      {"googlenet", entry(googlenet, kImageNet)},
      {"alexnet", entry(alexnet, kImageNet)},
      {"shufflenet_v2_x0_5", entry(shufflenet_v2_x0_5, kImageNet)},
      {"shufflenet_v2_x1_0", entry(shufflenet_v2_x1_0, kImageNet)},
      {"shufflenet_v2_x1_5", entry(shufflenet_v2_x1_5, kImageNet)},
      {"shufflenet_v2_x2_0", entry(shufflenet_v2_x2_0, kImageNet)},
      {"squeezenet1_0", entry(squeezenet1_0, kImageNet)},
      {"squeezenet1_1", entry(squeezenet1_1, kImageNet)},
      {"efficientnet_b0", entry(efficientnet_b0, kImageNet)},
      {"efficientnet_b1", entry(efficientnet_b1, {1000, 3, 240})},
      {"efficientnet_b2", entry(efficientnet_b2, {1000, 3, 260})},
      {"efficientnet_b3", entry(efficientnet_b3, {1000, 3, 300})},
      {"mobilenet_v1", entry(mobilenet_v1, kImageNet)},
      {"alexnet_original", entry(alexnet_original, kImageNet)},
      {"nin", entry(nin, kCifar)},
      {"simplecnn_cifar", entry(simplecnn_cifar, kCifar)},
      {"vgg_style", entry(vgg_style, kCifar)},
      {"resnet18_cifar", entry(resnet18_cifar, kCifar)},
      {"resnet34_cifar", entry(resnet34_cifar, kCifar)},
      {"resnet50_cifar", entry(resnet50_cifar, kCifar)},
      {"plaincnn", entry(plaincnn, kMnist)},
  };
  static const std::map<std::string, Entry> with_cifar_resnets = [] {
    std::map<std::string, Entry> all = entries;
    for (int64_t depth : {20, 32, 44, 56, 110})
      for (bool residual : {true, false})
        all.emplace(fmt::format("{}{}", residual ? "resnet" : "plain", depth),
                    entry([depth, residual](const ModelOptions& o) { return cifar_resnet(depth, residual, o); }, kCifar));
    return all;
  }();
  return with_cifar_resnets;
}

const Entry& find(const std::string& name) {
  auto it = registry().find(name);
  CNN_CHECK(it != registry().end(), "models: unknown model '{}'; available: {}", name, fmt::join(names(), ", "));
  return it->second;
}

}  // namespace

ModulePtr create(const std::string& name, const ModelOptions& options) { return find(name).make(options); }

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, entry] : registry()) out.push_back(name);
  return out;
}

ModelOptions resolved_options(const std::string& name, const ModelOptions& options) {
  const Defaults d = find(name).defaults;
  ModelOptions out = options;
  out.num_classes = options.num_classes.value_or(d.num_classes);
  out.in_channels = options.in_channels.value_or(d.in_channels);
  return out;
}

Shape default_input_shape(const std::string& name, const ModelOptions& options) {
  const Defaults d = find(name).defaults;
  const auto given = options.kwargs.find("image_size");
  const int64_t base = given != options.kwargs.end() ? std::stoll(given->second) : d.image_size;
  const int64_t size = std::lround(static_cast<double>(base) * options.resolution_mult.value_or(1.0));
  return Shape{options.in_channels.value_or(d.in_channels), size, size};
}

}  // namespace cnn::models

// Helpers shared by the model files: each model's defaults, refusing options a model does not take, calling a
// child by name (so errors name the layer and a replaced child is used), and torchvision's init loops.
// Internal to src/models; not a public API.
#pragma once

#include <cnn/init.h>
#include <cnn/models.h>

#include <functional>
#include <initializer_list>
#include <string>
#include <vector>

namespace cnn::models {

/// What a model is built for when ModelOptions leaves it open.
struct Defaults {
  int64_t num_classes, in_channels, image_size;
};
inline constexpr Defaults kImageNet{1000, 3, 224}, kCifar{10, 3, 32}, kMnist{10, 1, 28};

/// The ModelOptions fields beyond num_classes and in_channels.
enum class Extra { width_mult, resolution_mult, aux_logits, cifar_stem, kwargs };

/// num_classes and in_channels as given, else from `d`; throws naming the model when an Extra field is set that
/// `takes` does not list, or when a count is not positive.
struct Resolved {
  int64_t num_classes, in_channels;
};
Resolved resolve(const std::string& model, const ModelOptions& options, Defaults d,
                 std::initializer_list<Extra> takes = {});

/// Runs the child registered as `name` (see call_layer: errors gain "name (Type): ").
inline Tensor call_child(const Module& parent, const std::string& name, const Tensor& x) {
  return call_layer(name, *parent.child(name), x);
}

/// Runs children in registration order, each through call_child.
Tensor call_children(const Module& parent, const std::vector<std::string>& names, const Tensor& x);

/// The loop torchvision's VGG, ResNet, MobileNetV2, EfficientNet... run after building: every Conv2d weight
/// kaiming_normal_(fan_out, relu) with a zero bias; BatchNorm weight 1, bias 0; Linear by `linear` (nullptr keeps
/// PyTorch's default).
void init_like_torchvision(Module& model, const std::function<void(Linear&)>& linear);

}  // namespace cnn::models

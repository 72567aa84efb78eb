// The model helpers of zoo_util.h: option checks, calling children by name and torchvision's init loop.
// Not any particular model.
#include <algorithm>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

const char* extra_name(Extra e) {
  switch (e) {
    case Extra::width_mult: return "width_mult";
    case Extra::resolution_mult: return "resolution_mult";
    case Extra::aux_logits: return "aux_logits";
    case Extra::cifar_stem: return "cifar_stem";
    case Extra::kwargs: return "kwargs";
  }
  return "?";
}

}  // namespace

Resolved resolve(const std::string& model, const ModelOptions& o, Defaults d, std::initializer_list<Extra> takes) {
  auto taken = [&](Extra e) { return std::find(takes.begin(), takes.end(), e) != takes.end(); };
  const std::pair<Extra, bool> given[] = {{Extra::width_mult, o.width_mult.has_value()},
                                          {Extra::resolution_mult, o.resolution_mult.has_value()},
                                          {Extra::aux_logits, o.aux_logits},
                                          {Extra::cifar_stem, o.cifar_stem},
                                          {Extra::kwargs, !o.kwargs.empty()}};
  for (const auto& [extra, set] : given)
    CNN_CHECK(!set || taken(extra), "{}: the model does not take the option {}", model, extra_name(extra));
  const Resolved r{o.num_classes.value_or(d.num_classes), o.in_channels.value_or(d.in_channels)};
  CNN_CHECK(r.num_classes > 0 && r.in_channels > 0, "{}: num_classes and in_channels must be positive, got {} and {}",
            model, r.num_classes, r.in_channels);
  if (o.width_mult) CNN_CHECK(*o.width_mult > 0, "{}: width_mult must be positive, got {}", model, *o.width_mult);
  if (o.resolution_mult)
    CNN_CHECK(*o.resolution_mult > 0 && *o.resolution_mult <= 1, "{}: resolution_mult (rho) must be in (0, 1], got {}",
              model, *o.resolution_mult);
  return r;
}

Tensor call_children(const Module& parent, const std::vector<std::string>& names, const Tensor& x) {
  Tensor y = x;
  for (const auto& name : names) y = call_child(parent, name, y);
  return y;
}

void init_like_torchvision(Module& model, const std::function<void(Linear&)>& linear) {
  model.apply([&](Module& m) {
    if (auto* conv = dynamic_cast<Conv2d*>(&m)) {
      init::kaiming_normal_(conv->weight, {.mode = "fan_out", .nonlinearity = "relu"});
      if (conv->bias.defined()) init::zeros_(conv->bias);
    } else if (auto* bn = dynamic_cast<BatchNorm*>(&m)) {
      if (bn->weight.defined()) init::ones_(bn->weight);
      if (bn->bias.defined()) init::zeros_(bn->bias);
    } else if (auto* fc = dynamic_cast<Linear*>(&m)) {
      if (linear) linear(*fc);
    }
  });
}

}  // namespace cnn::models

// Finding and replacing a model's classifier (models.h: classifier_name, reset_classifier), as timm's
// get_classifier / reset_classifier. Not the freezing (Module::freeze).
#include <cnn/layers_quantized.h>
#include <cnn/models.h>

namespace cnn::models {

namespace {

bool is_pointwise_conv(const Module& m) {
  if (const auto* q = dynamic_cast<const QuantizedConv2d*>(&m))  // an int8 run's head (quantize.h)
    return q->weight.size(2) == 1 && q->weight.size(3) == 1 && q->conv_options().groups == 1;
  const auto* conv = dynamic_cast<const Conv2d*>(&m);
  return conv != nullptr && conv->options().kernel_size == Pair2{1, 1} && conv->options().groups == 1;
}

bool is_linear(const Module& m) {
  return dynamic_cast<const Linear*>(&m) != nullptr || dynamic_cast<const QuantizedLinear*>(&m) != nullptr;
}

}  // namespace

std::string classifier_name(const Module& model) {
  std::string linear, conv;
  for (const auto& [name, m] : model.named_modules()) {
    if (!name.empty() && is_linear(*m)) linear = name;
    if (!name.empty() && is_pointwise_conv(*m)) conv = name;
  }
  CNN_CHECK(!linear.empty() || !conv.empty(), "classifier: {} has no Linear or 1x1 Conv2d layer to use as its head",
            model.type_name());
  return linear.empty() ? conv : linear;
}

std::string reset_classifier(Module& model, int64_t num_classes) {
  CNN_CHECK(num_classes > 0, "reset_classifier: num_classes must be positive, got {}", num_classes);
  const std::string name = classifier_name(model);
  const ModulePtr old = model.get_submodule(name);
  if (const auto* fc = dynamic_cast<const Linear*>(old.get())) {
    model.replace(name, Linear(fc->in_features(), num_classes, {.bias = fc->bias.defined()}));
  } else {
    const auto& conv = dynamic_cast<const Conv2d&>(*old);
    Conv2dLayerOptions options = conv.options();
    options.bias = conv.bias.defined();
    model.replace(name, Conv2d(conv.in_channels(), num_classes, options));
  }
  return name;
}

int64_t freeze_backbone(Module& model, const std::string& spec, bool freeze_bn_stats) {
  const int64_t before = model.num_parameters(true);
  if (spec == "none") return 0;
  if (spec == "backbone") {
    const std::string head = classifier_name(model);
    model.freeze("", freeze_bn_stats);
    model.unfreeze(head);
  } else {
    model.freeze(spec, freeze_bn_stats);
  }
  return before - model.num_parameters(true);
}

}  // namespace cnn::models

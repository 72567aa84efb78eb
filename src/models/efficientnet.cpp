// EfficientNet-B0..B3 as torchvision.models.efficientnet: stem, seven stages of MBConv with a linearly growing
// stochastic-depth probability, head, classifier and initialisation, and torchvision's compound scaling of B0's
// stages (_efficientnet_conf). Not the block (nn/blocks/efficientnet_block).
#include <cnn/blocks.h>
#include <cnn/ops.h>

#include <cmath>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

struct StageConfig {
  double expand_ratio;
  int64_t kernel, stride, input_channels, out_channels, num_layers;
};

class EfficientNet : public Module {
 public:
  EfficientNet(const std::vector<StageConfig>& stages, double dropout, double stochastic_depth_prob,
               const Resolved& r) {
    auto features = register_module("features", std::make_shared<Sequential>());
    features->push_back(Conv2dNormActivation(r.in_channels, stages.front().input_channels,
                                             {.stride = 2, .activation_layer = layer<SiLU>}));
    int64_t total = 0;
    for (const auto& s : stages) total += s.num_layers;
    int64_t block_id = 0;
    for (const auto& s : stages) {
      auto stage = std::make_shared<Sequential>();
      for (int64_t i = 0; i < s.num_layers; ++i, ++block_id) {
        stage->push_back(EfficientNetMBConv(
            {.expand_ratio = s.expand_ratio, .kernel = s.kernel, .stride = i == 0 ? s.stride : 1,
             .input_channels = i == 0 ? s.input_channels : s.out_channels, .out_channels = s.out_channels,
             .stochastic_depth_prob =
                 stochastic_depth_prob * static_cast<double>(block_id) / static_cast<double>(total)}));
      }
      features->push_back(stage);
    }
    const int64_t last_in = stages.back().out_channels, last_out = 4 * last_in;
    features->push_back(Conv2dNormActivation(last_in, last_out, {.kernel_size = 1, .activation_layer = layer<SiLU>}));
    register_module("avgpool", AdaptiveAvgPool2d(1));
    register_module("classifier", Sequential(Dropout(dropout), Linear(last_out, r.num_classes)));
    init_like_torchvision(*this, [](Linear& fc) {
      const double range = 1.0 / std::sqrt(static_cast<double>(fc.out_features()));
      init::uniform_(fc.weight, -range, range);
      init::zeros_(fc.bias);
    });
  }

  Tensor forward(const Tensor& x) override {
    const Tensor y = call_children(*this, {"features", "avgpool"}, x);
    return call_child(*this, "classifier", flatten(y, 1));
  }
  std::string type_name() const override { return "EfficientNet"; }
};

// torchvision's _efficientnet_conf: B0's stages with every width times width_mult, rounded by make_divisible(., 8),
// and every stage's depth ceil(num_layers * depth_mult).
std::vector<StageConfig> scaled_stages(double width_mult, double depth_mult) {
  static const std::vector<StageConfig> b0{{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                                           {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                                           {6, 3, 1, 192, 320, 1}};
  std::vector<StageConfig> stages;
  for (StageConfig s : b0) {
    s.input_channels = make_divisible(static_cast<double>(s.input_channels) * width_mult, 8);
    s.out_channels = make_divisible(static_cast<double>(s.out_channels) * width_mult, 8);
    s.num_layers = static_cast<int64_t>(std::ceil(static_cast<double>(s.num_layers) * depth_mult));
    stages.push_back(s);
  }
  return stages;
}

// One member of the family: torchvision's efficientnet_bN arguments.
struct Scaling {
  double width_mult, depth_mult, dropout;
};

ModulePtr efficientnet(const std::string& name, const Scaling& s, const ModelOptions& o) {
  return std::make_shared<EfficientNet>(scaled_stages(s.width_mult, s.depth_mult), s.dropout, 0.2,
                                        resolve(name, o, kImageNet));
}

}  // namespace

ModulePtr efficientnet_b0(const ModelOptions& o) {
  return efficientnet("efficientnet_b0", {.width_mult = 1.0, .depth_mult = 1.0, .dropout = 0.2}, o);
}
ModulePtr efficientnet_b1(const ModelOptions& o) {
  return efficientnet("efficientnet_b1", {.width_mult = 1.0, .depth_mult = 1.1, .dropout = 0.2}, o);
}
ModulePtr efficientnet_b2(const ModelOptions& o) {
  return efficientnet("efficientnet_b2", {.width_mult = 1.1, .depth_mult = 1.2, .dropout = 0.3}, o);
}
ModulePtr efficientnet_b3(const ModelOptions& o) {
  return efficientnet("efficientnet_b3", {.width_mult = 1.2, .depth_mult = 1.4, .dropout = 0.3}, o);
}

}  // namespace cnn::models

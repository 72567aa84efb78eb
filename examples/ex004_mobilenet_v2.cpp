// Seeds 004 "MobileNetV2": the inverted residual (narrow -> wide -> narrow: 1x1 expansion, 3x3 depthwise, linear
// 1x1 projection) against ResNet's bottleneck (wide -> narrow -> wide), the skip only when stride 1 and the
// widths match, no activation after the projection (linear bottleneck), and the parameter counts of V1 and V2.
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

void print_calls(cnn::Module& block, const cnn::Tensor& x) {
  for (const auto& [name, shape] : cnn::viz::layer_calls(block, x))
    fmt::print("  {:<10} {:<22} {}\n", name, cnn::viz::find_module(block, name.substr(0, name.find('#'))).type_name(),
               shape.str());
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"MobileNetV2\"", {});

  cnn::manual_seed(0);
  const cnn::Tensor x = cnn::randn({1, 24, 56, 56});
  fmt::print("== InvertedResidual(24, 24, stride 1, expand 6): narrow -> wide -> narrow ==\n");
  cnn::InvertedResidual block(24, 24, {.stride = 1, .expand_ratio = 6});
  fmt::print("{}\n", block.str());
  print_calls(block, x);
  fmt::print("skip connection: {}; last layer BatchNorm2d with no ReLU6 after it: the linear bottleneck\n",
             block.use_res_connect() ? "yes (x + F(x))" : "no");
  fmt::print("parameters {}\n", cnn::with_thousands(block.num_parameters()));

  cnn::InvertedResidual down(24, 32, {.stride = 2, .expand_ratio = 6});
  fmt::print("InvertedResidual(24, 32, stride 2): output {}, skip connection: {}\n", down(x).shape().str(),
             down.use_res_connect() ? "yes" : "no");

  fmt::print("\n== ResNet's Bottleneck(256, 64): wide -> narrow -> wide ==\n");
  cnn::Bottleneck resnet_block(256, 64);
  print_calls(resnet_block, cnn::randn({1, 256, 14, 14}));

  fmt::print("\n== Parameters ==\n");
  const int64_t v1 = cnn::models::create("mobilenet_v1")->num_parameters();
  const int64_t v2 = cnn::models::create("mobilenet_v2")->num_parameters();
  fmt::print("mobilenet_v1: {} (document: 4.2M)\n", cnn::with_thousands(v1));
  fmt::print("mobilenet_v2: {} (document: 3.4M; torchvision 3,504,872)\n", cnn::with_thousands(v2));
  return 0;
}

// Seeds 001 §1.3 "Multiple Channels" (and the Summary's parameter formula): Conv2d(3, 16, 3, padding=1) weight and
// bias shapes, its 448 parameters = out * (in * kH * kW + 1), a [4, 3, 32, 32] batch through it, and
// visualize_multichannel_conv: each output channel of Conv2d(2, 3, 3) is the sum over input channels of
// (input channel * its kernel), checked numerically and drawn into DIR/multichannel.png.
// Run: build/examples/ex001_1_3_multichannel [--output DIR]
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §1.3 \"Multiple Channels\" (and the Summary's parameter formula)",
                           {{"--output", ".", "folder for the written files"}});
  const std::string out_dir = flags.str("--output");
  cnn::manual_seed(42);

  cnn::Conv2d conv(3, 16, {.kernel_size = 3, .padding = 1});
  fmt::print("{}\n", conv.str());
  fmt::print("Weight shape: {}\n", conv.weight.shape().str());
  fmt::print("Bias shape: {}\n", conv.bias.shape().str());
  const int64_t num_params = conv.weight.numel() + conv.bias.numel();
  const auto k = conv.options().kernel_size;
  fmt::print("Total parameters: {}\n", num_params);
  fmt::print("  = {} * ({} * {} * {} + 1)\n", conv.out_channels(), conv.in_channels(), k.h, k.w);

  const cnn::Tensor x = cnn::randn({4, 3, 32, 32});
  const cnn::Tensor output = conv(x);
  fmt::print("\nInput shape: {}\n", x.shape().str());
  fmt::print("Output shape: {}\n", output.shape().str());

  // visualize_multichannel_conv: output[o] = sum_i conv(input[i], kernel[o, i]).
  cnn::Conv2d small(2, 3, {.kernel_size = 3, .padding = 1, .bias = false});
  const cnn::Tensor x2 = cnn::randn({1, 2, 8, 8});
  const cnn::Tensor y2 = small(x2).detach();
  double max_diff = 0.0;
  std::vector<cnn::viz::Panel> panels;
  for (int64_t o = 0; o < 3; ++o) {
    cnn::Tensor by_hand = cnn::zeros({1, 1, 8, 8});
    for (int64_t i = 0; i < 2; ++i) {
      const cnn::Tensor kernel = small.weight.detach().slice(0, o, o + 1).slice(1, i, i + 1);  // [1, 1, 3, 3]
      by_hand = by_hand + cnn::conv2d(x2.slice(1, i, i + 1), kernel, {}, {.padding = 1});
      panels.push_back({.rgb = cnn::viz::colorize(kernel[0][0], cnn::viz::Colormap::diverging),
                        .title = fmt::format("Kernel[{},{}]", o, i)});
    }
    const auto a = by_hand.to_vector<float>(), b = y2.slice(1, o, o + 1).to_vector<float>();
    for (size_t j = 0; j < a.size(); ++j) max_diff = std::max(max_diff, static_cast<double>(std::fabs(a[j] - b[j])));
    panels.push_back({.rgb = cnn::viz::colorize(y2[0][o], cnn::viz::Colormap::viridis),
                      .title = fmt::format("Output[{}]", o)});
  }
  fmt::print("\nConv2d(2, 3, 3): each output channel = sum over the 2 input channels of (input_ch * kernel)\n");
  fmt::print("  per-channel sums match the layer: {} (max |difference| {:.2e})\n", max_diff < 1e-5 ? "yes" : "no",
             max_diff);
  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/multichannel.png";
  cnn::viz::save_figure(path, {{.title = "", .panels = panels, .columns = 3}},
                        {.title = "Multi-channel Convolution: Each output = sum of (input_ch * kernel)"});
  fmt::print("wrote {}\n", path);
  return max_diff < 1e-5 ? 0 : 1;
}

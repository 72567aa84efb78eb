// Seeds 004 "Inception" and 003 §5 (multi-scale 1x1, 3x3, 5x5 convolutions and max pooling in parallel,
// concatenated; 1x1 convolutions to reduce depth first): GoogLeNet's inception (3a) on [1, 192, 28, 28] with its
// branch shapes, the parameters and mult-adds it saves against the same branches without 1x1 reductions.
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"Inception\" and 003 §5: multi-scale convolutions in parallel", {});

  cnn::manual_seed(0);
  // inception (3a): 64 1x1; 96 -> 128 3x3; 16 -> 32 "5x5"; pool -> 32.
  cnn::Inception block(192, {.ch1x1 = 64, .ch3x3red = 96, .ch3x3 = 128, .ch5x5red = 16, .ch5x5 = 32, .pool_proj = 32});
  const cnn::Tensor x = cnn::randn({1, 192, 28, 28});
  fmt::print("Inception(192: 64, 96->128, 16->32, pool->32) on {}\n", x.shape().str());
  for (const auto& [name, shape] : cnn::viz::layer_calls(block, x))
    if (name.find(".conv") != std::string::npos || name.find("branch4.0") != std::string::npos)
      fmt::print("  {:<16} {}\n", name, shape.str());
  const cnn::Tensor y = block(x);
  fmt::print("concatenated output {} (64 + 128 + 32 + 32 = {} channels)\n", y.shape().str(), block.out_channels());
  fmt::print("parameters {}\n", cnn::with_thousands(block.num_parameters()));

  // The same branches without the 1x1 reductions: 3x3 and 5x5 on all 192 channels, pooling passes 192 through.
  const int64_t hw = 28 * 28;
  const int64_t naive_w = 192 * 64 + 192 * 128 * 9 + 192 * 32 * 25;
  const int64_t reduced_w = 192 * 64 + (192 * 96 + 96 * 128 * 9) + (192 * 16 + 16 * 32 * 25) + 192 * 32;
  fmt::print("\nconv weights with 5x5 as in the paper: naive {} vs with 1x1 reductions {} ({:.0f}% fewer)\n",
             cnn::with_thousands(naive_w), cnn::with_thousands(reduced_w),
             100.0 * (1.0 - double(reduced_w) / double(naive_w)));
  fmt::print("mult-adds on 28x28: naive {} vs {}; naive output depth 64 + 128 + 32 + 192 = 416\n",
             cnn::with_thousands(naive_w * hw), cnn::with_thousands(reduced_w * hw));
  return 0;
}

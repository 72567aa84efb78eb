// Seeds 001 §5.3 "Squeeze-and-Excitation (SE) Blocks": SEBlock(64, reduction=16) keeps [4, 64, 32, 32] and has
// 512 parameters (64*4 + 4*64, no biases); its output is the input scaled per channel by weights in (0, 1), which
// the program rebuilds step by step; then the SE-ResNet block (cnn::SEBasicBlock) with and without downsampling.
// Run: build/examples/ex001_5_3_se_block [--batch B] [--size S]   (defaults: the notebook's 4 and 32)
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §5.3 \"Squeeze-and-Excitation (SE) Blocks\"",
                           {{"--batch", "4", "batch size"},
                            {"--size", "32", "input height and width"}});
  const int64_t batch = flags.i64("--batch"), size = flags.i64("--size");
  cnn::manual_seed(42);

  cnn::SEBlock se(64, 16);
  fmt::print("{}\n\n", se.str());
  const cnn::Tensor x = cnn::randn({batch, 64, size, size});
  const cnn::Tensor out = se(x).detach();
  fmt::print("SE Block: {} -> {}\n", x.shape().str(), out.shape().str());
  fmt::print("Parameters: {}\n", se.num_parameters());

  // The three steps by hand with the block's own children: squeeze (global average), excitation (FC, ReLU, FC,
  // sigmoid) to one weight per sample and channel, scale (x * weight).
  const cnn::Tensor squeezed = (*se.child("squeeze"))(x).view({batch, 64});
  const cnn::Tensor weights = (*se.child("excitation"))(squeezed).view({batch, 64, 1, 1}).detach();
  const cnn::Tensor rebuilt = x * weights;
  const double diff = cnn::max(cnn::abs(rebuilt - out)).item();
  fmt::print("Channel weights of sample 0: min {:.4f}, max {:.4f} (a sigmoid: inside (0, 1))\n",
             cnn::min(weights[0]).item(), cnn::max(weights[0]).item());
  fmt::print("out == x * weight[b, c] at every pixel: {} (max |difference| {:.1e})\n", diff < 1e-4 ? "yes" : "no",
             diff);

  cnn::SEBasicBlock block(64, 64);
  cnn::SEBasicBlock block_down(64, 128, {.stride = 2});
  const cnn::Tensor y = block(x), y_down = block_down(x);
  fmt::print("\n{}\n\n", block.str());
  fmt::print("SEBasicBlock(64, 64): {} -> {}, {} parameters (BasicBlock {} + SE {})\n", x.shape().str(),
             y.shape().str(), cnn::with_thousands(block.num_parameters()),
             cnn::with_thousands(block.num_parameters() - block.se->num_parameters()), block.se->num_parameters());
  fmt::print("SEBasicBlock(64, 128, stride=2): {} -> {}, {} parameters\n", x.shape().str(), y_down.shape().str(),
             cnn::with_thousands(block_down.num_parameters()));
  fmt::print("SE-ResNet block defined!\n");
  const bool ok = se.num_parameters() == 512 && out.shape() == x.shape() && diff < 1e-4;
  return ok ? 0 : 1;
}

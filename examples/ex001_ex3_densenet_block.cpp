// Seeds 001 Exercise 3 and Solution 3 "DenseNet Block": DenseBlock(num_layers=4, in_channels=64, growth_rate=32)
// (cnn::DenseBlock with the notebook's names: layers.i.bn1/conv1/bn2/conv2) maps [4, 64, 16, 16] to
// [4, 192, 16, 16] (64 + 4*32) with 206,720 parameters; the program lists each layer's input channels and checks
// that the block's output starts with its input, unchanged (concatenation, not addition).
// Run: build/examples/ex001_ex3_densenet_block [--batch B]
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 Exercise 3 and Solution 3 \"DenseNet Block\"",
                           {{"--batch", "4", "batch size"}});
  const int64_t batch = flags.i64("--batch");
  cnn::manual_seed(42);

  const int64_t num_layers = 4, in_channels = 64, growth_rate = 32;
  cnn::DenseBlock dense_block(num_layers, in_channels,
                              {.growth_rate = growth_rate, .naming = cnn::BlockNaming::course});
  const cnn::Tensor x = cnn::randn({batch, in_channels, 16, 16});
  const cnn::Tensor out = dense_block(x);
  fmt::print("DenseBlock: {} -> {}\n", x.shape().str(), out.shape().str());
  fmt::print("Output channels = 64 + 4*32 = {}\n", dense_block.out_channels());
  fmt::print("Parameters: {}\n", cnn::with_thousands(dense_block.num_parameters()));

  fmt::print("\nlayer  input channels  1x1 bottleneck  new channels  parameters\n");
  int64_t i = 0;
  for (const auto& [name, module] : dense_block.named_modules()) {
    if (module->type_name() != "DenseLayer") continue;
    const int64_t c = in_channels + i * growth_rate;
    fmt::print("{:<6} {:>14}  {:>14}  {:>12}  {:>10}\n", name, c, 4 * growth_rate, growth_rate,
               cnn::with_thousands(module->num_parameters()));
    ++i;
  }

  const double diff = cnn::max(cnn::abs(out.slice(1, 0, in_channels) - x)).item();
  fmt::print("\nThe first {} output channels are the input itself: {} (max |difference| {})\n", in_channels,
             diff == 0.0 ? "yes" : "no", diff);
  const bool ok = dense_block.out_channels() == 192 && dense_block.num_parameters() == 206720 &&
                  out.shape() == cnn::Shape({batch, 192, 16, 16}) && diff == 0.0;
  return ok ? 0 : 1;
}

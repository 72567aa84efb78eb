// Seeds 004 "VGGNet in detail": the per-layer table of VGG-16 (D) on 224x224x3, representation size ("memory")
// and weights of each CONV3 / POOL2 / FC layer, read from the zoo's vgg16 by summary() (`cnn summary --model
// vgg16`), with the totals: 138,357,544 parameters (138,344,128 weights without biases) and the activations.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

// 3211264 -> "3.2M", 802816 -> "803K", 4096 -> "4096": the notes' rounding.
std::string short_count(int64_t v) {
  if (v >= 1000000) return fmt::format("{:.1f}M", v / 1e6);
  if (v >= 10000) return fmt::format("{:.0f}K", v / 1e3);
  return std::to_string(v);
}

std::string volume(const cnn::Shape& s) {
  return s.dim() == 4 ? fmt::format("[{}x{}x{}]", s[2], s[3], s[1]) : fmt::format("[1x1x{}]", s[1]);
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"VGGNet in detail\"",
                           {{"--size", "224", "input height and width"}});

  const int64_t size = flags.i64("--size");
  auto model = cnn::models::create("vgg16");
  const cnn::ModelSummary s = cnn::summary(*model, {3, size, size});

  int64_t memory = 3 * size * size, weights = 0, conv_memory = 0, fc_weights = 0, fc1 = 0;
  fmt::print("{:<10} {:<15} {:>9}   {}\n", "layer", "volume", "memory", "weights");
  fmt::print("{:<10} {:<15} {:>9}   0\n", "INPUT", fmt::format("[{}x{}x3]", size, size), short_count(memory));
  for (const cnn::SummaryRow& row : s.rows) {
    const int64_t mem = row.output_shape.numel();
    if (row.type == "Conv2d") {
      auto& conv = dynamic_cast<cnn::Conv2d&>(cnn::viz::find_module(*model, row.name));
      const int64_t w = conv.weight.numel();
      fmt::print("{:<10} {:<15} {:>9}   (3*3*{})*{} = {}\n", fmt::format("CONV3-{}", conv.out_channels()),
                 volume(row.output_shape), short_count(mem), conv.in_channels(), conv.out_channels(),
                 cnn::with_thousands(w));
      weights += w;
      memory += mem;
      conv_memory += mem;
    } else if (row.type == "MaxPool2d") {
      fmt::print("{:<10} {:<15} {:>9}   0\n", "POOL2", volume(row.output_shape), short_count(mem));
      memory += mem;
    } else if (row.type == "Linear") {
      auto& fc = dynamic_cast<cnn::Linear&>(cnn::viz::find_module(*model, row.name));
      const int64_t w = fc.weight.numel();
      fmt::print("{:<10} {:<15} {:>9}   {}*{} = {}\n", "FC", volume(row.output_shape), short_count(mem),
                 fc.in_features(), fc.out_features(), cnn::with_thousands(w));
      weights += w;
      memory += mem;
      fc_weights += w;
      if (fc1 == 0) fc1 = w;
    }
  }
  fmt::print("\nTOTAL memory: {} activations x 4 bytes = {:.1f} MB / image forward, ~x2 with backward\n",
             cnn::with_thousands(memory), memory * 4 / 1e6);
  fmt::print("  (the notes print \"24M * 4 bytes ~= 93MB\"; their own rows add up to {:.1f}M)\n", memory / 1e6);
  fmt::print("  summary() forward activation memory (input + every stored output): {:.1f} MB\n",
             s.activation_bytes / 1e6);
  fmt::print("TOTAL weights: {} (without biases); parameters with biases: {} (document: 138M)\n",
             cnn::with_thousands(weights), cnn::with_thousands(s.total_parameters));
  fmt::print("first FC: {} weights = {:.1f}% of all parameters (document: 100M of 140M)\n",
             cnn::with_thousands(fc1), 100.0 * fc1 / s.total_parameters);
  fmt::print("FC layers hold {:.1f}% of the weights; CONV layers hold {:.1f}% of the memory\n",
             100.0 * fc_weights / weights, 100.0 * conv_memory / memory);
  fmt::print("mult-adds per image: {}\n", cnn::with_thousands(s.total_macs));
  return 0;
}

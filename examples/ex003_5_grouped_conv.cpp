// Seeds 003 "grouped convolutions of AlexNet" (and §5, §9): 64 -> 128 channels, 3x3, standard 73,728 weights
// against 2 x (3 x 3 x 32 x 64) = 36,864 with groups=2; the grouped conv equals two independent convs on the
// channel halves; and the original two-GPU AlexNet's grouped layers (conv2, conv4, conv5) with their savings.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 \"grouped convolutions of AlexNet\" (and §5, §9)",
                           {{"--size", "16", "input height and width"}});

  const int64_t size = flags.i64("--size");
  cnn::manual_seed(0);

  fmt::print("== Standard vs grouped convolution: 64 -> 128 channels, 3x3 ==\n");
  cnn::Conv2d standard(64, 128, {.kernel_size = 3, .padding = 1, .bias = false});
  cnn::Conv2d grouped(64, 128, {.kernel_size = 3, .padding = 1, .groups = 2, .bias = false});
  const cnn::Shape in{1, 64, size, size};
  fmt::print("standard: weight {} = 3 x 3 x 64 x 128 = {}\n", standard.weight.shape().str(),
             cnn::with_thousands(standard.num_parameters()));
  fmt::print("groups=2: weight {} = 2 x (3 x 3 x 32 x 64) = {}\n", grouped.weight.shape().str(),
             cnn::with_thousands(grouped.num_parameters()));
  fmt::print("reduction in parameters: {:.0f}%; mult-adds on {}x{}: {} vs {} ({:.0f}% less)\n",
             100.0 * (1.0 - double(grouped.num_parameters()) / double(standard.num_parameters())), size, size,
             cnn::with_thousands(standard.macs(in)), cnn::with_thousands(grouped.macs(in)),
             100.0 * (1.0 - double(grouped.macs(in)) / double(standard.macs(in))));

  fmt::print("\n== Each group sees only its own 32 input channels ==\n");
  const cnn::Tensor x = cnn::rand(in);
  const cnn::Tensor y = grouped(x);
  const cnn::Tensor w = grouped.weight;
  const cnn::Tensor y0 = cnn::conv2d(x.slice(1, 0, 32), w.slice(0, 0, 64), {}, {.padding = 1});
  const cnn::Tensor y1 = cnn::conv2d(x.slice(1, 32, 64), w.slice(0, 64, 128), {}, {.padding = 1});
  const double diff = cnn::max(cnn::abs(y - cnn::cat({y0, y1}, 1))).item();
  fmt::print("groups=2 output {} = cat(conv(x[:, :32], w[:64]), conv(x[:, 32:], w[64:])): max difference {:.2g}\n",
             y.shape().str(), diff);

  fmt::print("\n== AlexNet (Krizhevsky et al. 2012, two GPUs) ==\n");
  auto original = cnn::models::create("alexnet_original");
  int64_t saved = 0;
  for (const auto& [name, module] : original->named_modules()) {
    auto* conv = dynamic_cast<cnn::Conv2d*>(module);
    if (conv == nullptr) continue;
    const auto& o = conv->options();
    const int64_t full = conv->out_channels() * conv->in_channels() * o.kernel_size.h * o.kernel_size.w;
    const int64_t weights = conv->weight.numel();
    saved += full - weights;
    fmt::print("{:<12} {:>3} -> {:>3}, {:>2}x{:<2} groups={}  weights {:>9}  (ungrouped {:>9})\n", name,
               conv->in_channels(), conv->out_channels(), o.kernel_size.h, o.kernel_size.w, o.groups,
               cnn::with_thousands(weights), cnn::with_thousands(full));
  }
  fmt::print("alexnet_original: {} parameters; groups=2 saves {} weights\n",
             cnn::with_thousands(original->num_parameters()), cnn::with_thousands(saved));
  fmt::print("torchvision alexnet (one GPU, no groups, 64-192-384-256-256): {} parameters\n",
             cnn::with_thousands(cnn::models::create("alexnet")->num_parameters()));
  return 0;
}

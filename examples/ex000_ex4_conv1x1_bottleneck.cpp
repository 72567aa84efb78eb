// Seeds 000 Exercise 4 "The Role of 1x1 Convolutions": a 1x1 convolution changes C_in to C_out and keeps H x W; two
// of them collapse into one without a non-linearity but not with a ReLU between them (a small MLP at every pixel);
// how Inception and ResNet-50 use them; and the challenge: the 1x1-3x3-1x1 bottleneck (cnn::ConvBottleneck) against
// one 3x3 convolution with the same input and output channels: 256 -> 64 -> 256 has 70,016 parameters against
// 590,080 (8.4x fewer), and 256 -> 64 -> 512 against 256 -> 512 (13.6x), with mult-adds on a 56x56 map.
// Run: build/examples/ex000_ex4_conv1x1_bottleneck [--size S]   (S: feature-map height and width, default 56)
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

double max_diff(const cnn::Tensor& a, const cnn::Tensor& b) { return cnn::max(cnn::abs(a - b)).item(); }

/// Counts the 1x1 convolutions of a model and the share of all conv parameters they hold.
void count_1x1(const std::string& name) {
  auto model = cnn::models::create(name);
  int64_t convs = 0, ones = 0, conv_params = 0, one_params = 0;
  for (const auto& [path, m] : model->named_modules()) {
    auto* conv = dynamic_cast<cnn::Conv2d*>(m);
    if (conv == nullptr) continue;
    const bool pointwise = conv->options().kernel_size == cnn::Pair2(1, 1);
    ++convs;
    conv_params += conv->num_parameters();
    if (!pointwise) continue;
    ++ones;
    one_params += conv->num_parameters();
  }
  fmt::print("  {:<10} {} of {} convolutions are 1x1, holding {:.0f}% of the convolution parameters\n", name, ones,
             convs, 100.0 * static_cast<double>(one_params) / static_cast<double>(conv_params));
}

bool compare(int64_t in, int64_t mid, int64_t out, int64_t size) {
  cnn::ConvBottleneck block(in, mid, out);
  cnn::Conv2d single(in, out, {.kernel_size = 3, .padding = 1});
  const cnn::Shape shape{1, in, size, size};
  const int64_t bp = block.num_parameters(), sp = single.num_parameters();
  const int64_t bm = block.macs(shape), sm = single.macs(shape);
  fmt::print("{:>4} -> {:>3} -> {:<4} {:>10} {:>16} | 3x3 {:>4} -> {:<4} {:>10} {:>16} | {:>5.1f}x {:>5.1f}x\n", in,
             mid, out, cnn::with_thousands(bp), cnn::with_thousands(bm), in, out, cnn::with_thousands(sp),
             cnn::with_thousands(sm), static_cast<double>(sp) / static_cast<double>(bp),
             static_cast<double>(sm) / static_cast<double>(bm));
  return block(cnn::randn(shape)).shape() == cnn::Shape({1, out, size, size});
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 000 Exercise 4 \"The Role of 1x1 Convolutions\"",
                           {{"--size", "56", "input height and width"}});
  const int64_t size = flags.i64("--size");
  cnn::manual_seed(0);

  // 1-3: shapes.
  const cnn::Tensor x = cnn::randn({2, 64, 28, 28});
  cnn::Conv2d reduce(64, 16, {.kernel_size = 1, .stride = 1, .padding = 0});
  cnn::Conv2d expand(64, 256, {.kernel_size = 1});
  fmt::print("Input (N, C_in, H, W) = {}\n", x.shape().str());
  fmt::print("  Conv2d(64, 16, kernel_size=1)  -> {}  ({} parameters = 64*16 + 16)\n", reduce(x).shape().str(),
             reduce.num_parameters());
  fmt::print("  Conv2d(64, 256, kernel_size=1) -> {}  ({} parameters)\n\n", expand(x).shape().str(),
             expand.num_parameters());

  // 4: non-linearity. Without ReLU, conv1x1(conv1x1(x)) is one 1x1 conv with weight W2 W1 and bias W2 b1 + b2.
  cnn::Conv2d a(64, 16, {.kernel_size = 1}), b(16, 64, {.kernel_size = 1});
  const cnn::Tensor w1 = a.weight.detach().reshape({16, 64}), w2 = b.weight.detach().reshape({64, 16});
  const cnn::Tensor merged_w = cnn::matmul(w2, w1).reshape({64, 64, 1, 1});
  const cnn::Tensor merged_b = cnn::matmul(w2, a.bias.detach().reshape({16, 1})).reshape({64}) + b.bias.detach();
  const cnn::Tensor merged = cnn::conv2d(x, merged_w, merged_b);
  fmt::print("Two stacked 1x1 convs without activation == one 1x1 conv (W2 W1): max |difference| {:.1e}\n",
             max_diff(b(a(x)), merged));
  fmt::print("With a ReLU between them they are not (a 2-layer MLP applied at every pixel): "
             "max |difference| {:.2f}\n\n",
             max_diff(b(cnn::relu(a(x))), merged));

  // 5: architectures.
  cnn::Conv2d direct5(192, 32, {.kernel_size = 5, .padding = 2});
  cnn::Conv2d reduce5(192, 16, {.kernel_size = 1}), conv5(16, 32, {.kernel_size = 5, .padding = 2});
  const cnn::Shape map28{1, 192, 28, 28};
  const int64_t direct_macs = direct5.macs(map28);
  const int64_t reduced_macs = reduce5.macs(map28) + conv5.macs({1, 16, 28, 28});
  fmt::print("Inception (3a) 5x5 branch on [1, 192, 28, 28]: direct 5x5 192->32 {} mult-adds; 1x1 to 16 first:\n"
             "  {} ({:.1f}x fewer) - the 1x1 reduces channels before the expensive spatial convolution.\n",
             cnn::with_thousands(direct_macs), cnn::with_thousands(reduced_macs),
             static_cast<double>(direct_macs) / static_cast<double>(reduced_macs));
  count_1x1("googlenet");
  count_1x1("resnet50");
  fmt::print("  (ResNet bottleneck: conv1 1x1 reduces 4x, conv3 1x1 restores; downsample 1x1 projects the skip)\n\n");

  // 6: challenge.
  fmt::print("Bottleneck 1x1-3x3-1x1 vs one 3x3 convolution on a {}x{} map (parameters include biases):\n", size,
             size);
  fmt::print("{:<19} {:>10} {:>16} | {:<16} {:>10} {:>16} | params  MACs\n", "block", "params", "mult-adds", "single",
             "params", "mult-adds");
  bool ok = compare(256, 64, 256, size);
  ok = compare(256, 64, 512, size) && ok;
  return ok ? 0 : 1;
}

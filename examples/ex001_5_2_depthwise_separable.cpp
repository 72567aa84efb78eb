// Seeds 001 §5.2 "Depthwise Separable Convolutions": the notebook's DepthwiseSeparableConv
// (cnn::DepthwiseSeparableConv: depthwise 3x3 with groups = in_channels, BN, ReLU, pointwise 1x1, BN, ReLU)
// against a standard Conv2d(64, 128, 3): 73,856 vs 9,152 parameters, reduction factor 8.1x; also the mult-adds
// and the output shapes.
// Run: build/examples/ex001_5_2_depthwise_separable [--size S]   (S: input height and width, default 32)
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §5.2 \"Depthwise Separable Convolutions\"",
                           {{"--size", "32", "input height and width"}});
  const int64_t size = flags.i64("--size");
  cnn::manual_seed(42);
  const int64_t in_ch = 64, out_ch = 128, k = 3;

  cnn::Conv2d standard_conv(in_ch, out_ch, {.kernel_size = k, .padding = 1});
  cnn::DepthwiseSeparableConv dw_sep_conv(in_ch, out_ch, k);
  fmt::print("{}\n\n", dw_sep_conv.str());

  const int64_t standard = standard_conv.num_parameters(), separable = dw_sep_conv.num_parameters();
  fmt::print("Standard 3x3 conv parameters: {}\n", cnn::with_thousands(standard));
  fmt::print("Depthwise separable parameters: {}\n", cnn::with_thousands(separable));
  fmt::print("  depthwise {} (64 filters of 1x3x3) + bn1 {} + pointwise {} (128 x 64) + bn2 {}\n",
             dw_sep_conv.depthwise->num_parameters(), dw_sep_conv.bn1->num_parameters(),
             dw_sep_conv.pointwise->num_parameters(), dw_sep_conv.bn2->num_parameters());
  const double factor = static_cast<double>(standard) / static_cast<double>(separable);
  fmt::print("Reduction factor: {:.1f}x\n", factor);

  const cnn::Tensor x = cnn::randn({1, in_ch, size, size});
  const cnn::Shape depthwise_out = dw_sep_conv.depthwise->output_shape(x.shape());
  const int64_t standard_macs = standard_conv.macs(x.shape());
  const int64_t separable_macs = dw_sep_conv.depthwise->macs(x.shape()) + dw_sep_conv.pointwise->macs(depthwise_out);
  fmt::print("\nMult-adds on {}: standard {} vs depthwise + pointwise {} ({:.1f}x fewer)\n", x.shape().str(),
             cnn::with_thousands(standard_macs), cnn::with_thousands(separable_macs),
             static_cast<double>(standard_macs) / static_cast<double>(separable_macs));
  fmt::print("  theory: 1 / (1/C_out + 1/k^2) = 1 / (1/{} + 1/{}) = {:.2f}\n", out_ch, k * k,
             1.0 / (1.0 / static_cast<double>(out_ch) + 1.0 / static_cast<double>(k * k)));

  const cnn::Tensor y_standard = standard_conv(x), y_separable = dw_sep_conv(x);
  fmt::print("Output shapes: standard {}, depthwise separable {}\n", y_standard.shape().str(),
             y_separable.shape().str());
  cnn::DepthwiseSeparableConv strided(in_ch, out_ch, k, 2);
  fmt::print("With stride=2: {} -> {}\n", x.shape().str(), strided(x).shape().str());
  const bool ok = standard == 73856 && separable == 9152 && y_standard.shape() == y_separable.shape();
  return ok ? 0 : 1;
}

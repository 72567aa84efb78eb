// Seeds 001 Exercise 1 and Solution 1 "MBConv" (Mobile Inverted Bottleneck: 1x1 expand, 3x3 depthwise, SE,
// 1x1 project, residual when the shapes match), as cnn::MBConv: MBConv(32, 32, expansion=4) maps [4, 32, 16, 16] to
// itself with 18,112 parameters; the program splits the count by part, checks that the output is branch + input,
// and shows a strided MBConv without the residual. Run: build/examples/ex001_ex1_mbconv [--batch B]
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 Exercise 1 \"MBConv\" (Mobile Inverted Bottleneck)",
                           {{"--batch", "4", "batch size"}});
  const int64_t batch = flags.i64("--batch");
  cnn::manual_seed(42);

  cnn::MBConv mbconv(32, 32, {.expansion = 4, .stride = 1});
  fmt::print("{}\n\n", mbconv.str());
  const cnn::Tensor x = cnn::randn({batch, 32, 16, 16});
  const cnn::Tensor out = mbconv(x);
  fmt::print("MBConv: {} -> {}\n", x.shape().str(), out.shape().str());
  fmt::print("Parameters: {}\n", cnn::with_thousands(mbconv.num_parameters()));
  for (const auto& [name, part] : mbconv.named_children())
    fmt::print("  {:<8} {:>6}\n", name, cnn::with_thousands(part->num_parameters()));
  fmt::print("  (hidden_dim = 32 * 4 = 128: expand 32*128 + BN 256, depthwise 128*9 + BN 256,\n"
             "   SE 128*32 + 32*128 (se_ratio 4), project 128*32 + BN 64)\n");

  // Residual: stride 1 and in == out, so out = project(se(conv(x))) + x.
  const cnn::Tensor branch = (*mbconv.child("project"))((*mbconv.child("se"))((*mbconv.child("conv"))(x)));
  const double diff = cnn::max(cnn::abs(out - branch - x)).item();
  fmt::print("Residual: out == branch + x: {} (max |difference| {:.1e})\n", diff < 1e-4 ? "yes" : "no", diff);

  cnn::MBConv down(32, 64, {.expansion = 4, .stride = 2});
  const cnn::Tensor y = down(x);
  fmt::print("\nMBConv(32, 64, stride=2): {} -> {}, {} parameters, no residual (shapes differ)\n", x.shape().str(),
             y.shape().str(), cnn::with_thousands(down.num_parameters()));
  const bool ok = mbconv.num_parameters() == 18112 && out.shape() == x.shape() && diff < 1e-4 &&
                  y.shape() == cnn::Shape({batch, 64, 8, 8});
  return ok ? 0 : 1;
}

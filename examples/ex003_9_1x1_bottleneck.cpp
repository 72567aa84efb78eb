// Seeds 003 §9 and "how does 1x1 convolution do dimensionality reduction": a 1x1 conv is a linear map of the
// channel vector at every pixel (checked against a matmul), and the parameter comparison 3x3 256 -> 512
// (1,179,648) against a 1x1 256 -> 64 bottleneck then 3x3 64 -> 512 (311,296): the ~74% reduction.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §9 and \"how does 1x1 convolution do dimensionality reduction\"",
                           {{"--size", "14", "input height and width"}});

  const int64_t size = flags.i64("--size");
  cnn::manual_seed(0);

  fmt::print("== A 1x1 convolution mixes channels at each pixel ==\n");
  cnn::Conv2d reduce(256, 64, {.kernel_size = 1, .bias = false});
  const cnn::Tensor x = cnn::rand({1, 256, size, size});
  const cnn::Tensor y = reduce(x);
  fmt::print("Conv2d(256, 64, kernel_size=1): {} -> {} (H x W unchanged, depth 256 -> 64)\n", x.shape().str(),
             y.shape().str());
  // Every pixel's 256-vector times the [64, 256] weight: an FC layer applied at each (x, y).
  const cnn::Tensor pixels = x.permute({0, 2, 3, 1}).reshape({size * size, 256});
  const cnn::Tensor fc = cnn::matmul(pixels, reduce.weight.reshape({64, 256}).t());
  const cnn::Tensor as_map = fc.reshape({1, size, size, 64}).permute({0, 3, 1, 2});
  fmt::print("equals a 256 -> 64 matmul per pixel: max difference {:.2g}\n",
             cnn::max(cnn::abs(as_map - y)).item());

  fmt::print("\n== Parameter comparison ==\n");
  cnn::Conv2d direct(256, 512, {.kernel_size = 3, .padding = 1, .bias = false});
  cnn::Conv2d expand(64, 512, {.kernel_size = 3, .padding = 1, .bias = false});
  const int64_t p_direct = direct.num_parameters(), p_reduce = reduce.num_parameters(),
                p_expand = expand.num_parameters(), p_bottleneck = p_reduce + p_expand;
  fmt::print("without 1x1: 3 x 3 x 256 x 512 = {}\n", cnn::with_thousands(p_direct));
  fmt::print("with 1x1:    1 x 1 x 256 x 64  = {}\n", cnn::with_thousands(p_reduce));
  fmt::print("             3 x 3 x 64 x 512  = {}\n", cnn::with_thousands(p_expand));
  fmt::print("total {} vs {} -> {:.1f}% reduction (document: ~74%)\n", cnn::with_thousands(p_bottleneck),
             cnn::with_thousands(p_direct), 100.0 * (1.0 - double(p_bottleneck) / double(p_direct)));
  const cnn::Shape in{1, 256, size, size}, mid{1, 64, size, size};
  const int64_t m_direct = direct.macs(in), m_bottleneck = reduce.macs(in) + expand.macs(mid);
  fmt::print("mult-adds on {}x{}: {} vs {} ({:.1f}% less)\n", size, size, cnn::with_thousands(m_direct),
             cnn::with_thousands(m_bottleneck), 100.0 * (1.0 - double(m_bottleneck) / double(m_direct)));
  return 0;
}

// Seeds 004 "Conv layer": local connectivity (Example 1: 5x5x3 = 75 weights + 1 bias; Example 2: 3x3x20 = 180),
// zero padding P = (F-1)/2 keeping the size, the summary W2 = (W1 - F + 2P)/S + 1 with (F F D1) K weights and
// K biases, the constraint on strides, and backprop of a conv being a conv with spatially flipped filters.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"Conv layer\"", {});

  cnn::manual_seed(0);
  fmt::print("== Local connectivity ==\n");
  cnn::Conv2d ex1(3, 1, {.kernel_size = 5});
  fmt::print("Example 1: input [32x32x3], 5x5 filter: {} weights + {} bias = {} per neuron\n", ex1.weight.numel(),
             ex1.bias.numel(), ex1.num_parameters());
  cnn::Conv2d ex2(20, 1, {.kernel_size = 3, .bias = false});
  fmt::print("Example 2: input [16x16x20], 3x3 filter: {} connections (3*3*20)\n", ex2.weight.numel());

  fmt::print("\n== Zero padding ==\n");
  for (const int64_t p : {0, 1}) {
    cnn::Conv2d conv(1, 1, {.kernel_size = 3, .padding = p});
    fmt::print("input 5, F=3, P={}: output {}\n", p, conv(cnn::zeros({1, 1, 5, 5})).size(2));
  }
  for (const int64_t f : {3, 5, 7})
    fmt::print("F={}, S=1, P=(F-1)/2={}: 32 -> {}\n", f, (f - 1) / 2,
               cnn::explain_output_size({.in = 32, .kernel = f, .padding = (f - 1) / 2}).out);

  fmt::print("\n== Summary: W1 x H1 x D1 -> W2 x H2 x D2 ==\n");
  const int64_t w1 = 32, d1 = 3, k = 10, f = 3, s = 2, p = 1;
  cnn::Conv2d conv(d1, k, {.kernel_size = f, .stride = s, .padding = p});
  const cnn::Tensor y = conv(cnn::zeros({1, d1, w1, w1}));
  fmt::print("K={} F={} S={} P={} on {}x{}x{}: W2 = (32 - 3 + 2)/2 + 1 = {} -> output {}\n", k, f, s, p, w1, w1, d1,
             (w1 - f + 2 * p) / s + 1, y.shape().str());
  fmt::print("weights (F F D1) K = {} and K = {} biases; module: {} parameters\n", f * f * d1 * k, k,
             conv.num_parameters());

  fmt::print("\n== Constraints on strides ==\n");
  const cnn::OutputSizeReport bad = cnn::explain_output_size({.in = 10, .kernel = 3, .stride = 2});
  fmt::print("W=10, F=3, P=0, S=2: (10 - 3)/2 + 1 = 4.5 is not an integer\n{}\n", bad.computation);
  for (const std::string& note : bad.notes) fmt::print("  note: {}\n", note);

  fmt::print("\n== Backpropagation is a convolution with flipped filters ==\n");
  cnn::Tensor x = cnn::randn({1, 1, 6, 6});
  x.requires_grad_(true);
  const cnn::Tensor w = cnn::randn({1, 1, 3, 3});
  const cnn::Tensor out = cnn::conv2d(x, w);
  const cnn::Tensor dy = cnn::randn(out.shape());
  cnn::sum(out * dy).backward();
  std::vector<float> fv = w.to_vector<float>();
  std::reverse(fv.begin(), fv.end());
  const cnn::Tensor dx = cnn::conv2d(dy, cnn::from_vector(fv, {1, 1, 3, 3}), {}, {.padding = 2});
  fmt::print("dL/dx by autograd vs conv2d(dL/dy, flip(w), padding=2): max difference {:.2g}\n",
             cnn::max(cnn::abs(x.grad() - dx)).item());
  return 0;
}

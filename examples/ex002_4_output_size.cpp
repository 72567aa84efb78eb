// Seeds 002 §4: the output-size formula H_out = floor((H + 2P - D(K-1) - 1)/S + 1) (§4.1), the valid / same /
// full padding strategies (§4.2), stride (§4.3, 28 -> 14) and dilation's effective kernel D(K-1)+1 (§4.4). Each
// size from the formula (explain_output_size, behind `cnn shape`) is checked against a real conv2d's output.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

// The output height of a real Conv2d(1, 1) on [1, 1, h, h].
int64_t measured(int64_t h, int64_t k, int64_t s, int64_t p, int64_t d) {
  cnn::Conv2d conv(1, 1, {.kernel_size = k, .stride = s, .padding = p, .dilation = d});
  return conv(cnn::zeros({1, 1, h, h})).size(2);
}

void row(const std::string& label, int64_t h, int64_t k, int64_t s, int64_t p, int64_t d) {
  const cnn::OutputSizeReport r =
      cnn::explain_output_size({.in = h, .kernel = k, .stride = s, .padding = p, .dilation = d});
  const int64_t real = measured(h, k, s, p, d);
  fmt::print("{:<22} {}   conv2d: {} {}\n", label, r.computation, real, real == r.out ? "ok" : "MISMATCH");
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §4: the output-size formula and the valid / same / full paddings",
                           {{"--size", "28", "input height and width"}});

  const int64_t h = flags.i64("--size");

  fmt::print("== 4.1 The output-size formula ==\n");
  fmt::print("{}\n", cnn::explain_output_size({.in = h, .kernel = 3}).formula);

  fmt::print("\n== 4.2 Common padding strategies (H = {}, stride 1) ==\n", h);
  for (const int64_t k : {3, 5}) {
    row(fmt::format("valid  K={} P=0", k), h, k, 1, 0, 1);
    row(fmt::format("same   K={} P={}", k, k / 2), h, k, 1, k / 2, 1);
    row(fmt::format("full   K={} P={}", k, k - 1), h, k, 1, k - 1, 1);
  }
  fmt::print("valid: H-K+1, same: H, full: H+K-1\n");

  fmt::print("\n== 4.3 Stride ==\n");
  row("K=3 P=1 S=2", h, 3, 2, 1, 1);
  fmt::print("document: floor((28 + 2 - 3)/2 + 1) = floor(14.5) = 14\n");

  fmt::print("\n== 4.4 Dilated convolution ==\n");
  for (const int64_t d : {1, 2, 3}) {
    cnn::Conv2d conv(1, 1, {.kernel_size = 3, .dilation = d});
    fmt::print("K=3 D={}: effective kernel D(K-1)+1 = {}, parameters {}\n", d, d * 2 + 1, conv.num_parameters());
    row(fmt::format("  K=3 D={} P={}", d, d), h, 3, 1, d, d);
  }
  fmt::print("same parameters (10) at every dilation; padding P = D keeps the size\n");
  return 0;
}

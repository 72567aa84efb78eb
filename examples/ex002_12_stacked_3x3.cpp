// Seeds 002 §12 "the VGG insight", 003 (stacked 3x3 convolutions, the 72% ratio) and 004 (prefer a stack of
// small filters): two 3x3 convs cost 18C^2 against 25C^2 for one 5x5, three 3x3 cost 27C^2 against 49C^2 for
// one 7x7, with the same receptive field and more non-linearities. Counts come from real Conv2d layers.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

// `n` Conv2d(c, c, k, padding k/2, bias=False) layers with a ReLU after each.
std::shared_ptr<cnn::Sequential> stack(int64_t n, int64_t c, int64_t k) {
  auto s = std::make_shared<cnn::Sequential>();
  for (int64_t i = 0; i < n; ++i) {
    s->push_back(cnn::Conv2d(c, c, {.kernel_size = k, .padding = k / 2, .bias = false}));
    s->push_back(cnn::ReLU());
  }
  return s;
}

void compare(int64_t c, int64_t n_small, int64_t k_big, int64_t size) {
  auto small = stack(n_small, c, 3), big = stack(1, c, k_big);
  const int64_t p_small = small->num_parameters(), p_big = big->num_parameters();
  const std::string spec_small = fmt::format("{}", fmt::join(std::vector<std::string>(n_small, "conv3"), ","));
  const int64_t rf_small = cnn::receptive_fields(cnn::parse_layer_specs(spec_small)).back().rf;
  const int64_t rf_big = cnn::receptive_fields(cnn::parse_layer_specs(fmt::format("conv{}", k_big))).back().rf;
  fmt::print("{} x 3x3: {} x (3 x 3 x C x C) = {}C^2 = {:>10} parameters, receptive field {}x{}, {} ReLUs\n",
             n_small, n_small, 9 * n_small, cnn::with_thousands(p_small), rf_small, rf_small, n_small);
  fmt::print("1 x {}x{}: {} x {} x C x C     = {}C^2 = {:>10} parameters, receptive field {}x{}, 1 ReLU\n", k_big,
             k_big, k_big, k_big, k_big * k_big, cnn::with_thousands(p_big), rf_big, rf_big);
  fmt::print("ratio {}/{} = {:.0f}%; same output shape: {}\n", 9 * n_small, k_big * k_big,
             100.0 * p_small / p_big,
             (*small)(cnn::zeros({1, c, size, size})).shape() == (*big)(cnn::zeros({1, c, size, size})).shape() ? "yes"
                                                                                                         : "no");
  fmt::print("intermediate activations to keep for backprop: {} maps of {}x{}x{} vs 1\n\n", n_small, c, size, size);
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §12, 003 and 004: stacked 3x3 convolutions against one large kernel",
                           {{"--channels", "64", "channels of the stacked convolutions"},
                            {"--size", "16", "input height and width"}});

  const int64_t c = flags.i64("--channels");
  const int64_t size = flags.i64("--size");
  fmt::print("C = {} (bias=False, so counts are exactly k x k x C x C)\n\n", c);
  fmt::print("== Two 3x3 vs one 5x5 (002 §12, 003) ==\n");
  compare(c, 2, 5, size);
  fmt::print("== Three 3x3 vs one 7x7 (004 layer patterns) ==\n");
  compare(c, 3, 7, size);
  return 0;
}

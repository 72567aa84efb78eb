// Seeds 003 §8 and "what really is the concept behind batch normalisation": BatchNorm, LayerNorm, InstanceNorm
// and GroupNorm on the same [N, C, H, W] tensor: which elements share a mean and variance (checked: ~0 and ~1
// per group), the learnable gamma/beta, and that only BatchNorm's output for a sample depends on the batch.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "example_args.h"

namespace {

// Largest |mean| and |var - 1| over the groups of y [N, G, rest] (statistics over the last dimension).
std::pair<double, double> worst_stats(const cnn::Tensor& grouped) {
  const cnn::Tensor mu = cnn::mean(grouped, {-1}, true);
  const cnn::Tensor var = cnn::mean(cnn::pow(grouped - mu, 2), {-1});
  return {cnn::max(cnn::abs(mu)).item(), cnn::max(cnn::abs(var - 1.0)).item()};
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §8 and \"what really is the concept behind batch normalisation\"",
                           {{"--batch", "4", "batch size"}});

  const int64_t n = flags.i64("--batch");
  const int64_t c = 6, h = 5, w = 5;
  cnn::manual_seed(0);
  // Channel c has mean about 2c and scale about c + 1, so every normaliser has something to remove.
  const cnn::Tensor offsets = cnn::arange(0, c).reshape({1, c, 1, 1});
  const cnn::Tensor x = cnn::randn({n, c, h, w}) * (offsets + 1.0) + offsets * 2.0;
  fmt::print("x {}: per-channel means {:.2f} ... {:.2f}\n\n", x.shape().str(),
             cnn::mean(x.slice(1, 0, 1)).item(), cnn::mean(x.slice(1, c - 1, c)).item());

  cnn::BatchNorm2d bn(c);
  cnn::LayerNorm ln(cnn::Shape{c, h, w});
  cnn::InstanceNorm2d in(c, {.affine = true});
  cnn::GroupNorm gn(2, c);
  struct Method {
    std::string name, over;
    cnn::Module* module;
    // Reshapes the output so that each row of the last dimension is one normalisation group.
    std::function<cnn::Tensor(const cnn::Tensor&)> groups;
  };
  const Method methods[] = {
      {"BatchNorm2d(6)", "per channel, over batch and H, W", &bn,
       [&](const cnn::Tensor& y) { return y.permute({1, 0, 2, 3}).reshape({1, c, n * h * w}); }},
      {"LayerNorm([6, 5, 5])", "per sample, over C, H, W", &ln,
       [&](const cnn::Tensor& y) { return y.reshape({n, 1, c * h * w}); }},
      {"InstanceNorm2d(6)", "per sample and channel, over H, W", &in,
       [&](const cnn::Tensor& y) { return y.reshape({n, c, h * w}); }},
      {"GroupNorm(2, 6)", "per sample and group of 3 channels", &gn,
       [&](const cnn::Tensor& y) { return y.reshape({n, 2, (c / 2) * h * w}); }},
  };
  fmt::print("{:<21} {:<36} {:>6} {:>6} {:>10} {:>10} {}\n", "method", "normalises", "groups", "params", "max|mean|",
             "max|var-1|", "batch-dependent");
  for (const Method& m : methods) {
    const cnn::Tensor y = (*m.module)(x);
    const cnn::Tensor g = m.groups(y);
    const auto [mean_err, var_err] = worst_stats(g);
    // The first sample alone, then inside the batch: does its output change?
    const cnn::Tensor alone = (*m.module)(x.slice(0, 0, 2));
    const double moved = cnn::max(cnn::abs(alone.slice(0, 0, 1) - y.slice(0, 0, 1))).item();
    fmt::print("{:<21} {:<36} {:>6} {:>6} {:>10.1e} {:>10.1e} {}\n", m.name, m.over, g.size(0) * g.size(1),
               m.module->num_parameters(), mean_err, var_err, moved > 1e-4 ? "yes" : "no");
  }
  fmt::print("\nvariances are biased (divide by m), as y = gamma (x - mu)/sqrt(var + eps) + beta with eps = 1e-5\n");

  fmt::print("\n== The tutorial's block: Conv2d(64, 128, 3, padding=1) -> BatchNorm2d(128) -> ReLU ==\n");
  cnn::Sequential block(cnn::Conv2d(64, 128, {.kernel_size = 3, .padding = 1}), cnn::BatchNorm2d(128), cnn::ReLU());
  fmt::print("{}\nparameters {} (BatchNorm2d: gamma 128 + beta 128 = 256)\n", block.str(),
             cnn::with_thousands(block.num_parameters()));
  bn.eval();
  const double eval_diff = cnn::max(cnn::abs(bn(x.slice(0, 0, 1)) - bn(x).slice(0, 0, 1))).item();
  fmt::print("BatchNorm2d in eval mode uses running statistics: sample 0 alone vs in batch differ by {:.2g}\n",
             eval_diff);
  return 0;
}

// Seeds 004 "MobileNetV1" and 003 §6 (depthwise separable convolution): a D_k x D_k standard conv against a
// depthwise (one filter per channel) + pointwise (1x1) pair costs 1/N + 1/D_K^2 as much (N: output channels),
// measured on real layers; then the zoo's mobilenet_v1 under width multipliers alpha and resolution multipliers
// rho (the paper's 569M/4.2M, 325M/2.6M, 149M/1.3M, 41M/0.5M; 569M, 418M, 290M, 186M), and ReLU6.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"MobileNetV1\" and 003 §6 (depthwise separable convolution)",
                           {{"--multipliers", "yes", "print the width/resolution multiplier table (yes/no)"}});

  const bool multipliers = flags.str("--multipliers") == "yes";
  fmt::print("== Depthwise separable cost: (D_f^2 C_in D_k^2 + D_f^2 C_in C_out) / (D_f^2 C_in C_out D_k^2) ==\n");
  fmt::print("== = 1/C_out + 1/D_k^2 (the paper's 1/N + 1/D_K^2; the notes name the output channels M) ==\n");
  fmt::print("{:>5} {:>5} {:>4} {:>3} {:>15} {:>13} {:>13} {:>8} {:>8} {:>7}\n", "C_in", "C_out", "D_f", "D_k",
             "standard", "depthwise", "pointwise", "measured", "formula", "params");
  struct Case {
    int64_t in, out, size, k;
  };
  for (const Case c : {Case{32, 64, 112, 3}, Case{256, 256, 28, 3}, Case{512, 512, 14, 3}, Case{1024, 1024, 7, 3},
                       Case{512, 512, 14, 5}}) {
    cnn::Conv2d standard(c.in, c.out, {.kernel_size = c.k, .padding = c.k / 2, .bias = false});
    cnn::Conv2d depthwise(c.in, c.in, {.kernel_size = c.k, .padding = c.k / 2, .groups = c.in, .bias = false});
    cnn::Conv2d pointwise(c.in, c.out, {.kernel_size = 1, .bias = false});
    const cnn::Shape shape{1, c.in, c.size, c.size};
    const int64_t s = standard.macs(shape), d = depthwise.macs(shape), p = pointwise.macs(shape);
    const double params = double(depthwise.num_parameters() + pointwise.num_parameters()) /
                          double(standard.num_parameters());
    fmt::print("{:>5} {:>5} {:>4} {:>3} {:>15} {:>13} {:>13} {:>8.4f} {:>8.4f} {:>7.4f}\n", c.in, c.out, c.size, c.k,
               cnn::with_thousands(s), cnn::with_thousands(d), cnn::with_thousands(p), double(d + p) / double(s),
               1.0 / double(c.out) + 1.0 / double(c.k * c.k), params);
  }
  fmt::print("with 3x3 kernels: 8 to 9 times less computation\n");

  fmt::print("\n== ReLU6 ==\n");
  const cnn::Tensor t = cnn::from_vector(std::vector<float>{-3, 0, 3, 6, 9}, {5});
  fmt::print("relu6([-3, 0, 3, 6, 9]) = [{}] (min(max(0, x), 6))\n", fmt::join(cnn::relu6(t).to_vector<float>(), ", "));

  if (!multipliers) return 0;
  fmt::print("\n== Width multiplier alpha (224x224) ==\n");
  const double paper_macs[] = {569, 325, 149, 41}, paper_params[] = {4.2, 2.6, 1.3, 0.5};
  int i = 0;
  for (const double alpha : {1.0, 0.75, 0.5, 0.25}) {
    auto model = cnn::models::create("mobilenet_v1", {.width_mult = alpha});
    const cnn::ModelSummary s = cnn::summary(*model, {3, 224, 224});
    fmt::print("alpha {:<4}: {:>5.0f}M mult-adds, {:.2f}M parameters ({}) | paper {:.0f}M, {:.1f}M\n", alpha,
               s.total_macs / 1e6, s.total_parameters / 1e6, cnn::with_thousands(s.total_parameters), paper_macs[i],
               paper_params[i]);
    ++i;
  }

  fmt::print("\n== Resolution multiplier rho (alpha 1) ==\n");
  const double paper_res[] = {569, 418, 290, 186};
  i = 0;
  auto base = cnn::models::create("mobilenet_v1");
  for (const int64_t res : {224, 192, 160, 128}) {
    const double rho = res / 224.0;
    const cnn::Shape input = cnn::models::default_input_shape("mobilenet_v1", {.resolution_mult = rho});
    const cnn::ModelSummary s = cnn::summary(*base, input);
    fmt::print("rho {:.3f} ({}x{}): {:>5.0f}M mult-adds, {} parameters (unchanged) | paper {:.0f}M\n", rho, input[1],
               input[2], s.total_macs / 1e6, cnn::with_thousands(s.total_parameters), paper_res[i]);
    ++i;
  }
  fmt::print("cost scales with alpha^2 (channels) and rho^2 (pixels)\n");
  return 0;
}

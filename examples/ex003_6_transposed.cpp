// Seeds 003 §6 (transposed convolution upsamples feature maps, the decoder of U-Nets and GANs) and the §10 row
// "Transposed Convolution: upsampling": output sizes (in-1)S - 2P + D(K-1) + output_padding + 1 checked against
// ConvTranspose2d, a 4 -> 8 -> 16 -> 32 decoder, and the adjoint identity <conv(x), y> = <x, conv_T(y)>.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §6: transposed convolution upsamples feature maps", {});

  cnn::manual_seed(0);
  fmt::print("== Output size of ConvTranspose2d ==\n");
  fmt::print("{}\n", cnn::explain_output_size({.op = cnn::WindowOp::conv_transpose, .in = 8, .kernel = 4}).formula);
  struct Case {
    int64_t in, k, s, p, op;
  };
  for (const Case c : {Case{8, 4, 2, 1, 0}, Case{7, 3, 2, 1, 1}, Case{7, 3, 2, 1, 0}, Case{14, 2, 2, 0, 0}}) {
    const cnn::OutputSizeReport r = cnn::explain_output_size(
        {.op = cnn::WindowOp::conv_transpose, .in = c.in, .kernel = c.k, .stride = c.s, .padding = c.p,
         .output_padding = c.op});
    cnn::ConvTranspose2d up(1, 1, {.kernel_size = c.k, .stride = c.s, .padding = c.p, .output_padding = c.op});
    const int64_t real = up(cnn::zeros({1, 1, c.in, c.in})).size(2);
    fmt::print("k={} s={} p={} output_padding={}: {}   ConvTranspose2d: {}\n", c.k, c.s, c.p, c.op, r.computation,
               real);
  }

  fmt::print("\n== A decoder: 4x4 -> 32x32 ==\n");
  cnn::Sequential decoder(cnn::ConvTranspose2d(64, 32, {.kernel_size = 4, .stride = 2, .padding = 1}), cnn::ReLU(),
                          cnn::ConvTranspose2d(32, 16, {.kernel_size = 4, .stride = 2, .padding = 1}), cnn::ReLU(),
                          cnn::ConvTranspose2d(16, 3, {.kernel_size = 4, .stride = 2, .padding = 1}));
  cnn::Tensor z = cnn::randn({1, 64, 4, 4});
  fmt::print("{}", z.shape().str());
  for (const auto& layer : decoder) {
    z = (*layer)(z);
    if (layer->type_name() == "ConvTranspose2d") fmt::print(" -> {}", z.shape().str());
  }
  fmt::print("\nparameters {} (weight [in, out, k, k] + bias [out] per layer)\n",
             cnn::with_thousands(decoder.num_parameters()));

  fmt::print("\n== Transposed convolution is the adjoint of convolution ==\n");
  const cnn::Tensor w = cnn::randn({8, 4, 3, 3});
  const cnn::Tensor x = cnn::randn({1, 4, 16, 16});
  const cnn::Tensor y = cnn::randn({1, 8, 8, 8});
  const double lhs = cnn::sum(cnn::conv2d(x, w, {}, {.stride = 2, .padding = 1}) * y).item();
  const double rhs =
      cnn::sum(x * cnn::conv_transpose2d(y, w, {}, {.stride = 2, .padding = 1, .output_padding = 1})).item();
  fmt::print("<conv2d(x, w), y> = {:.4f}, <x, conv_transpose2d(y, w)> = {:.4f}: equal {}\n", lhs, rhs,
             std::abs(lhs - rhs) < 1e-3 * std::abs(lhs) + 1e-3 ? "yes" : "no");
  return 0;
}

// Seeds 002 §2 (from fully connected to convolutional): the parameters of an MLP layer on images (§2.1) and the
// inductive biases of convolution (§2.2): locality and weight sharing (a conv's parameters do not depend on the
// image size) and translation equivariance (shifting the input shifts the output). Not training.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "example_args.h"

namespace {

// Shifts the last two dimensions down by dy and right by dx, filling with zeros (F.pad with cropping).
cnn::Tensor shift(const cnn::Tensor& x, int64_t dy, int64_t dx) { return cnn::zero_pad2d(x, {dx, -dx, dy, -dy}); }

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §2 (from fully connected to convolutional)",
                           {{"--size", "28", "input height and width"}});

  const int64_t size = flags.i64("--size");
  cnn::manual_seed(0);

  fmt::print("== 2.1 The problem with MLPs on images ==\n");
  cnn::Linear fc_mnist(28 * 28, 512);
  fmt::print("Linear(784, 512): {} parameters (document: 784 x 512 + 512 = 401,920)\n",
             cnn::with_thousands(fc_mnist.num_parameters()));
  const int64_t rgb = 224 * 224 * 3;
  fmt::print("224x224 RGB image: d = {} inputs\n", cnn::with_thousands(rgb));
  fmt::print("Linear(150528, 512) weights: {} (document: 77,070,336), with bias {}\n",
             cnn::with_thousands(rgb * 512), cnn::with_thousands(rgb * 512 + 512));

  fmt::print("\n== 2.2 Inductive biases: locality and weight sharing ==\n");
  cnn::Conv2d conv(1, 1, {.kernel_size = 3, .padding = 1});
  cnn::Conv2d conv_rgb(3, 512, {.kernel_size = 3, .padding = 1});
  fmt::print("Conv2d(1, 1, 3): {} parameters for any image size (9 shared weights + 1 bias)\n",
             conv.num_parameters());
  fmt::print("Conv2d(3, 512, 3): {} parameters, on 28x28 or 224x224 alike\n",
             cnn::with_thousands(conv_rgb.num_parameters()));

  fmt::print("\n== 2.2 Translation equivariance ==\n");
  const cnn::Tensor x = cnn::rand({1, 1, size, size});
  const int64_t dy = 2, dx = 3;
  const cnn::Tensor a = conv(shift(x, dy, dx));
  const cnn::Tensor b = shift(conv(x), dy, dx);
  // Away from the borders (where zero padding and the shift's fill differ) the two agree exactly.
  const int64_t lo = 4, hi = size - 1;
  const cnn::Tensor diff = cnn::abs(a.slice(2, lo, hi).slice(3, lo, hi) - b.slice(2, lo, hi).slice(3, lo, hi));
  fmt::print("input {}x{}, shift ({}, {}): max |conv(shift(x)) - shift(conv(x))| inside = {:.3g}\n", size, size, dy, dx,
             cnn::max(diff).item());
  const cnn::Tensor moved = cnn::abs(conv(x).slice(2, lo, hi).slice(3, lo, hi) - a.slice(2, lo, hi).slice(3, lo, hi));
  fmt::print("without shifting the output back: max difference = {:.3g} (the response moved with the input)\n",
             cnn::max(moved).item());
  fmt::print("equivariant: {}\n", cnn::max(diff).item() < 1e-5 ? "yes" : "no");
  return 0;
}

// Seeds 004 "All about the shapes": H_o = (H_i - K + 2P)/S + 1 (H_i - K + 1 with the defaults), the first LeNet
// layer (32 -> 28 means K = 5; 1 -> 6 channels means 6 filters), W = [C_o, C_i, K_h, K_w] and bias = [C_o],
// pooling without parameters, and Conv2d(3, 16, 3) on [3, 32, 32] giving [16, 30, 30].
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

void describe(const std::string& title, cnn::Conv2d& conv, const cnn::Shape& input) {
  const cnn::Tensor y = conv(cnn::zeros(input));
  fmt::print("{}: input {}\n", title, input.str());
  fmt::print("  weight {} = [C_o, C_i, K_h, K_w], bias {} = [C_o]\n", conv.weight.shape().str(),
             conv.bias.shape().str());
  fmt::print("  {} kernels, each [C_i, K_h, K_w] = [{}, {}, {}]\n", conv.out_channels(), conv.in_channels(),
             conv.options().kernel_size.h, conv.options().kernel_size.w);
  fmt::print("  output {}\n", y.shape().str());
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"All about the shapes\"", {});

  fmt::print("H_o = (H_i - K + 2P)/S + 1; with stride 1 and no padding: H_o = H_i - K + 1\n\n");
  fmt::print("LeNet's first hidden layer: 32x32 -> 28x28, so K = 32 - 28 + 1 = {}\n", 32 - 28 + 1);
  cnn::Conv2d lenet1(1, 6, {.kernel_size = 5});
  describe("Conv2d(1, 6, 5)", lenet1, {1, 1, 32, 32});

  cnn::MaxPool2d pool(2);
  fmt::print("MaxPool2d(2): {} -> {}, {} parameters (not learnable)\n\n", cnn::Shape{1, 6, 28, 28}.str(),
             pool(cnn::zeros({1, 6, 28, 28})).shape().str(), pool.num_parameters());

  cnn::Conv2d conv(3, 16, {.kernel_size = 3});
  describe("Conv2d(3, 16, 3)", conv, {1, 3, 32, 32});
  fmt::print("  H_o = 32 - 3 + 1 = {} (the notes write 29: an arithmetic slip)\n",
             cnn::explain_output_size({.in = 32, .kernel = 3}).out);

  cnn::Conv2d one(12, 1, {.kernel_size = 3});
  fmt::print("\nConv2d(12, 1, 3): each filter spans all 12 input channels and gives one map: {}\n",
             one(cnn::zeros({1, 12, 8, 8})).shape().str());
  return 0;
}

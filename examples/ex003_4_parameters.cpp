// Seeds 003 §4 (CNN parameters and depth): a conv layer has F_w x F_h x C_in x C_out weights (+ C_out biases);
// stride, padding and dilation change the output's spatial size but not the parameter count. Each row is a
// real Conv2d run on a 32x32 input.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §4 (CNN parameters and depth)", {});

  const int64_t c_in = 64, c_out = 128, f = 3;
  fmt::print("Conv2d({}, {}, kernel_size={}) on [1, {}, 32, 32]\n", c_in, c_out, f, c_in);
  fmt::print("weights F_w x F_h x C_in x C_out = {} x {} x {} x {} = {}, biases C_out = {}\n\n", f, f, c_in, c_out,
             cnn::with_thousands(f * f * c_in * c_out), c_out);
  fmt::print("{:<8} {:<8} {:<9} {:<20} {:>10}\n", "stride", "padding", "dilation", "output", "parameters");
  struct Case {
    int64_t stride, padding, dilation;
  };
  for (const Case c : {Case{1, 0, 1}, Case{1, 1, 1}, Case{2, 1, 1}, Case{3, 0, 1}, Case{1, 2, 2}}) {
    cnn::Conv2d conv(c_in, c_out, {.kernel_size = f, .stride = c.stride, .padding = c.padding, .dilation = c.dilation});
    const cnn::Tensor y = conv(cnn::zeros({1, c_in, 32, 32}));
    fmt::print("{:<8} {:<8} {:<9} {:<20} {:>10}\n", c.stride, c.padding, c.dilation, y.shape().str(),
               cnn::with_thousands(conv.num_parameters()));
  }
  cnn::Conv2d no_bias(c_in, c_out, {.kernel_size = f, .bias = false});
  fmt::print("\nwith bias=False: {} (the tutorial's formula, weights only)\n",
             cnn::with_thousands(no_bias.num_parameters()));
  cnn::Conv2d wide(c_in, c_out, {.kernel_size = {3, 5}, .bias = false});
  fmt::print("non-square 3x5 kernel: 3 x 5 x {} x {} = {}\n", c_in, c_out, cnn::with_thousands(wide.num_parameters()));
  return 0;
}

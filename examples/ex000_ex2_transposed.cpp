// Seeds 000 Exercise 2 "Understanding Transposed Convolutions": ConvTranspose2d output shapes for a [1, 16, 8, 8]
// feature map (basic x2 upsampling, kernel size, padding, output_padding and the ambiguity it resolves), why
// "deconvolution" misleads (it is the adjoint of a convolution, not its inverse), and the challenge: a Conv2d +
// ConvTranspose2d autoencoder trained briefly, inputs above outputs in DIR/autoencoder.png.
// Run: build/examples/ex000_ex2_transposed [--steps N] [--images N] [--data-dir MNIST_DIR] [--output DIR]
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "example_args.h"

namespace {

int64_t up(const cnn::Tensor& x, int64_t k, int64_t s, int64_t p, int64_t op = 0) {
  cnn::ConvTranspose2d layer(16, 8, {.kernel_size = k, .stride = s, .padding = p, .output_padding = op});
  return layer(x).size(2);
}

/// N images [N, 1, 28, 28]: MNIST's first ones when a folder is given, else random bright rectangles on black.
cnn::Tensor images(const std::string& data_dir, int64_t n) {
  cnn::Tensor x = cnn::zeros({n, 1, 28, 28});
  if (!data_dir.empty()) {
    const auto data = cnn::load_dataset("mnist", data_dir, true);
    for (int64_t i = 0; i < n; ++i) x[i].copy_(data->get(i).image);
    return x;
  }
  const auto corners = cnn::randint(2, 16, {n, 4}).to_vector<int64_t>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t* c = &corners[static_cast<size_t>(4 * i)];
    x[i].slice(1, c[0], c[0] + c[2] / 2 + 4).slice(2, c[1], c[1] + c[3] / 2 + 4).fill_(1.0);
  }
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 000 Exercise 2 \"Understanding Transposed Convolutions\"",
                           {{"--steps", "200", "training steps"},
                            {"--images", "8", "images for the autoencoder"},
                            {"--data-dir", "", "dataset folder (empty: synthetic or built-in data)"},
                            {"--output", ".", "folder for the written files"}});
  const int64_t steps = flags.i64("--steps"), count = flags.i64("--images");
  const std::string data_dir = flags.str("--data-dir"), out_dir = flags.str("--output");
  cnn::manual_seed(0);
  const cnn::Tensor x = cnn::randn({1, 16, 8, 8});
  fmt::print("H_out = (H_in - 1)*stride - 2*padding + dilation*(kernel - 1) + output_padding + 1\n\n");
  cnn::ConvTranspose2d basic(16, 8, {.kernel_size = 4, .stride = 2, .padding = 1});
  fmt::print("Basic upsampling: {}\n  {} -> {} (= stride * H_in)\n\n", basic.str(), x.shape().str(),
             basic(x).shape().str());

  fmt::print("Effect of kernel size (stride 2, padding = kernel_size // 2 - 1):\n");
  for (int64_t k : {2, 3, 4, 5, 6})
    fmt::print("  k={} p={} -> {}x{}\n", k, k / 2 - 1, up(x, k, 2, k / 2 - 1), up(x, k, 2, k / 2 - 1));
  fmt::print("  (even kernels give exactly 2*8 = 16; odd ones one more)\n\n");
  fmt::print("Effect of padding (k=3, stride 2; each unit of padding trims one row on each side):\n");
  for (int64_t p : {0, 1, 2}) fmt::print("  p={} -> {}\n", p, up(x, 3, 2, p));

  fmt::print("\nEffect of output_padding: Conv2d(k=3, s=2, p=1) maps both 15 and 16 to 8:\n");
  for (int64_t in : {15, 16})
    fmt::print("  {}\n", cnn::explain_output_size({.op = cnn::WindowOp::conv, .in = in, .kernel = 3, .stride = 2,
                                                   .padding = 1})
                             .computation);
  const cnn::OutputSizeReport target = cnn::explain_output_size(
      {.op = cnn::WindowOp::conv_transpose, .in = 8, .kernel = 3, .stride = 2, .padding = 1, .target = 16});
  fmt::print("  so ConvTranspose2d(k=3, s=2, p=1) on 8 must choose: {}\n", target.computation);
  for (const std::string& note : target.notes) fmt::print("    {}\n", note);
  fmt::print("  output_padding=1 -> {}; forward(x, output_size=(16, 16)) -> {}\n", up(x, 3, 2, 1, 1),
             cnn::ConvTranspose2d(16, 8, {.kernel_size = 3, .stride = 2, .padding = 1}).forward(x, {16, 16}).size(2));

  // "Deconvolution" misleads: conv_transpose2d is the adjoint (the gradient) of conv2d with the same weights,
  // <conv(a), b> == <a, conv_transpose(b)>, but not its inverse.
  const cnn::Tensor w = cnn::randn({8, 16, 3, 3}) * 0.1;
  const cnn::Tensor a = cnn::randn({1, 16, 16, 16}), b = cnn::randn({1, 8, 8, 8});
  const cnn::ConvTranspose2dOptions t_opts{.stride = 2, .padding = 1, .output_padding = 1};
  const double lhs = cnn::sum(cnn::conv2d(a, w, {}, {.stride = 2, .padding = 1}) * b).item();
  const double rhs = cnn::sum(a * cnn::conv_transpose2d(b, w, {}, t_opts)).item();
  const cnn::Tensor back = cnn::conv_transpose2d(cnn::conv2d(a, w, {}, {.stride = 2, .padding = 1}), w, {}, t_opts);
  const double rel = cnn::sqrt(cnn::sum(cnn::pow(back - a, 2)) / cnn::sum(cnn::pow(a, 2))).item();
  fmt::print("\nAdjoint: <conv(a), b> = {:.4f}, <a, conv_transpose(b)> = {:.4f}\n", lhs, rhs);
  fmt::print("Not an inverse: conv_transpose(conv(a)) differs from a by {:.0f}% (relative L2)\n\n", 100.0 * rel);

  // Challenge: Conv2d then ConvTranspose2d, output shape = input shape.
  cnn::Sequential autoencoder(cnn::Conv2d(1, 8, {.kernel_size = 3, .stride = 2, .padding = 1}), cnn::ReLU(),
                              cnn::ConvTranspose2d(8, 1, {.kernel_size = 3, .stride = 2, .padding = 1,
                                                          .output_padding = 1}));
  const cnn::Tensor data = images(data_dir, count);
  const cnn::Tensor code = (*autoencoder[0])(data);
  fmt::print("Autoencoder on {} ({}): {} -> code {} -> {}\n", data_dir.empty() ? "synthetic rectangles" : "MNIST",
             count, data.shape().str(), code.shape().str(), autoencoder(data).shape().str());
  cnn::Adam optimizer(autoencoder.parameters(), {.lr = 1e-2});
  const double first = cnn::mse_loss(autoencoder(data), data).item();
  for (int64_t step = 0; step < steps; ++step) {
    optimizer.zero_grad();
    cnn::mse_loss(autoencoder(data), data).backward();
    optimizer.step();
  }
  const double last = cnn::mse_loss(autoencoder(data), data).item();
  fmt::print("MSE: {:.4f} before training, {:.4f} after {} Adam steps\n", first, last, steps);

  std::vector<cnn::viz::Panel> panels;
  const cnn::Tensor out = autoencoder(data).detach();
  for (int64_t i = 0; i < count; ++i) panels.push_back({.rgb = cnn::viz::to_rgb(data[i]), .title = "input"});
  for (int64_t i = 0; i < count; ++i) panels.push_back({.rgb = cnn::viz::to_rgb(out[i]), .title = "output"});
  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/autoencoder.png";
  cnn::viz::save_figure(path, {{.title = "", .panels = panels, .columns = count}},
                        {.title = fmt::format("Conv2d + ConvTranspose2d autoencoder, {} steps", steps), .cell = 64});
  fmt::print("wrote {}\n", path);
  return last < first ? 0 : 1;
}

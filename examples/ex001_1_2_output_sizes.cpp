// Seeds 001 §1.2 "Padding, Stride, and Dilation" (and the Summary's output-size formula): calc_output_size for the
// notebook's four cases, each checked against the shape cnn::conv2d really produces, then visualize_conv_params:
// one random 8x8 input through four nn.Conv2d(1, 1, ...) settings, drawn into DIR/conv_params.png.
// Run: build/examples/ex001_1_2_output_sizes [--output DIR]
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "example_args.h"

namespace {

/// out = floor((in + 2*pad - dil*(k-1) - 1) / stride + 1)
int64_t calc_output_size(int64_t input_size, int64_t kernel_size, int64_t padding = 0, int64_t stride = 1,
                         int64_t dilation = 1) {
  const int64_t effective_kernel = dilation * (kernel_size - 1) + 1;
  return (input_size + 2 * padding - effective_kernel) / stride + 1;
}

struct Config {
  int64_t kernel, padding, stride, dilation;
  const char* note;
};

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §1.2 \"Padding, Stride, and Dilation\"",
                           {{"--output", ".", "folder for the written files"}});
  const std::string out_dir = flags.str("--output");
  cnn::manual_seed(42);

  const Config cases[] = {{3, 0, 1, 1, ""}, {3, 1, 1, 1, " (same padding)"}, {3, 1, 2, 1, " (downsampling)"},
                          {3, 2, 1, 2, ""}};
  fmt::print("Output size calculations:\n");
  bool all_match = true;
  const cnn::Tensor x32 = cnn::randn({1, 1, 32, 32});
  for (const Config& c : cases) {
    const int64_t formula = calc_output_size(32, c.kernel, c.padding, c.stride, c.dilation);
    const cnn::Tensor w = cnn::randn({1, 1, c.kernel, c.kernel});
    const cnn::Tensor y =
        cnn::conv2d(x32, w, {}, {.stride = c.stride, .padding = c.padding, .dilation = c.dilation});
    const bool match = y.size(2) == formula && y.size(3) == formula;
    all_match = all_match && match;
    const std::string dil = c.dilation != 1 ? fmt::format(", dilation={}", c.dilation) : "";
    fmt::print("Input=32, kernel={}, padding={}, stride={}{}: {}{}   conv2d gives {} {}\n", c.kernel, c.padding,
               c.stride, dil, formula, c.note, y.shape().str(), match ? "ok" : "MISMATCH");
  }

  // visualize_conv_params: the same four settings on an 8x8 input.
  const cnn::Tensor x = cnn::randn({1, 1, 8, 8});
  std::vector<cnn::viz::Panel> panels{{.rgb = cnn::viz::colorize(x[0][0], cnn::viz::Colormap::viridis),
                                       .title = fmt::format("Input\n({}, {})", x.size(2), x.size(3))}};
  fmt::print("\nvisualize_conv_params on a [1, 1, 8, 8] input:\n");
  for (const Config& c : cases) {
    cnn::Conv2d conv(1, 1, {.kernel_size = c.kernel, .stride = c.stride, .padding = c.padding,
                            .dilation = c.dilation});
    const cnn::Tensor out = conv(x).detach();
    const int64_t expected = calc_output_size(8, c.kernel, c.padding, c.stride, c.dilation);
    all_match = all_match && out.size(2) == expected;
    fmt::print("  k={}, p={}, s={}, d={} -> ({}, {})\n", c.kernel, c.padding, c.stride, c.dilation, out.size(2),
               out.size(3));
    panels.push_back({.rgb = cnn::viz::colorize(out[0][0], cnn::viz::Colormap::viridis),
                      .title = fmt::format("k={}, p={}\ns={}, d={}\n({}, {})", c.kernel, c.padding, c.stride,
                                           c.dilation, out.size(2), out.size(3))});
  }
  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/conv_params.png";
  cnn::viz::save_figure(path, {{.title = "", .panels = panels, .columns = 5}}, {.cell = 120});
  fmt::print("\nFormula and conv2d agree: {}\nwrote {}\n", all_match ? "yes" : "no", path);
  return all_match ? 0 : 1;
}

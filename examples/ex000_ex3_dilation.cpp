// Seeds 000 Exercise 3 "Applying Dilated (Atrous) Convolutions": 3x3 convolutions with dilation 1, 2, 3 (padding =
// dilation * (k // 2)) keep the shape and the parameter count while the receptive field grows 3 -> 5 -> 7; the
// challenge stacks three dilated convolutions and counts, from the gradient, which input pixels one output really
// sees: dilations 1,2,4 see all of a 15x15 window, 2,2,2 only 49 pixels of 13x13 (the gridding effect: 120 holes),
// the hybrid 1,2,5 all of 17x17. Writes DIR/dilation_gridding.png.
// Run: build/examples/ex000_ex3_dilation [--output DIR]
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

std::string join(const std::vector<int64_t>& v) {
  std::string s;
  for (int64_t d : v) s += (s.empty() ? "" : ",") + std::to_string(d);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 000 Exercise 3 \"Applying Dilated (Atrous) Convolutions\"",
                           {{"--output", ".", "folder for the written files"}});
  const std::string out_dir = flags.str("--output");
  cnn::manual_seed(0);

  const cnn::Tensor x = cnn::randn({1, 4, 32, 32});
  fmt::print("Input {}; Conv2d(4, 8, kernel_size=3, stride=1, padding=dilation*(3//2)):\n", x.shape().str());
  fmt::print("dilation  padding  effective kernel  output shape       parameters  receptive field\n");
  for (int64_t d : {1, 2, 3}) {
    cnn::Conv2d conv(4, 8, {.kernel_size = 3, .stride = 1, .padding = d * (3 / 2), .dilation = d});
    const int64_t rf = cnn::receptive_fields(cnn::parse_layer_specs(fmt::format("conv3d{}", d))).back().rf;
    fmt::print("{:>8}  {:>7}  {:>16}  {:<17}  {:>10}  {:>15}\n", d, d, d * (3 - 1) + 1, conv(x).shape().str(),
               conv.num_parameters(), fmt::format("{}x{}", rf, rf));
  }
  fmt::print("Dilation spreads the same 9 weights over a (2d+1)x(2d+1) window: a larger field, no new parameters,\n"
             "no loss of resolution (useful for dense prediction: semantic segmentation as in DeepLab's atrous\n"
             "convolutions, audio generation as in WaveNet).\n\n");

  // Challenge: the gradient of the centre output of three stacked 3x3 convolutions (weights 1), input 33x33.
  const std::vector<std::vector<int64_t>> stacks{{1, 1, 1}, {1, 2, 4}, {2, 2, 2}, {1, 2, 5}};
  std::vector<cnn::viz::Panel> panels;
  fmt::print("stack (dilations)  RF formula  box seen   pixels seen  holes\n");
  for (const auto& dilations : stacks) {
    auto model = cnn::viz::dilated_stack(dilations);
    const cnn::Tensor grad = cnn::viz::gradient_receptive_field(*model, {1, 33, 33}, {16, 16});
    const cnn::viz::Window box = cnn::viz::bounding_box(grad, 0.0);
    int64_t seen = 0;
    for (float v : grad.to_vector<float>()) seen += v > 0.0f ? 1 : 0;
    std::string spec;
    for (int64_t d : dilations) spec += (spec.empty() ? "" : ",") + fmt::format("conv3d{}", d);
    const int64_t rf = cnn::receptive_fields(cnn::parse_layer_specs(spec)).back().rf;
    fmt::print("{:<17}  {:>10}  {:>8}  {:>11}  {:>5}\n", join(dilations), rf,
               fmt::format("{}x{}", box.height, box.width), seen, box.height * box.width - seen);
    panels.push_back({.rgb = cnn::viz::colorize(grad.slice(0, 6, 27).slice(1, 6, 27), cnn::viz::Colormap::hot),
                      .title = fmt::format("dilations {}\n{} of {}x{} seen", join(dilations), seen, box.height,
                                           box.width)});
    if (dilations == std::vector<int64_t>{2, 2, 2}) {
      fmt::print("  pixels seen by dilations 2,2,2 ('#'), 13x13 around the centre:\n");
      const auto g = grad.to_vector<float>();
      for (int64_t r = 10; r < 23; ++r) {
        std::string line = "   ";
        for (int64_t c = 10; c < 23; ++c) line += g[static_cast<size_t>(r * 33 + c)] > 0.0f ? " #" : " .";
        fmt::print("{}\n", line);
      }
    }
  }
  fmt::print("Gridding: when every rate shares a factor (2,2,2) the stacked kernels only ever touch pixels at even\n"
             "offsets, so most of the window is never seen. Hybrid dilated convolution (HDC) picks rates without a\n"
             "common factor (1,2,5) so the last layer's field has no holes.\n");
  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/dilation_gridding.png";
  cnn::viz::save_figure(path, {{.title = "", .panels = panels, .columns = 4}},
                        {.title = "Input pixels one output sees (21x21 crop)", .cell = 160});
  fmt::print("wrote {}\n", path);
  return 0;
}

// Seeds 001 Exercise 2 and Solution 2 "Visualize Receptive Fields": the gradient of the centre output pixel of the
// notebook's simple_model (conv3, ReLU, conv3, ReLU, maxpool2, conv3, ReLU) with respect to a zero 32x32 input,
// beside the analytic receptive field (10x10). Prints the map around the field and writes DIR/receptive_field.png.
// Run: build/examples/ex001_ex2_gradient_rf [--size S] [--output DIR]   (S: input height and width, default 32)
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 Exercise 2 and Solution 2 \"Visualize Receptive Fields\"",
                           {{"--size", "32", "input height and width"},
                            {"--output", ".", "folder for the written files"}});
  const int64_t size = flags.i64("--size");
  const std::string out_dir = flags.str("--output");
  cnn::manual_seed(42);
  cnn::Sequential simple_model(cnn::Conv2d(3, 64, {.kernel_size = 3, .padding = 1}), cnn::ReLU(),
                               cnn::Conv2d(64, 64, {.kernel_size = 3, .padding = 1}), cnn::ReLU(), cnn::MaxPool2d(2),
                               cnn::Conv2d(64, 128, {.kernel_size = 3, .padding = 1}), cnn::ReLU());
  simple_model.eval();
  const cnn::Shape input{3, size, size};
  const cnn::Pair2 position{size / 4, size / 4};  // the centre (h // 2, w // 2) of the size/2 output

  // |d out[0, :, y, x].sum() / d input| summed over RGB, for an input of zeros (the notebook's torch.zeros).
  const cnn::Tensor grad = cnn::viz::gradient_receptive_field(simple_model, input, position, "", 0.0);
  const cnn::viz::Window analytic = cnn::viz::analytic_receptive_field(simple_model, input, position);
  const cnn::viz::Window box = cnn::viz::bounding_box(grad, 0.0);
  const auto values = grad.to_vector<float>();
  int64_t nonzero = 0;
  for (float v : values) nonzero += v > 0.0f ? 1 : 0;

  fmt::print("Input [1, 3, {}, {}] -> output [1, 128, {}, {}]; output position ({}, {})\n", size, size, size / 2,
             size / 2, position.h, position.w);
  fmt::print("Analytic receptive field: {}x{}, rows {}-{}, columns {}-{}\n", analytic.height, analytic.width,
             analytic.top, analytic.top + analytic.height - 1, analytic.left, analytic.left + analytic.width - 1);
  fmt::print("Gradient non-zero: {} pixels, bounding box {}x{} at rows {}-{}, columns {}-{}\n", nonzero, box.height,
             box.width, box.top, box.top + box.height - 1, box.left, box.left + box.width - 1);
  const bool inside = box.top >= analytic.top && box.left >= analytic.left &&
                      box.top + box.height <= analytic.top + analytic.height &&
                      box.left + box.width <= analytic.left + analytic.width;
  fmt::print("Gradient inside the analytic field: {}\n", inside ? "yes" : "no");
  fmt::print("(max pooling sends the gradient to one input of each 2x2 window, so the gradient field can be\n"
             " smaller than the analytic one)\n\n");

  fmt::print("Normalised gradient around the field ('#' > 0.5, '+' > 0, '.' zero; rows and columns from 2 before "
             "the analytic field to 2 after):\n");
  const float peak = cnn::max(grad).item() > 0 ? static_cast<float>(cnn::max(grad).item()) : 1.0f;
  const int64_t last_row = std::min(size, analytic.top + analytic.height + 2);
  for (int64_t r = std::max<int64_t>(0, analytic.top - 2); r < last_row; ++r) {
    std::string line = fmt::format("{:>3} ", r);
    for (int64_t c = std::max<int64_t>(0, analytic.left - 2); c < std::min(size, analytic.left + analytic.width + 2);
         ++c) {
      const float v = values[static_cast<size_t>(r * size + c)] / peak;
      line += v > 0.5f ? '#' : v > 0.0f ? '+' : '.';
    }
    fmt::print("{}\n", line);
  }

  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/receptive_field.png";
  const cnn::viz::Box field{.top = static_cast<double>(analytic.top), .left = static_cast<double>(analytic.left),
                            .height = static_cast<double>(analytic.height),
                            .width = static_cast<double>(analytic.width)};
  const cnn::viz::Panel panel{.rgb = cnn::viz::colorize(grad / peak, cnn::viz::Colormap::hot),
                              .title = fmt::format("Receptive Field\nOutput position: ({}, {})", position.h,
                                                   position.w),
                              .boxes = {field}};
  cnn::viz::save_figure(path, {{.title = "", .panels = {panel}, .columns = 1}}, {.cell = 320});
  fmt::print("\nwrote {}\n", path);
  return inside && nonzero > 0 ? 0 : 1;
}

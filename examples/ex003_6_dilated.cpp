// Seeds 003 §6 "elaborate on dilated convolution" (and 002 §4.4): effective kernel K + (K-1)(r-1) = 3, 5, 7 with
// the same parameters, the tutorial's Conv2d(64, 128, 3, dilation=2, padding=2) keeping 64x64, DeepLab-style
// rates 1, 2, 4, 8, and the gridding artifact measured from gradients (rates 2, 2, 2 leave holes; 1, 2, 3 not).
// Writes ex003_6_gridding.png into --output.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

// The gradient field of the centre output of 3x3 convs with these dilations; prints its hole count.
cnn::Tensor gridding(const std::vector<int64_t>& dilations) {
  auto stack = cnn::viz::dilated_stack(dilations);
  const cnn::Tensor field = cnn::viz::gradient_receptive_field(*stack, {1, 33, 33}, {16, 16});
  const cnn::viz::Window box = cnn::viz::bounding_box(field, 0.0);
  const cnn::Tensor inside = field.slice(0, box.top, box.top + box.height).slice(1, box.left, box.left + box.width);
  const int64_t seen = static_cast<int64_t>(cnn::sum(cnn::clamp(inside * 1e6, 0.0, 1.0)).item() + 0.5);
  fmt::print("dilations {}: field {}x{}, input pixels used {} of {}, holes {}\n", fmt::join(dilations, ","),
             box.height, box.width, seen, box.height * box.width, box.height * box.width - seen);
  return field;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §6 \"elaborate on dilated convolution\" (and 002 §4.4)",
                           {{"--size", "64", "input height and width"},
                            {"--output", ".", "folder for the written files"}});

  const int64_t size = flags.i64("--size");
  const std::filesystem::path out = flags.str("--output");
  std::filesystem::create_directories(out);
  cnn::manual_seed(0);

  fmt::print("== Effective kernel size K_eff = K + (K-1)(r-1) ==\n");
  for (const int64_t r : {1, 2, 3}) {
    cnn::Conv2d conv(1, 1, {.kernel_size = 3, .dilation = r, .bias = false});
    const int64_t rf = cnn::receptive_fields(cnn::parse_layer_specs(fmt::format("conv3d{}", r))).back().rf;
    fmt::print("3x3, dilation {}: effective size {} (receptive field {}), weights {}\n", r, 3 + 2 * (r - 1), rf,
               conv.num_parameters());
  }

  fmt::print("\n== The tutorial's code example ==\n");
  cnn::Conv2d dilated(64, 128, {.kernel_size = 3, .padding = 2, .dilation = 2});
  const cnn::Tensor y = dilated(cnn::randn({1, 64, size, size}));
  fmt::print("Conv2d(64, 128, kernel_size=3, dilation=2, padding=2) on [1, 64, {}, {}] -> {} (resolution kept)\n",
             size, size, y.shape().str());
  fmt::print("parameters {} = 64 x 128 x 9 + 128, as without dilation\n",
             cnn::with_thousands(dilated.num_parameters()));

  fmt::print("\n== Stacked rates 1, 2, 4, 8 (DeepLab / WaveNet) ==\n");
  for (const cnn::RfStep& st : cnn::receptive_fields(cnn::parse_layer_specs("conv3d1,conv3d2,conv3d4,conv3d8")))
    fmt::print("{:<8} rf {}\n", st.layer.text, st.rf);

  fmt::print("\n== Gridding artifact ==\n");
  const cnn::Tensor holes = gridding({2, 2, 2});
  const cnn::Tensor dense = gridding({1, 2, 3});
  cnn::viz::save_figure((out / "ex003_6_gridding.png").string(),
                        {{.title = "gradient receptive field of the centre output",
                          .panels = {{.rgb = cnn::viz::colorize(holes, cnn::viz::Colormap::hot), .title = "d = 2,2,2"},
                                     {.rgb = cnn::viz::colorize(dense, cnn::viz::Colormap::hot),
                                      .title = "d = 1,2,3"}}}},
                        {.cell = 192});
  return 0;
}

// Seeds 003 §1 and the worked receptive-field examples: RF_l = RF_{l-1} + (K_l - 1) J_{l-1}, J_l = J_{l-1} S_l
// from RF_0 = 1, J_0 = 1, for three 3x3 stride-1 convs (7x7), the stride-2 variant (9x9, jump 4) and the
// derivation's two layers (5x5, jump 2); each field is measured from gradients of a real conv stack as well.
// Writes ex003_receptive_field.png (the measured field of the stride-2 variant) into --output.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <string>

#include "example_args.h"

namespace {

// The layers as Conv2d(1, 1) with all weights 1 (no cancellation), so the gradient field is exactly the RF.
std::shared_ptr<cnn::Sequential> conv_stack(const std::vector<cnn::LayerSpec>& specs) {
  auto net = std::make_shared<cnn::Sequential>();
  for (const cnn::LayerSpec& s : specs) {
    auto conv = net->push_back(
        cnn::Conv2d(1, 1, {.kernel_size = s.kernel, .stride = s.stride, .padding = s.padding, .bias = false}));
    conv->weight.detach().fill_(1.0);
  }
  return net;
}

cnn::Tensor example(const std::string& title, const std::string& layers, int64_t size) {
  fmt::print("== {} ({}) ==\n", title, layers);
  const auto specs = cnn::parse_layer_specs(layers);
  fmt::print("{:<8} {:>2} {:>2}  {:<26} {}\n", "layer", "K", "S", "RF_l = RF_{l-1} + (K-1) J", "J_l = J_{l-1} S");
  int i = 1;
  for (const cnn::RfStep& st : cnn::receptive_fields(specs, size))
    fmt::print("Conv{:<4} {:>2} {:>2}  {:<26} {}\n", i++, st.layer.kernel, st.layer.stride,
               fmt::format("{} + {} x {} = {}", st.rf_in, st.layer.kernel - 1, st.jump_in, st.rf),
               fmt::format("{} x {} = {}", st.jump_in, st.layer.stride, st.jump));
  auto net = conv_stack(specs);
  const int64_t out = (*net)(cnn::zeros({1, 1, size, size})).size(2);
  const cnn::Tensor field = cnn::viz::gradient_receptive_field(*net, {1, size, size}, {out / 2, out / 2});
  const cnn::viz::Window box = cnn::viz::bounding_box(field, 0.0);
  fmt::print("measured from gradients at output ({}, {}) of {}x{}: {}x{} input pixels\n\n", out / 2, out / 2, out,
             out, box.height, box.width);
  return field;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §1 and the worked receptive-field examples",
                           {{"--size", "32", "input height and width"},
                            {"--output", ".", "folder for the written files"}});

  const int64_t size = flags.i64("--size");
  const std::filesystem::path out = flags.str("--output");
  std::filesystem::create_directories(out);

  fmt::print("003 §1, stride 1: RF = previous RF + (kernel - 1): 1 -> 3 -> 5 -> 7\n\n");
  example("Three 3x3 convs, stride 1, padding 1", "conv3p1,conv3p1,conv3p1", size);
  const cnn::Tensor field = example("Conv2 and Conv3 with stride 2", "conv3p1,conv3s2p1,conv3s2p1", size);
  example("Derivation example: 3x3 s1 then 3x3 s2", "conv3p1,conv3s2p1", size);
  fmt::print("document: 7x7 (J=1), 9x9 with each Conv3 step moving 4 input pixels, 5x5 with J=2\n");

  cnn::viz::save_figure((out / "ex003_receptive_field.png").string(),
                        {{.title = "d out[centre] / d input, Conv3 of the stride-2 variant",
                          .panels = {{.rgb = cnn::viz::colorize(field, cnn::viz::Colormap::hot),
                                      .title = "gradient receptive field"}}}},
                        {.cell = 256});
  return 0;
}

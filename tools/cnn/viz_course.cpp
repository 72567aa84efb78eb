// `cnn viz conv-params`, `cnn viz transpose` and `cnn viz autoencoder`: the course's convolution figures
// (001 §1.2, exercise 2 and its challenge). Not models or gradients (viz_model.cpp, viz_explain.cpp).
#include <cnn/viz.h>
#include <fmt/format.h>

#include "viz_common.h"

namespace cnn::cli {

namespace {

struct TransposeArgs {
  int64_t size = 8;
  std::string output = "transpose.png";
};

struct AutoencoderArgs : VizArgs {
  int64_t count = 8;
  int64_t steps = 200;
};

void run_autoencoder(const AutoencoderArgs& a) {
  const DatasetSpec d = a.spec().data();
  auto data = load_dataset(d.name, d.dir, true);
  const Shape s = data->image_shape();
  Tensor x = Tensor::empty({a.count, s[0], s[1], s[2]});
  for (int64_t i = 0; i < a.count; ++i) x[i].copy_(data->get(i).image);
  const double loss = viz::autoencoder_demo(a.output, x, a.steps);
  fmt::print("autoencoder: MSE {:.4f} after {} steps on {} images; wrote {}\n", loss, a.steps, a.count, a.output);
}

}  // namespace

void add_viz_course_commands(CLI::App* viz) {
  auto c = std::make_shared<VizArgs>();
  CLI::App* conv = viz->add_subcommand("conv-params", "One image through 3x3 convolutions with different padding, "
                                                      "stride and dilation; output shapes in the titles.");
  add_viz_flags(conv, *c, "conv_params.png");
  conv->callback([c] {
    viz::save_conv_params_figure(c->output, load_viz_image(*c, c->spec()).image);
    fmt::print("wrote {}\n", c->output);
  });

  auto t = std::make_shared<TransposeArgs>();
  CLI::App* transpose = viz->add_subcommand("transpose", "ConvTranspose2d output sizes over kernel, stride, padding "
                                                         "and output_padding (exercise 2), printed and drawn.");
  transpose->add_option("--size", t->size, "Input height and width")->check(CLI::PositiveNumber)->capture_default_str();
  transpose->add_option("-o,--output", t->output, "Picture to write (.png or .svg)")->capture_default_str();
  transpose->callback([t] {
    for (const std::string& row : viz::transpose_sizes(t->output, t->size)) fmt::print("{}\n", row);
    fmt::print("wrote {}\n", t->output);
  });

  auto e = std::make_shared<AutoencoderArgs>();
  CLI::App* ae = viz->add_subcommand("autoencoder", "Conv2d then ConvTranspose2d trained briefly (MSE, Adam): inputs "
                                                    "above their reconstructions.");
  add_viz_flags(ae, *e, "autoencoder.png", false);
  ae->add_option("--count", e->count, "Training images (the first ones)")->check(CLI::PositiveNumber)->capture_default_str();
  ae->add_option("--steps", e->steps, "Adam steps")->check(CLI::PositiveNumber)->capture_default_str();
  ae->callback([e] { run_autoencoder(*e); });
}

}  // namespace cnn::cli

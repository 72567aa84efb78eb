// `cnn viz saliency`, `cnn viz gradcam` and `cnn viz rf`: gradient pictures for one image or one output position.
// Not the methods (library: viz_interpret.h); this file picks inputs, arranges panels and prints figures.
#include <cnn/models.h>
#include <cnn/ops.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include "viz_common.h"

namespace cnn::cli {

namespace {

// 1 where the plane is non-zero, else 0.
Tensor nonzero_mask(const Tensor& plane) {
  std::vector<float> v = plane.contiguous().to_vector<float>();
  for (float& x : v) x = x != 0.0f ? 1.0f : 0.0f;
  return from_vector(v, plane.shape());
}

std::string class_name(const std::vector<std::string>& classes, int64_t c) {
  return c >= 0 && c < static_cast<int64_t>(classes.size()) ? classes[c] : std::to_string(c);
}

struct SaliencyArgs : VizArgs {
  int64_t target = -1;
  int64_t smooth = 0;
  double noise = 0.15;
};

void run_saliency(const SaliencyArgs& a) {
  const RunSpec spec = a.spec();
  const std::vector<std::string> classes = spec.class_names();
  ModulePtr model = load_viz_model(a, spec);
  const Example e = load_viz_image(a, spec);
  const int64_t target = a.target >= 0 ? a.target : viz::predict(*model, e.image);
  const Tensor rgb = viz::to_rgb(e.image);
  const Tensor plain = viz::saliency(*model, e.image, {.target = target});
  std::vector<viz::Panel> panels{{.rgb = rgb, .title = fmt::format("input\ntrue {}", e.label < 0 ? "?" : class_name(classes, e.label))},
                                 {.rgb = viz::colorize(plain, viz::Colormap::hot), .title = "|d score/d x|\n"}};
  if (a.smooth > 0) {
    const Tensor smooth = viz::saliency(*model, e.image, {.target = target, .samples = a.smooth, .noise = a.noise});
    panels.push_back({.rgb = viz::colorize(smooth, viz::Colormap::hot),
                      .title = fmt::format("SmoothGrad\nn={} sigma={}", a.smooth, a.noise)});
  }
  NoGradGuard no_grad;
  panels.push_back({.rgb = viz::overlay(rgb, plain / max(plain).item(), viz::Colormap::hot, 0.7), .title = "overlay\n"});
  viz::save_figure(a.output, {{.title = "", .panels = panels, .columns = 4}},
                   {.title = fmt::format("{} saliency for class {}", spec.model, class_name(classes, target)), .cell = 160});
  fmt::print("class {} ({}); wrote {}\n", target, class_name(classes, target), a.output);
}

struct GradCamArgs : VizArgs {
  std::string layer{};
  int64_t target = -1;
  int64_t count = 1;
};

void run_gradcam(const GradCamArgs& a) {
  CNN_CHECK(a.image.empty() || a.count == 1, "viz gradcam: --count needs test samples, not --image");
  const RunSpec spec = a.spec();
  const std::vector<std::string> classes = spec.class_names();
  ModulePtr model = load_viz_model(a, spec);
  const Example first = load_viz_image(a, spec);
  const std::string layer = a.layer.empty() ? viz::gradcam_layer(*model, first.image.shape()) : a.layer;
  std::vector<viz::Panel> panels;
  double mass = 0;
  for (int64_t i = 0; i < a.count; ++i) {
    VizArgs one = a;
    one.index = a.index + i;
    const Example e = i == 0 ? first : load_viz_image(one, spec);
    const viz::GradCam cam = viz::gradcam(*model, layer, e.image, a.target);
    // The digit's bounding box: pixels brighter than the background (the image's minimum) by 1% of the range.
    const Tensor plane = e.image[0];
    const double lo = min(plane).item(), hi = max(plane).item();
    const viz::Window box = viz::bounding_box(plane, lo + 0.01 * (hi - lo));
    const double inside = viz::mass_inside(cam.heatmap, box);
    mass += inside;
    if (i < 8) {
      const Tensor rgb = viz::to_rgb(e.image);
      panels.push_back({.rgb = rgb, .title = fmt::format("#{} true {}", one.index, e.label < 0 ? "?" : class_name(classes, e.label))});
      panels.push_back({.rgb = viz::overlay(rgb, cam.heatmap, viz::Colormap::hot, 0.7),
                        .title = fmt::format("{}: {:.0f}% in box", class_name(classes, cam.target), 100 * inside),
                        .boxes = {{.top = static_cast<double>(box.top), .left = static_cast<double>(box.left),
                                   .height = static_cast<double>(box.height), .width = static_cast<double>(box.width)}}});
    }
  }
  viz::save_figure(a.output, {{.title = "", .panels = panels, .columns = 4}},
                   {.title = fmt::format("{} Grad-CAM at {} (box: the digit's bounding box)", spec.model, layer), .cell = 140});
  fmt::print("Grad-CAM at {}: {:.1f}% of the mass inside the digit's bounding box (mean over {} image{}); wrote {}\n",
             layer, 100 * mass / static_cast<double>(a.count), a.count, a.count == 1 ? "" : "s", a.output);
}

struct RfArgs : VizArgs {
  std::vector<std::string> dilations{};
  std::string position{};
  std::string layer{};
  std::string input{};
};

viz::Section rf_section(Module& model, const std::string& title, const Shape& input, const std::string& position,
                        const std::string& layer) {
  Tensor probe = zeros({1, input[0], input[1], input[2]});
  Shape out;
  {
    NoGradGuard no_grad;
    out = layer.empty() ? model(probe).shape() : viz::forward_capture(model, layer, probe).first.shape();
  }
  CNN_CHECK(out.dim() == 4, "viz rf: the output of {} has shape {}; name a conv layer with --layer",
            layer.empty() ? "the model" : layer, out);
  const std::vector<int64_t> p = position.empty() ? std::vector<int64_t>{out[2] / 2, out[3] / 2}
                                                  : parse_ints(position, "--position");
  CNN_CHECK(p.size() == 2, "viz rf: --position expects y,x, got '{}'", position);
  const Tensor g = viz::gradient_receptive_field(model, input, {p[0], p[1]}, layer);
  const viz::Window rf = viz::analytic_receptive_field(model, input, {p[0], p[1]}, layer);
  const viz::Window seen = viz::bounding_box(g, 0.0);
  const auto nonzero = static_cast<int64_t>(sum(nonzero_mask(g)).item());
  fmt::print("{}: output {} position ({}, {}): gradient non-zero on {} pixels, bounding box {}x{} at ({}, {}) with {} "
             "holes; analytic receptive field {}x{} at ({}, {})\n",
             title, out, p[0], p[1], nonzero, seen.height, seen.width, seen.top, seen.left,
             seen.height * seen.width - nonzero, rf.height, rf.width, rf.top, rf.left);
  const viz::Box box{.top = static_cast<double>(rf.top), .left = static_cast<double>(rf.left),
                     .height = static_cast<double>(rf.height), .width = static_cast<double>(rf.width)};
  NoGradGuard no_grad;
  return {.title = title,
          .panels = {{.rgb = viz::colorize(g, viz::Colormap::hot),
                      .title = fmt::format("|grad| at ({}, {})", p[0], p[1]), .boxes = {box}},
                     {.rgb = viz::colorize(nonzero_mask(g), viz::Colormap::gray),
                      .title = fmt::format("non-zero: {} px, {} holes", nonzero, seen.height * seen.width - nonzero),
                      .boxes = {box}}},
          .columns = 2};
}

void run_rf(const RfArgs& a) {
  std::vector<viz::Section> sections;
  if (a.dilations.empty()) {
    const RunSpec spec = a.spec();
    ModulePtr model = load_viz_model(a, spec);
    const Shape input = !a.input.empty()       ? Shape(parse_ints(a.input, "--input"))
                        : a.source.run.empty() ? models::default_input_shape(spec.model, spec.model_options())
                                               : spec.input_shape();
    sections.push_back(rf_section(*model, fmt::format("{}{}", spec.model, a.layer.empty() ? "" : " " + a.layer), input,
                                  a.position, a.layer));
  } else {
    const Shape input = a.input.empty() ? Shape{1, 32, 32} : Shape(parse_ints(a.input, "--input"));
    for (const std::string& d : a.dilations) {
      ModulePtr stack = viz::dilated_stack(parse_ints(d, "--dilations"));
      sections.push_back(rf_section(*stack, "3x3 convs, dilations " + d, input, a.position, ""));
    }
  }
  viz::save_figure(a.output, sections,
                   {.title = "Gradient receptive field (box: analytic receptive field)", .cell = 224, .side_by_side = true});
  fmt::print("wrote {}\n", a.output);
}

}  // namespace

void add_viz_explain_commands(CLI::App* viz) {
  auto s = std::make_shared<SaliencyArgs>();
  CLI::App* saliency = viz->add_subcommand("saliency", "|d score / d input| for one image, optionally SmoothGrad.");
  add_viz_flags(saliency, *s, "saliency.png");
  saliency->add_option("--class", s->target, "Class to explain (default: the predicted one)");
  saliency->add_option("--smooth", s->smooth, "SmoothGrad samples (0: off)")->check(CLI::NonNegativeNumber);
  saliency->add_option("--noise", s->noise, "SmoothGrad noise sigma, as a fraction of the image's range")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  saliency->callback([s] { run_saliency(*s); });

  auto g = std::make_shared<GradCamArgs>();
  CLI::App* gradcam = viz->add_subcommand("gradcam", "Grad-CAM heatmap over the image at a layer, for any class.");
  add_viz_flags(gradcam, *g, "gradcam.png");
  gradcam->add_option("--layer", g->layer, "Layer whose activations are weighted (default: the last Conv2d)");
  gradcam->add_option("--class", g->target, "Class to explain (default: the predicted one)");
  gradcam->add_option("--count", g->count, "Test samples from --index; prints the mean Grad-CAM mass inside the "
                                           "digit's bounding box")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  gradcam->callback([g] { run_gradcam(*g); });

  auto r = std::make_shared<RfArgs>();
  CLI::App* rf = viz->add_subcommand("rf", "Gradient receptive field of one output position, with the analytic box.");
  add_viz_flags(rf, *r, "rf.png", false);
  rf->add_option("--dilations", r->dilations, "A stack of 3x3 convs with these dilations instead of --model "
                                               "(repeat to compare, e.g. --dilations 2,2,2 --dilations 1,2,5)");
  rf->add_option("--position", r->position, "Output position y,x (default: the centre)");
  rf->add_option("--layer", r->layer, "Layer whose output position is traced (default: the model's output)");
  rf->add_option("--input", r->input, "Input shape C,H,W (default: the model's; 1,32,32 for --dilations)");
  rf->callback([r] { run_rf(*r); });
}

}  // namespace cnn::cli

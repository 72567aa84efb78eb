// `cnn viz occlusion`, `top-patches`, `guided` and `class-model`: the CS231n ways of seeing inside a trained run.
// Not the methods (library: viz_inside.h) nor t-SNE (viz_tsne.cpp); this file picks inputs and lays out panels.
#include <cnn/ops.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include "viz_common.h"

namespace cnn::cli {

std::string class_label(const std::vector<std::string>& classes, int64_t c) {
  return c >= 0 && c < static_cast<int64_t>(classes.size()) ? classes[static_cast<size_t>(c)] : std::to_string(c);
}

std::string run_title(const VizArgs& a, const RunSpec& spec) {
  return fmt::format("{} ({})", spec.model, weights_label(resolve_weights(a.source, spec)));
}

namespace {

// The test samples --index, --index + 1, ... (--count of them), or the --image file alone.
std::vector<std::pair<std::string, Example>> viz_images(const VizArgs& a, const RunSpec& spec, int64_t count,
                                                        const std::vector<std::string>& classes) {
  CNN_CHECK(a.image.empty() || count == 1, "viz: --count needs test samples, not --image");
  std::vector<std::pair<std::string, Example>> out;
  for (int64_t i = 0; i < count; ++i) {
    VizArgs one = a;
    one.index = a.index + i;
    Example e = load_viz_image(one, spec);
    out.emplace_back(e.label < 0 ? "input" : fmt::format("#{} true {}", one.index, class_label(classes, e.label)), e);
  }
  return out;
}

// A signed map [C, H, W] as RGB: one channel through the diverging map (white at 0), three channels as colours
// around grey, both scaled by the largest |value|.
Tensor signed_rgb(const Tensor& g) {
  NoGradGuard no_grad;
  if (g.size(0) == 1) return viz::colorize(g[0], viz::Colormap::diverging);
  const double m = max(abs(g)).item();
  return clamp(m > 0 ? g / (2 * m) + 0.5 : g * 0.0 + 0.5, 0.0, 1.0).contiguous();
}

struct OcclusionArgs : VizArgs {
  viz::OcclusionOptions options{};
  int64_t count = 4;
};

void run_occlusion(const OcclusionArgs& a) {
  const RunSpec spec = a.spec();
  const std::vector<std::string> classes = spec.class_names();
  ModulePtr model = load_viz_model(a, spec);
  std::vector<viz::Panel> panels;
  for (const auto& [title, e] : viz_images(a, spec, a.count, classes)) {
    const viz::Occlusion o = viz::occlusion(*model, e.image, a.options);
    const double peak = max(o.heatmap).item();
    const std::string name = class_label(classes, o.target);
    const Tensor rgb = viz::to_rgb(e.image);
    NoGradGuard no_grad;
    panels.push_back({.rgb = rgb, .title = fmt::format("{}\np({}) = {:.2f}", title, name, o.probability)});
    panels.push_back({.rgb = viz::colorize(o.heatmap, viz::Colormap::diverging),
                      .title = fmt::format("drop in p({})\nmax {:.2f}", name, peak)});
    panels.push_back({.rgb = viz::overlay(rgb, relu(o.heatmap) / std::max(peak, 1e-12), viz::Colormap::hot, 0.7),
                      .title = "drop > 0 over\nthe image"});
    fmt::print("{}: class {} ({}) p = {:.4f}; largest drop {:.4f} ({} patch positions)\n", title, o.target, name,
               o.probability, peak, o.coarse.numel());
  }
  viz::save_figure(a.output,
                   {{.title = "red: the class's probability drops with the patch there; blue: it rises",
                     .panels = panels, .columns = 6}},
                   {.title = fmt::format("{}: occlusion by a {}x{} patch of {} (the mean), stride {}", run_title(a, spec),
                                         a.options.patch, a.options.patch, a.options.fill, a.options.stride),
                    .cell = 120});
  fmt::print("wrote {}\n", a.output);
}

struct TopPatchArgs : VizArgs {
  std::string layer{};
  std::string channels{};
  viz::TopActivationOptions options{.limit = 2000};
};

// The receptive field as a picture of its full size: the image's pixels inside it, light grey where it passes
// the image's edges.
Tensor field_picture(const Tensor& rgb, const viz::TopActivation& t) {
  const viz::Window& rf = t.receptive_field;
  Tensor out = full({3, rf.height, rf.width}, 0.85);
  NoGradGuard no_grad;
  out.slice(1, t.field.top - rf.top, t.field.top - rf.top + t.field.height)
      .slice(2, t.field.left - rf.left, t.field.left - rf.left + t.field.width)
      .copy_(viz::crop(rgb, t.field));
  return out;
}

void run_top_patches(const TopPatchArgs& a) {
  const RunSpec spec = a.spec();
  const std::vector<std::string> classes = spec.class_names();
  ModulePtr model = load_viz_model(a, spec);
  const auto test = spec.open_eval().test;
  const std::string layer = a.layer.empty() ? viz::gradcam_layer(*model, spec.input_shape()) : a.layer;
  viz::TopActivationOptions options = a.options;
  if (!a.channels.empty()) options.channels = parse_ints(a.channels, "--channel-list");
  const auto top = viz::top_activations(*model, *test, layer, options);
  const int64_t seen = std::min(options.limit < 0 ? test->size() : options.limit, test->size());
  std::vector<viz::Section> sections;
  for (size_t k = 0; k < top.size(); ++k) {
    viz::Section s{.title = "", .panels = {}, .columns = options.top};
    for (const viz::TopActivation& t : top[k]) {
      if (s.title.empty())
        s.title = fmt::format("channel {}{}", options.channels.empty() ? static_cast<int64_t>(k) : options.channels[k],
                              k > 0 ? "" : fmt::format(": {}x{} receptive fields, titled label (activation)",
                                                       t.receptive_field.height, t.receptive_field.width));
      s.panels.push_back({.rgb = field_picture(viz::to_rgb(test->get(t.image).image), t),
                          .title = fmt::format("{} ({:.1f})", class_label(classes, t.label), t.value)});
    }
    sections.push_back(s);
  }
  viz::save_figure(a.output, sections,
                   {.title = fmt::format("{}: top {} of {} test images per {} channel", run_title(a, spec),
                                         options.top, seen, layer),
                    .cell = 56});
  fmt::print("layer {}: top {} of {} images for {} channels; wrote {}\n", layer, options.top, seen, top.size(), a.output);
}

struct GuidedArgs : VizArgs {
  std::string layer{};
  int64_t target = -1;
  int64_t count = 4;
};

void run_guided(const GuidedArgs& a) {
  const RunSpec spec = a.spec();
  const std::vector<std::string> classes = spec.class_names();
  ModulePtr model = load_viz_model(a, spec);
  const std::string layer = a.layer.empty() ? viz::gradcam_layer(*model, spec.input_shape()) : a.layer;
  std::vector<viz::Panel> panels;
  for (const auto& [title, e] : viz_images(a, spec, a.count, classes)) {
    const int64_t target = a.target >= 0 ? a.target : viz::predict(*model, e.image);
    const std::string name = class_label(classes, target);
    const Tensor rgb = viz::to_rgb(e.image);
    const viz::GradCam cam = viz::gradcam(*model, layer, e.image, target);
    panels.push_back({.rgb = rgb, .title = fmt::format("{}\nexplaining {}", title, name)});
    for (auto [rule, what] : {std::pair{ReluBackwardRule::standard, "gradient\n(chain rule)"},
                              std::pair{ReluBackwardRule::deconvnet, "deconvnet\n(g > 0)"},
                              std::pair{ReluBackwardRule::guided, "guided backprop\n(x > 0 and g > 0)"}})
      panels.push_back({.rgb = signed_rgb(viz::backprop(*model, e.image, {.rule = rule, .target = target})),
                        .title = what});
    panels.push_back({.rgb = viz::overlay(rgb, cam.heatmap, viz::Colormap::hot, 0.7),
                      .title = fmt::format("Grad-CAM\n{}", layer)});
    panels.push_back({.rgb = signed_rgb(viz::guided_gradcam(*model, layer, e.image, target)),
                      .title = "guided Grad-CAM\n(guided x Grad-CAM)"});
  }
  viz::save_figure(a.output, {{.title = "", .panels = panels, .columns = 6}},
                   {.title = fmt::format("{}: d score / d input, three ReLU backward rules (red +, blue -, white 0)",
                                         run_title(a, spec)),
                    .cell = 120});
  fmt::print("wrote {}\n", a.output);
}

struct ClassModelArgs : VizArgs {
  std::string classes{};
  viz::ClassModelOptions options{};
  bool no_clamp = false;
};

// The smallest and largest values a normalised input can take: black and white through the eval transform.
std::pair<double, double> pixel_range(const RunSpec& spec) {
  const Shape in = spec.input_shape();
  const auto size = static_cast<size_t>(in.numel());
  auto value = [&](uint8_t byte, bool low) {
    const Tensor t = (*spec.eval_transform())(Image::from_bytes(in[1], in[2], in[0], std::vector<uint8_t>(size, byte)))
                         .to_tensor();
    return low ? min(t).item() : max(t).item();
  };
  return {value(0, true), value(255, false)};
}

void run_class_model(const ClassModelArgs& a) {
  const RunSpec spec = a.spec();
  const std::vector<std::string> names = spec.class_names();
  ModulePtr model = load_viz_model(a, spec);
  std::vector<int64_t> targets = a.classes.empty() ? std::vector<int64_t>{} : parse_ints(a.classes, "--classes");
  if (targets.empty())
    for (int64_t c = 0; c < spec.classes(); ++c) targets.push_back(c);
  viz::ClassModelOptions options = a.options;
  const auto [lo, hi] = pixel_range(spec);
  if (!a.no_clamp) options.min_value = lo, options.max_value = hi;
  std::vector<viz::Panel> panels;
  for (int64_t c : targets) {
    const viz::ClassModel m = viz::class_model(*model, spec.input_shape(), c, options);
    const Tensor rgb = m.image.size(0) == 1 ? viz::colorize(m.image[0], viz::Colormap::gray, std::pair{lo, hi})
                                            : viz::to_rgb(m.image);
    panels.push_back({.rgb = rgb, .title = fmt::format("{}\nscore {:.1f} -> {:.1f}", class_label(names, c),
                                                       m.scores.front(), m.scores.back())});
    fmt::print("class {} ({}): score {:.3f} -> {:.3f}, |I| {:.2f}\n", c, class_label(names, c), m.scores.front(),
               m.scores.back(), m.norms.back());
  }
  const std::string extras = (options.jitter > 0 ? fmt::format(", jitter {}", options.jitter) : "") +
                             (options.blur_every > 0 ? fmt::format(", blur every {}", options.blur_every) : "");
  viz::save_figure(a.output,
                   {{.title = fmt::format("ascent on S_c(I) - {} |I|^2 from the mean image: {} steps of {}{}", options.l2,
                                          options.steps, options.lr, extras),
                     .panels = panels, .columns = std::min<int64_t>(5, std::ssize(panels))}},
                   {.title = fmt::format("{}: class models (Simonyan et al. 2014)", run_title(a, spec)), .cell = 112});
  fmt::print("wrote {}\n", a.output);
}

}  // namespace

void add_viz_inside_commands(CLI::App* viz) {
  auto o = std::make_shared<OcclusionArgs>();
  CLI::App* occ = viz->add_subcommand("occlusion", "Occlusion sensitivity: the drop in the class's probability as a "
                                                   "patch slides over the image (Zeiler & Fergus 2014).");
  add_viz_flags(occ, *o, "occlusion.png");
  occ->add_option("--patch", o->options.patch, "Side of the square patch, in pixels")
      ->check(CLI::PositiveNumber)->capture_default_str();
  occ->add_option("--stride", o->options.stride, "Step between patch positions")
      ->check(CLI::PositiveNumber)->capture_default_str();
  occ->add_option("--fill", o->options.fill, "The patch's value after normalisation (0: the dataset mean)")
      ->capture_default_str();
  occ->add_option("--class", o->options.target, "Class to watch (default: the predicted one)");
  occ->add_option("--count", o->count, "Test samples from --index")->check(CLI::PositiveNumber)->capture_default_str();
  occ->callback([o] { run_occlusion(*o); });

  auto t = std::make_shared<TopPatchArgs>();
  CLI::App* top = viz->add_subcommand("top-patches", "The test images and positions that excite each channel of a "
                                                     "layer most, cropped to the receptive field.");
  add_viz_flags(top, *t, "top_patches.png", false);
  top->add_option("--layer", t->layer, "Layer (default: the activation after the last Conv2d, as gradcam)");
  top->add_option("--channels", t->options.max_channels, "The first N channels")
      ->check(CLI::PositiveNumber)->capture_default_str();
  top->add_option("--channel-list", t->channels, "These channels instead, e.g. 0,5,9");
  top->add_option("--top", t->options.top, "Images per channel")->check(CLI::PositiveNumber)->capture_default_str();
  top->add_option("--limit", t->options.limit, "Test images searched (the first N)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  top->callback([t] { run_top_patches(*t); });

  auto g = std::make_shared<GuidedArgs>();
  CLI::App* guided = viz->add_subcommand("guided", "Guided backpropagation, the deconvnet and guided Grad-CAM next "
                                                   "to the plain gradient, for test images.");
  add_viz_flags(guided, *g, "guided.png");
  guided->add_option("--layer", g->layer, "Grad-CAM's layer (default: the activation after the last Conv2d)");
  guided->add_option("--class", g->target, "Class to explain (default: the predicted one)");
  guided->add_option("--count", g->count, "Test samples from --index")->check(CLI::PositiveNumber)->capture_default_str();
  guided->callback([g] { run_guided(*g); });

  auto c = std::make_shared<ClassModelArgs>();
  CLI::App* cm = viz->add_subcommand("class-model", "Class-model visualisation: the image gradient ascent makes for "
                                                    "each class's score (Simonyan et al. 2014).");
  add_viz_flags(cm, *c, "class_model.png", false);
  cm->add_option("--classes", c->classes, "Classes, e.g. 0,3,7 (default: all)");
  cm->add_option("--steps", c->options.steps, "Gradient ascent steps")->check(CLI::NonNegativeNumber)->capture_default_str();
  cm->add_option("--lr", c->options.lr, "Step size")->check(CLI::PositiveNumber)->capture_default_str();
  cm->add_option("--l2", c->options.l2, "lambda of the L2 penalty")->check(CLI::NonNegativeNumber)->capture_default_str();
  cm->add_option("--jitter", c->options.jitter, "Random shifts of up to N pixels per step")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cm->add_option("--blur-every", c->options.blur_every, "3x3 Gaussian blur every N steps (0: never)")
      ->check(CLI::NonNegativeNumber)->capture_default_str();
  cm->add_option("--seed", c->options.seed, "Seed of the jitter")->capture_default_str();
  cm->add_flag("--no-clamp", c->no_clamp, "Do not clamp pixels to the range of normalised images");
  cm->callback([c] { run_class_model(*c); });

  add_viz_tsne_command(viz);
}

}  // namespace cnn::cli

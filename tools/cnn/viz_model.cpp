// `cnn viz filters` and `cnn viz features`: a layer's filters as a grid (optionally two models side by side)
// and per-layer feature maps for one image. Not gradients (viz_explain.cpp).
#include <cnn/autograd.h>
#include <cnn/models.h>
#include <cnn/nn.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>

#include "viz_common.h"

namespace cnn::cli {

namespace {

struct FilterArgs : VizArgs {
  std::string layer{};
  std::string compare{};
  std::string compare_dataset{};
  int64_t in_channels = 1;
  bool init = false;
};

Conv2d& conv_layer(Module& model, const std::string& layer) {
  auto* conv = dynamic_cast<Conv2d*>(&viz::find_module(model, layer));
  CNN_CHECK(conv != nullptr, "viz filters: layer '{}' is a {}, not a Conv2d", layer,
            viz::find_module(model, layer).type_name());
  return *conv;
}

// --init: the random initialisation the run started from (rebuilt from its seed), and each trained panel titled
// with how far its filter moved from it.
viz::Section init_section(const RunSpec& spec, const std::string& layer, viz::Section& trained, const Tensor& w,
                          int64_t in_channels) {
  ModulePtr initial = spec.initial_model();
  const Tensor& w0 = conv_layer(*initial, layer).weight;
  const std::vector<double> moved = viz::filter_movement(w, w0);
  const size_t per_filter = trained.panels.size() / std::min<size_t>(moved.size(), 64);
  for (size_t i = 0; i < trained.panels.size(); ++i)
    trained.panels[i].title += fmt::format("\n{:.0f}%", 100 * moved[i / per_filter]);
  double lo = moved[0], hi = moved[0], mean = 0;
  for (double m : moved) lo = std::min(lo, m), hi = std::max(hi, m), mean += m / double(moved.size());
  trained.title += fmt::format("; change from the start, |W - W0| / |W0|: {:.0f}% to {:.0f}%, mean {:.0f}%", 100 * lo,
                               100 * hi, 100 * mean);
  fmt::print("{}: {} filters moved {:.1f}% to {:.1f}% of their initial norm (mean {:.1f}%) from the seed-{} "
             "initialisation\n",
             layer, moved.size(), 100 * lo, 100 * hi, 100 * mean, spec.seed);
  return {.title = fmt::format("random initialisation (seed {}): {} {}", spec.seed, layer, w0.shape()),
          .panels = viz::filter_panels(w0, 64, in_channels),
          .columns = trained.columns};
}

viz::Section filter_section(const RunSpec& spec, ModulePtr model, const std::string& weights,
                            const std::string& wanted_layer, int64_t in_channels) {
  const std::string layer = wanted_layer.empty() ? viz::first_conv_layer(*model, spec.input_shape()) : wanted_layer;
  const Tensor& w = conv_layer(*model, layer).weight;
  const std::string source = weights.empty() ? fmt::format("untrained, for {}", spec.dataset)
                                             : fmt::format("{}, trained on {}", weights_label(weights), spec.dataset);
  return {.title = fmt::format("{}: {} {}", source, layer, w.shape()),
          .panels = viz::filter_panels(w, 64, in_channels),
          .columns = w.size(1) == 3 || in_channels == 1 ? 8 : in_channels};
}

// The second panel of --compare: a run folder (its own model and dataset) or a weights file for the same model.
viz::Section compare_section(const FilterArgs& a, const RunSpec& first) {
  if (std::filesystem::is_directory(a.compare)) {
    RunSource other;
    other.run = a.compare;
    const RunSpec spec = resolve_run(other, "viz filters");
    return filter_section(spec, load_run_model(other, spec, "viz filters"), spec.weights(), a.layer, a.in_channels);
  }
  RunSpec spec = first;
  if (!a.compare_dataset.empty()) spec.dataset = a.compare_dataset, spec.data_dir.clear();
  return filter_section(spec, load_viz_model(a, spec, a.compare), a.compare, a.layer, a.in_channels);
}

void run_filters(const FilterArgs& a) {
  const RunSpec spec = a.spec();
  const std::string weights = resolve_weights(a.source, spec);
  ModulePtr model = load_viz_model(a, spec);
  std::vector<viz::Section> sections{filter_section(spec, model, weights, a.layer, a.in_channels)};
  if (a.init) {
    CNN_CHECK(!weights.empty(), "viz filters --init: no trained weights to compare with\nHINT: pass a run folder");
    const std::string layer = a.layer.empty() ? viz::first_conv_layer(*model, spec.input_shape()) : a.layer;
    sections.insert(sections.begin(),
                    init_section(spec, layer, sections[0], conv_layer(*model, layer).weight, a.in_channels));
  }
  if (!a.compare.empty()) sections.push_back(compare_section(a, spec));
  viz::save_figure(a.output, sections,
                   {.title = fmt::format("{} filters, each normalised to its own range", spec.model), .cell = 40,
                    .side_by_side = true});
  fmt::print("wrote {}\n", a.output);
}

struct FeatureArgs : VizArgs {
  std::string layers{};
  int64_t max_channels = 32;
};

void run_features(const FeatureArgs& a) {
  const RunSpec spec = a.spec();
  ModulePtr model = load_viz_model(a, spec);
  const Example e = load_viz_image(a, spec);
  std::vector<std::string> layers;
  std::stringstream ss(a.layers);
  for (std::string item; std::getline(ss, item, ',');) layers.push_back(item);
  if (layers.empty())
    for (const auto& [name, shape] : viz::layer_calls(*model, e.image.unsqueeze(0)))
      if (dynamic_cast<Conv2d*>(&viz::find_module(*model, name))) layers.push_back(name);
  std::vector<viz::Section> sections{{.title = fmt::format("input {}", e.image.shape()),
                                      .panels = {{.rgb = viz::to_rgb(e.image), .title = a.image.empty() ? fmt::format("test #{}", a.index) : std::filesystem::path(a.image).filename().string()}},
                                      .columns = 1}};
  for (const std::string& layer : layers) {
    NoGradGuard no_grad;
    const Tensor act = viz::forward_capture(*model, layer, e.image.unsqueeze(0)).first;
    sections.push_back(viz::feature_section(layer, act, a.max_channels));
  }
  viz::save_figure(a.output, sections, {.title = fmt::format("{} feature maps (viridis, per-map range)", spec.model), .cell = 64});
  fmt::print("wrote {}\n", a.output);
}

}  // namespace

void add_viz_model_commands(CLI::App* viz) {
  auto f = std::make_shared<FilterArgs>();
  CLI::App* filters = viz->add_subcommand("filters", "Grid of a conv layer's filters (grayscale per input channel, "
                                                     "RGB for 3-channel filters), normalised per filter.");
  add_viz_flags(filters, *f, "filters.png", false);
  filters->add_option("--layer", f->layer, "Conv2d layer (default: the first one)");
  filters->add_option("--compare", f->compare,
                      "A second run folder (its own model and dataset), or weights file of the same model, drawn "
                      "beside the first");
  filters->add_option("--compare-dataset", f->compare_dataset, "Dataset a --compare weights file was trained on")
      ->check(CLI::IsMember(dataset_names()));
  filters->add_option("--in-channels", f->in_channels, "Input channels shown per filter (non-RGB)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  filters->add_flag("--init", f->init,
                    "Also draw the random initialisation the run started from (rebuilt from its seed) and title each "
                    "trained filter with its change from it, |W - W0| / |W0|");
  filters->callback([f] { run_filters(*f); });

  auto m = std::make_shared<FeatureArgs>();
  CLI::App* features = viz->add_subcommand("features", "Per layer, every channel's activation map and the channel "
                                                       "mean for one image, shapes in the titles.");
  add_viz_flags(features, *m, "features.png");
  features->add_option("--layers", m->layers, "Comma-separated layers (default: every Conv2d, in call order)");
  features->add_option("--max-channels", m->max_channels, "Channels shown per layer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  features->callback([m] { run_features(*m); });
}

}  // namespace cnn::cli

// `cnn viz tsne`: a 2-D t-SNE map of a layer's features, coloured by class: from a file `cnn features` wrote, or
// computed from a run's test images. Not t-SNE itself (library: viz_tsne.h) nor the chart (viz_chart.h).
#include <cnn/io.h>
#include <cnn/ops.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "viz_common.h"

namespace cnn::cli {

namespace {

struct TsneArgs : VizArgs {
  std::string layer{};
  int64_t limit = 2000;
  viz::TsneOptions options{};
};

// What to embed: features [N, F], labels, class names and the words for the title.
struct FeatureSet {
  Tensor features{};
  std::vector<int64_t> labels{};
  std::vector<std::string> classes{};
  std::string source{}, layer{}, dataset{};
};

// The classifier's input: the leaf call before the last one, named "name#k" when the module runs several times.
std::string penultimate_layer(Module& model, const Shape& input) {
  const auto calls = viz::layer_calls(model, zeros({1, input[0], input[1], input[2]}));
  CNN_CHECK(calls.size() >= 2, "viz tsne: the model calls {} layers; name one with --layer", calls.size());
  const size_t at = calls.size() - 2;
  const std::string& name = calls[at].first;
  int64_t index = 0, total = 0;
  for (size_t i = 0; i < calls.size(); ++i)
    if (calls[i].first == name) index += i < at ? 1 : 0, total += 1;
  return total > 1 ? fmt::format("{}#{}", name, index) : name;
}

FeatureSet from_file(const TsneArgs& a) {
  const StateDict tensors = load_safetensors(a.source.run);
  CNN_CHECK(tensors.contains("features") && tensors.contains("labels"), "viz tsne: {} has no \"features\" and \"labels\" "
            "tensors; HINT: write it with cnn features RUN --layer L", a.source.run);
  auto meta = load_safetensors_metadata(a.source.run);
  FeatureSet f{.source = fmt::format("{} ({})", meta["model"], weights_label(meta["weights"])), .layer = meta["layer"],
               .dataset = meta["dataset"] + " " + meta["split"]};
  f.features = tensors.at("features");
  f.labels = tensors.at("labels").contiguous().to_vector<int64_t>();
  RunSpec spec;
  spec.dataset = meta["dataset"];
  try {
    f.classes = spec.class_names();
  } catch (const Error&) {
    f.classes.clear();  // a dataset this machine cannot open: classes are shown by number
  }
  if (a.limit > 0 && a.limit < f.features.size(0)) {
    f.features = f.features.slice(0, 0, a.limit).contiguous();
    f.labels.resize(static_cast<size_t>(a.limit));
  }
  return f;
}

FeatureSet from_run(const TsneArgs& a) {
  CNN_CHECK(a.limit <= a.options.max_points, "viz tsne: exact t-SNE takes at most {} points, got --limit {}",
            a.options.max_points, a.limit);
  const RunSpec spec = a.spec();
  ModulePtr model = load_viz_model(a, spec);
  const std::string layer = a.layer.empty() ? penultimate_layer(*model, spec.input_shape()) : a.layer;
  auto [features, labels] = viz::dataset_features(*model, *spec.open_eval().test, layer, a.limit);
  return {.features = features, .labels = labels.to_vector<int64_t>(), .classes = spec.class_names(),
          .source = run_title(a, spec), .layer = layer, .dataset = spec.dataset + " test"};
}

void run_tsne(const TsneArgs& a) {
  const bool file = !a.source.run.empty() && std::filesystem::is_regular_file(a.source.run);
  CNN_CHECK(!file || a.layer.empty(), "viz tsne: --layer picks a layer of a run; {} already holds one layer's "
            "features", a.source.run);
  const FeatureSet f = file ? from_file(a) : from_run(a);
  const auto start = std::chrono::steady_clock::now();
  const viz::Tsne t = viz::tsne(f.features, a.options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::vector<float> y = t.embedding.to_vector<float>();
  int64_t classes = static_cast<int64_t>(f.classes.size());
  for (int64_t l : f.labels) classes = std::max(classes, l + 1);
  std::vector<viz::Series> series(static_cast<size_t>(classes));
  for (int64_t c = 0; c < classes; ++c) series[static_cast<size_t>(c)].label = class_label(f.classes, c);
  for (size_t i = 0; i < f.labels.size(); ++i) {
    viz::Series& s = series[static_cast<size_t>(f.labels[i])];
    s.x.push_back(y[2 * i]);
    s.y.push_back(y[2 * i + 1]);
  }
  const double agreement = viz::neighbour_agreement(t.embedding, f.labels, 5);
  const double before = viz::neighbour_agreement(f.features, f.labels, 5);
  viz::save_scatter_chart(a.output, series,
                          {.title = fmt::format("t-SNE of {} {} features, {} {} images (perplexity {:g})", f.source,
                                                f.layer, f.labels.size(), f.dataset, a.options.perplexity),
                           .x_label = fmt::format("t-SNE 1 ({:.0f}% of 5 nearest neighbours share the class; {:.0f}% "
                                                  "in the {}-D features)", 100 * agreement, 100 * before,
                                                  f.features.size(1)),
                           .y_label = "t-SNE 2", .width = 760, .height = 600});
  fmt::print("t-SNE of {} points ({}-D) in {:.1f} s: KL {:.3f}; 5-NN class agreement {:.1f}% in the embedding, "
             "{:.1f}% in the features; wrote {}\n", f.labels.size(), f.features.size(1), seconds, t.kl,
             100 * agreement, 100 * before, a.output);
}

}  // namespace

void add_viz_tsne_command(CLI::App* viz) {
  auto a = std::make_shared<TsneArgs>();
  CLI::App* cmd = viz->add_subcommand("tsne", "t-SNE map of a layer's features coloured by class: cnn viz tsne "
                                              "FEATURES.safetensors (from cnn features) or cnn viz tsne RUN --layer L.");
  add_viz_flags(cmd, *a, "tsne.png", false);
  // The positional takes a features file too, so its directory check gives way to an existence check.
  CLI::Option* input = cmd->get_option("run");
  input->get_validator(0)->active(false);  // add_run_source's ExistingDirectory, its only check
  input->check(CLI::ExistingPath)->description("A run folder (its test images through --layer), or a safetensors "
                                               "file written by cnn features (\"features\" [N, F], \"labels\" [N])");
  cmd->add_option("--layer", a->layer, "Layer of a run whose output is embedded (default: the classifier's input)");
  cmd->add_option("--limit", a->limit, "The first N images (exact t-SNE takes at most 5000)")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--perplexity", a->options.perplexity, "Effective number of neighbours")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--iterations", a->options.iterations, "Gradient descent steps")
      ->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--seed", a->options.seed, "Seed of the initial embedding")->capture_default_str();
  cmd->callback([a] { run_tsne(*a); });
}

}  // namespace cnn::cli

// `cnn viz curves`, `cnn viz samples` and `cnn viz augment`: a run's training curves, a grid of its data with class
// names, and one image under each step of its augmentation. Not models or gradients (viz_model.cpp, viz_explain.cpp).
#include <cnn/data.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "viz_common.h"

namespace cnn::cli {

namespace {

namespace fs = std::filesystem;

struct CurvesArgs {
  std::vector<std::string> runs;
  std::string output = "curves.png", title;
  double smoothing = 0.9;
};

struct SamplesArgs : VizArgs {
  int64_t per_class = 8;
  std::string split = "test";
};

struct AugmentArgsCli {
  std::string source, dataset, data_dir, output = "augment.png";
  int64_t index = 0, draws = 6, img_size = 0;
  uint64_t seed = 0;
};

std::string run_name(const std::string& dir) {
  const fs::path p = fs::path(dir).lexically_normal();
  return (p.filename().empty() ? p.parent_path().filename() : p.filename()).string();
}

void run_curves(const CurvesArgs& a) {
  if (a.runs.size() == 1) {
    const std::string name = a.title.empty() ? run_name(a.runs[0]) : a.title;
    viz::save_line_charts(a.output, viz::training_charts(a.runs[0], {.smoothing = a.smoothing}), name, 3);
  } else {
    std::vector<std::string> labels;
    for (const std::string& r : a.runs) labels.push_back(run_name(r));
    viz::save_line_charts(a.output, viz::comparison_charts(a.runs, labels, {.smoothing = a.smoothing}),
                          a.title.empty() ? fmt::format("{} runs", a.runs.size()) : a.title, 2);
  }
  fmt::print("wrote {}\n", a.output);
}

void run_samples(const SamplesArgs& a) {
  const RunSpec spec = a.spec();
  const DataSplits d = spec.open_eval(a.split == "train");
  const auto data = a.split == "train" ? d.train : d.test;
  const Shape s = spec.input_shape();
  viz::save_figure(a.output, {viz::sample_section(*data, spec.class_names(), a.per_class)},
                   {.title = fmt::format("{}: {} images per class from the {} split ({}x{}, #: index)", spec.dataset,
                                         a.per_class, a.split, s[1], s[2]),
                    .cell = 64});
  fmt::print("wrote {}\n", a.output);
}

// The augmentation settings of a run folder's config.json or of a recipe (a cnn train --config file).
nlohmann::json read_settings(const std::string& source) {
  const fs::path path = fs::is_directory(source) ? fs::path(source) / "config.json" : fs::path(source);
  std::ifstream in(path);
  CNN_CHECK(in.good(), "viz augment: cannot read {}\nHINT: pass a run folder or a recipe (a cnn train --config JSON "
            "file such as recipes/resnet18_cifar10.json)", path.string());
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    CNN_CHECK(j.is_object(), "viz augment: {} holds {}, expected a JSON object of cnn train settings", path.string(),
              j.type_name());
    return j;
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("viz augment: {} is not valid JSON ({})", path.string(), e.what()));
  }
}

void run_augment(const AugmentArgsCli& a) {
  const nlohmann::json j = a.source.empty() ? nlohmann::json::object() : read_settings(a.source);
  AugmentArgs aug;
  try {
    aug.img_size = a.img_size > 0 ? a.img_size : j.value("img_size", int64_t{0});
    aug.hflip = j.value("hflip", 0.0);
    aug.crop_pct = j.value("crop_pct", 1.0);
    aug.color_jitter = j.value("color_jitter", 0.0);
    aug.reprob = j.value("reprob", 0.0);
    aug.rotate = j.value("rotate", 0.0);
    aug.crop_pad = j.value("crop_pad", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("viz augment: {}: a setting has the wrong type ({})", a.source, e.what()));
  }
  const std::string dataset = !a.dataset.empty() ? a.dataset : j.value("dataset", std::string("mnist"));
  const std::string dir = !a.data_dir.empty() || !a.dataset.empty() ? a.data_dir : j.value("data_dir", std::string());
  const DatasetSpec spec = parse_dataset(dataset, dir);
  const auto pipeline = train_transform(spec, aug);
  const auto raw = open_dataset(spec.name, spec.dir, true);
  const auto sections =
      viz::augmentation_sections(*raw, a.index, *pipeline, a.draws, a.seed, dataset_info(spec.name).classes);
  const std::string from = a.source.empty() ? "defaults" : run_name(a.source);
  viz::save_figure(a.output, sections,
                   {.title = fmt::format("Training augmentation of {} on {}: each random step alone, then all",
                                         from, dataset),
                    .cell = 72});
  fmt::print("{}\nwrote {}\n", pipeline->repr(), a.output);
}

}  // namespace

void add_viz_data_commands(CLI::App* viz) {
  auto c = std::make_shared<CurvesArgs>();
  CLI::App* curves = viz->add_subcommand("curves", "A run's loss, accuracy and learning rate: per step (raw and "
                                                   "smoothed as TensorBoard does) and per epoch; or several runs' "
                                                   "training and test errors on one chart.");
  curves->add_option("runs", c->runs, "Folders written by cnn train (metrics.json); several: their training and "
                                      "test errors compared on one chart")
      ->required()
      ->check(CLI::ExistingDirectory);
  curves->add_option("--smoothing", c->smoothing, "TensorBoard's smoothing weight for the per-step lines, in [0, 1)")
      ->check(CLI::Range(0.0, 0.999))
      ->capture_default_str();
  curves->add_option("--title", c->title, "Title (default: the run folder's name)");
  curves->add_option("-o,--output", c->output, "Picture to write (.png or .svg)")->capture_default_str();
  add_threads_flag(curves);
  curves->callback([c] { run_curves(*c); });

  auto s = std::make_shared<SamplesArgs>();
  CLI::App* samples = viz->add_subcommand("samples", "A grid of a dataset's images with their class names, one row "
                                                     "per class.");
  add_viz_flags(samples, *s, "samples.png", false);
  samples->add_option("--per-class", s->per_class, "Images per class")->check(CLI::Range(1, 64))->capture_default_str();
  samples->add_option("--split", s->split, "train or test")->check(CLI::IsMember({"train", "test"}))->capture_default_str();
  samples->callback([s] { run_samples(*s); });

  auto g = std::make_shared<AugmentArgsCli>();
  CLI::App* augment = viz->add_subcommand("augment", "One training image under each random step of a run's or a "
                                                     "recipe's augmentation alone, then the whole pipeline.");
  augment->add_option("source", g->source, "A run folder or a recipe (cnn train --config JSON); none: no augmentation");
  augment->add_option("--dataset", g->dataset, "Dataset (default: the run's or recipe's): " + dataset_choices());
  augment->add_option("--data-dir", g->data_dir, "Folder holding the dataset's files (default: its usual place)");
  augment->add_option("--img-size", g->img_size, "Image side (default: the run's or recipe's)")
      ->check(CLI::NonNegativeNumber);
  augment->add_option("--index", g->index, "Training image to show")->check(CLI::NonNegativeNumber)->capture_default_str();
  augment->add_option("--draws", g->draws, "Random draws per step")->check(CLI::Range(1, 16))->capture_default_str();
  augment->add_option("--seed", g->seed, "Seed of the draws")->capture_default_str();
  augment->add_option("-o,--output", g->output, "Picture to write (.png or .svg)")->capture_default_str();
  add_threads_flag(augment);
  augment->callback([g] { run_augment(*g); });
}

}  // namespace cnn::cli

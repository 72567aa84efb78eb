// `cnn viz`: the command group and what its subcommands share (model, weights, image). Not the subcommands
// (viz_model.cpp: filters, features; viz_explain.cpp: saliency, gradcam, rf; viz_course.cpp: course figures).
#include <cnn/io.h>
#include <cnn/models.h>
#include <cnn/ops.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <sstream>

#include "commands.h"
#include "viz_common.h"

namespace cnn::cli {

void add_viz_flags(CLI::App* cmd, VizArgs& a, const std::string& default_output, bool with_image) {
  a.output = default_output;
  cmd->add_option("--model", a.model, "Model name")->check(CLI::IsMember(models::names()))->capture_default_str();
  cmd->add_option("--weights", a.weights, "A model.safetensors written by cnn train (default: random initialisation)");
  cmd->add_option("--dataset", a.dataset, "Dataset: its classes, channels and statistics, and the test samples")
      ->check(CLI::IsMember(dataset_names()))
      ->capture_default_str();
  cmd->add_option("--data-dir", a.data_dir, "Folder with the dataset's IDX files (default: the dataset's)");
  if (with_image) {
    cmd->add_option("--index", a.index, "Test sample to explain")->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_option("--image", a.image, "A PNG file to use instead of a test sample");
  }
  cmd->add_option("-o,--output", a.output, "Picture to write (.png or .svg)")->capture_default_str();
}

ModulePtr load_viz_model(const VizArgs& a, const std::string& weights) {
  const DatasetInfo info = dataset_info(a.dataset);
  const int64_t channels = load_dataset(a.dataset, a.data_dir, false)->image_shape()[0];
  ModulePtr model =
      models::create(a.model, {.num_classes = static_cast<int64_t>(info.classes.size()), .in_channels = channels});
  if (!weights.empty()) load_state_dict_file(*model, weights);
  model->eval();
  return model;
}

Example load_viz_image(const VizArgs& a) {
  auto test = load_dataset(a.dataset, a.data_dir, false);
  if (a.image.empty()) {
    CNN_CHECK(a.index < test->size(), "viz: --index {} is past the {} test samples of {}", a.index, test->size(),
              a.dataset);
    return test->get(a.index);
  }
  const DatasetInfo info = dataset_info(a.dataset);
  const Shape want = test->image_shape();
  NoGradGuard no_grad;
  Tensor x = viz::read_png(a.image);
  if (want[0] == 1) x = mean(x, {0}, true);
  if (x.size(1) != want[1] || x.size(2) != want[2])
    x = interpolate(x.unsqueeze(0), {.size = Pair2{want[1], want[2]}, .mode = "bilinear", .align_corners = false})[0];
  const auto channels = static_cast<size_t>(x.size(0));
  CNN_CHECK(info.mean.size() == channels && info.std.size() == channels,
            "viz: {} has statistics for {} channels, the image has {}", a.dataset, info.mean.size(), channels);
  const Tensor m = from_vector(info.mean, {x.size(0), 1, 1}), s = from_vector(info.std, {x.size(0), 1, 1});
  return {.image = ((x - m) / s).contiguous(), .label = -1};
}

std::vector<std::string> viz_classes(const VizArgs& a) { return dataset_info(a.dataset).classes; }

std::vector<int64_t> parse_ints(const std::string& text, const std::string& what) {
  std::vector<int64_t> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CNN_CHECK(!item.empty() && used == item.size(), "{} expects comma-separated integers (e.g. 2,2,2), got '{}'", what,
              text);
    out.push_back(v);
  }
  CNN_CHECK(!out.empty(), "{} expects comma-separated integers, got '{}'", what, text);
  return out;
}

void add_viz_command(CLI::App& app) {
  CLI::App* viz = app.add_subcommand("viz", "Pictures of a model: filters, feature maps, saliency, Grad-CAM, "
                                            "receptive fields, and the course's convolution figures.");
  viz->require_subcommand(1);
  add_viz_model_commands(viz);
  add_viz_explain_commands(viz);
  add_viz_course_commands(viz);
}

void add_report_command(CLI::App& app) {
  auto run_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("report", "Rebuild RUN_DIR/report.html (self-contained: config, summary, curves, "
                                               "filters, confusion matrix, predictions, saliency, Grad-CAM).");
  cmd->add_option("run_dir", *run_dir, "A folder written by cnn train (metrics.json, model.safetensors)")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->callback([run_dir] { fmt::print("wrote {}\n", viz::write_report(*run_dir)); });
}

}  // namespace cnn::cli

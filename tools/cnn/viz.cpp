// `cnn viz`: the command group and what its subcommands share (model, weights, image). Not the subcommands
// (viz_model.cpp: filters, features; viz_explain.cpp: saliency, gradcam, rf; viz_course.cpp: course figures;
// viz_inside.cpp: occlusion, top-patches, guided, class-model; viz_tsne.cpp: tsne; viz_data.cpp: curves, samples,
// augment).
#include <cnn/backend.h>
#include <cnn/io.h>
#include <cnn/models.h>
#include <cnn/ops.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <sstream>

#include "commands.h"
#include "flag_limits.h"
#include "viz_common.h"

namespace cnn::cli {

void add_viz_flags(CLI::App* cmd, VizArgs& a, const std::string& default_output, bool with_image) {
  a.output = default_output;
  add_run_source(cmd, a.source, {.weights_required = false});
  if (with_image) {
    cmd->add_option("--index", a.index, "Test sample to explain")->check(CLI::NonNegativeNumber)->capture_default_str();
    cmd->add_option("--image", a.image, "An image file (PNG, JPEG, BMP) to use instead of a test sample")
        ->check(CLI::ExistingFile);
  }
  cmd->add_option("-o,--output", a.output, "Picture to write (.png or .svg)")->capture_default_str();
  add_threads_flag(cmd);
}

void add_threads_flag(CLI::App* cmd) {
  cmd->add_option_function<int>(
         "--threads", [](int n) { set_num_threads(n); }, "CPU threads (default: all cores, or OMP_NUM_THREADS)")
      ->check(threads_check(false));
}

RunSpec VizArgs::spec() const {
  RunSource s = source;
  if (s.run.empty() && s.model.empty()) s.model = "simplecnn";
  return resolve_run(s, "viz");
}

ModulePtr load_viz_model(const VizArgs& a, const RunSpec& spec, const std::string& weights) {
  RunSource s = a.source;
  if (!weights.empty()) s.weights = weights;
  return load_run_model(s, spec, "viz", true);
}

Example load_viz_image(const VizArgs& a, const RunSpec& spec) {
  if (!a.image.empty()) return {.image = spec.read_image(a.image), .label = -1};
  auto test = spec.open_eval().test;
  CNN_CHECK(a.index < test->size(), "viz: --index {} is past the {} test samples of {}", a.index, test->size(),
            spec.dataset);
  return test->get(a.index);
}

std::string weights_label(const std::string& weights) {
  if (weights.empty()) return "untrained";
  const std::filesystem::path p(weights);
  const std::string run = p.parent_path().filename().string();
  return p.filename() == "model.safetensors" && !run.empty() ? run : p.filename().string();
}

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
  CLI::App* viz = app.add_subcommand("viz", "Pictures of a run (cnn viz KIND RUN) or a model: filters, feature maps, "
                                            "saliency, Grad-CAM, receptive fields, and the course's figures.");
  viz->require_subcommand(1);
  add_viz_model_commands(viz);
  add_viz_explain_commands(viz);
  add_viz_course_commands(viz);
  add_viz_data_commands(viz);
  add_viz_inside_commands(viz);
}

void add_report_command(CLI::App& app) {
  auto run_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("report", "Rebuild RUN_DIR/report.html (self-contained: config, summary, curves, "
                                               "filters, confusion matrix, predictions, saliency, Grad-CAM).");
  cmd->add_option("run_dir", *run_dir, "A folder written by cnn train (metrics.json, model.safetensors)")
      ->required()
      ->check(CLI::ExistingDirectory);
  add_threads_flag(cmd);
  cmd->callback([run_dir] { fmt::print("wrote {}\n", viz::write_report(*run_dir)); });
}

}  // namespace cnn::cli

// report.html for a training run: rebuilds model and data from config.json (RunSpec), reads metrics.json, draws
// every figure into RUN_DIR/figures/ and embeds them base64 in one offline HTML page. Not the figures' drawing code.
#include <cnn/analysis.h>
#include <cnn/atomic_file.h>
#include <cnn/data.h>
#include <cnn/io.h>
#include <cnn/models.h>
#include <cnn/run_spec.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cnn::viz {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 | static_cast<unsigned char>(bytes[i + 1]) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {table[v >> 18], table[(v >> 12) & 63], table[(v >> 6) & 63], table[v & 63]};
  }
  if (i < bytes.size()) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16 |
                       (i + 1 < bytes.size() ? static_cast<unsigned char>(bytes[i + 1]) << 8 : 0u);
    out += {table[v >> 18], table[(v >> 12) & 63], i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=', '='};
  }
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  CNN_CHECK(in.good(), "report: cannot read '{}'", path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

std::string img(const fs::path& png, const std::string& alt) {
  return fmt::format("<img alt=\"{}\" src=\"data:image/png;base64,{}\">", alt, base64(read_file(png)));
}

std::string section(const std::string& id, const std::string& title, const std::string& body) {
  return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}\n</section>\n", id, title, body);
}

// Loss, accuracy and learning rate (per step and per epoch) as PNG (embedded) and SVG (beside it).
std::string curves(const std::string& run_dir, const fs::path& dir) {
  std::string html;
  const std::vector<Chart> charts = training_charts(run_dir);
  for (const auto& [chart, name] : {std::pair{&charts[0], "loss"}, {&charts[1], "accuracy"}, {&charts[2], "lr"}}) {
    for (const char* ext : {"svg", "png"})
      save_line_chart((dir / fmt::format("{}.{}", name, ext)).string(), chart->series, chart->options);
    html += img(dir / fmt::format("{}.png", name), name);
  }
  return html;
}

// The settings that differ from `cnn train`'s defaults (config["defaults"], written by the CLI) as a table, the
// full JSON folded below it. Without recorded defaults every setting is listed.
std::string config_table(const json& config) {
  const json defaults = config.value("defaults", json::object());
  std::string rows;
  int64_t same = 0;
  for (const auto& [key, value] : config.items()) {
    if (key == "defaults") continue;
    if (defaults.contains(key) && defaults[key] == value) {
      ++same;
      continue;
    }
    const std::string was = defaults.contains(key) ? escape(defaults[key].dump()) : "";
    rows += fmt::format("<tr><th style=\"text-align:left\">{}</th><td style=\"text-align:left\">{}</td>"
                        "<td style=\"text-align:left;color:#808080\">{}</td></tr>\n",
                        escape(key), escape(value.is_string() ? value.get<std::string>() : value.dump()), was);
  }
  json shown = config;
  shown.erase("defaults");
  const std::string caption =
      defaults.empty() ? "All settings (this run recorded no defaults to compare with)."
                       : fmt::format("Settings that differ from <code>cnn train</code>'s defaults ({} more are at "
                                     "their default).", same);
  return fmt::format("<p>{}</p>\n<table><tr><th>setting</th><th>value</th><th>default</th></tr>\n{}</table>\n"
                     "<details><summary>Full configuration (JSON)</summary><pre>{}</pre></details>",
                     caption, rows, escape(shown.dump(2)));
}

}  // namespace

std::string write_report(const std::string& run_dir, const ReportOptions& options) {
  check_run_folder(run_dir, "report");
  const fs::path run(run_dir), dir = run / "figures";
  const json metrics = json::parse(read_file(run / "metrics.json"));
  const json config = metrics.value("config", json::object());
  const RunSpec spec = RunSpec::load(run_dir);
  const std::string model_name = spec.model, dataset = spec.dataset;
  auto test = spec.open_eval().test;
  const Shape image = spec.input_shape();
  const std::vector<std::string> classes = spec.class_names();
  const int64_t class_count = spec.classes();
  ModulePtr model = spec.load_model();
  fs::create_directories(dir);

  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>cnn report: {0} on {1}</title>\n"
      "<style>body{{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}}img{{max-width:100%;margin:4px}}"
      "pre{{background:#f4f4f4;padding:8px;overflow-x:auto}}table{{border-collapse:collapse}}"
      "td,th{{border:1px solid #ccc;padding:2px 8px;text-align:right}}</style></head><body>\n"
      "<h1>{0} on {1}</h1>\n",
      escape(model_name), escape(dataset));
  html += section("config", "Configuration", config_table(config));
  html += section("summary", "Model summary", "<pre>" + escape(summary(*model, image).str()) + "</pre>");

  const json epochs = metrics.value("epochs", json::array());
  std::string table = "<table><tr><th>epoch</th><th>train loss</th><th>train acc</th><th>test loss</th><th>test acc</th></tr>";
  for (const json& e : epochs)
    table += fmt::format("<tr><td>{}</td><td>{:.4f}</td><td>{:.2f}%</td><td>{:.4f}</td><td>{:.2f}%</td></tr>",
                         e.value("epoch", 0), e.value("train_loss", 0.0), 100 * e.value("train_acc", 0.0),
                         e.value("test_loss", 0.0), 100 * e.value("test_acc", 0.0));
  html += section("curves", "Training curves",
                  epochs.empty() ? "<p>no epochs recorded</p>"
                                 : table + "</table>\n<p>Per-step training values are the batch's own (faint) and "
                                           "their exponential moving average with weight 0.9, debiased as "
                                           "TensorBoard's smoothing; dots are epoch means and test results.</p>\n" +
                                       curves(run_dir, dir));

  const std::string conv = first_conv_layer(*model, image);
  const Tensor weight = dynamic_cast<Conv2d&>(find_module(*model, conv)).weight;
  save_figure((dir / "filters.png").string(), {{.title = "", .panels = filter_panels(weight), .columns = 16}},
              {.title = fmt::format("{} filters {}", conv, weight.shape()), .cell = 48});
  html += section("filters", "First-layer filters", img(dir / "filters.png", "filters"));

  const auto counts = confusion_counts(*model, *test, class_count, options.eval_samples);
  save_confusion_matrix((dir / "confusion.png").string(), counts, classes,
                        fmt::format("Confusion matrix ({} test images)", std::min(options.eval_samples, test->size())));
  html += section("confusion", "Confusion matrix", img(dir / "confusion.png", "confusion matrix"));

  save_figure((dir / "predictions.png").string(),
              {{.title = "", .panels = prediction_panels(*model, *test, classes, 16), .columns = 8}},
              {.title = "Test samples: predicted / true (wrong in red)", .cell = 80});
  html += section("predictions", "Sample predictions", img(dir / "predictions.png", "predictions"));

  const std::string layer = gradcam_layer(*model, image);
  save_figure((dir / "explanations.png").string(),
              {explanation_section(*model, *test, classes, layer, options.explain_samples)}, {.cell = 96});
  html += section("saliency", "Saliency and Grad-CAM",
                  fmt::format("<p>Saliency: |d score / d input| (max over channels); SmoothGrad: mean over 16 noisy "
                              "copies; Grad-CAM at layer <code>{}</code>, for the predicted class.</p>", layer) +
                      img(dir / "explanations.png", "saliency and Grad-CAM"));
  html += "</body></html>\n";
  const fs::path out = run / "report.html";
  write_file_atomic(out.string(), html, "report");
  return out.string();
}

}  // namespace cnn::viz

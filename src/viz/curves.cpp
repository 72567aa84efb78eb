// Training curves of a run: loss, accuracy and learning rate from RUN_DIR/metrics.json, per step (raw and
// smoothed as TensorBoard does) beside the per-epoch points. Not the drawing (chart.cpp) nor the report's page.
#include <cnn/train.h>
#include <cnn/viz_chart.h>
#include <cnn/viz_report.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cnn::viz {

namespace {

namespace fs = std::filesystem;

constexpr const char* kTrain = "#1f77b4";
constexpr const char* kTest = "#ff7f0e";

struct Curve {
  std::vector<double> x, y;
};

// Per-step training values: faint raw line, bold smoothed line; the epoch's points on top.
std::vector<Series> with_steps(const Curve& raw, double smoothing, std::vector<Series> epochs) {
  std::vector<Series> out;
  if (!raw.x.empty()) {
    out.push_back({.label = "train, per step", .x = raw.x, .y = raw.y, .color = kTrain, .line_width = 1,
                   .markers = false, .alpha = 0.25});
    out.push_back({.label = fmt::format("train, smoothed (EMA {})", smoothing), .x = raw.x,
                   .y = ema_smooth(raw.y, smoothing), .color = kTrain, .line_width = 2, .markers = false});
  }
  for (Series& s : epochs) out.push_back(std::move(s));
  return out;
}

}  // namespace

std::vector<Chart> training_charts(const std::string& run_dir, const CurveOptions& options) {
  const fs::path metrics_path = fs::path(run_dir) / "metrics.json";
  std::ifstream in(metrics_path);
  CNN_CHECK(in.good(), "curves: cannot read {}\nHINT: pass a run folder written by cnn train", metrics_path.string());
  nlohmann::json metrics;
  try {
    metrics = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("curves: {} is not valid JSON ({})", metrics_path.string(), e.what()));
  }
  const nlohmann::json epochs = metrics.value("epochs", nlohmann::json::array());
  const std::vector<StepRecord> steps = read_step_log(metrics_path.string());
  CNN_CHECK(!epochs.empty() || !steps.empty(), "curves: {} records no epochs and no steps", metrics_path.string());
  const double config_lr = metrics.value("config", nlohmann::json::object()).value("lr", 0.0);

  Curve step_loss, step_acc, step_lr;
  for (const StepRecord& s : steps) {
    const double x = double(s.epoch - 1) + double(s.step) / double(std::max<int64_t>(s.steps, 1));
    step_loss.x.push_back(x);
    step_loss.y.push_back(s.loss);
    step_acc.x.push_back(x);
    step_acc.y.push_back(100 * s.accuracy);
    step_lr.x.push_back(x);
    step_lr.y.push_back(s.lr);
  }
  Series train_loss{.label = "train, epoch mean", .color = kTrain, .line_width = 0};
  Series test_loss{.label = "test", .color = kTest};
  Series train_acc = train_loss, test_acc = test_loss;
  Series lr{.label = "learning rate, per epoch", .color = kTrain};
  for (const nlohmann::json& e : epochs) {
    const double x = e.value("epoch", 0.0);
    for (auto [s, key, scale] : {std::tuple{&train_loss, "train_loss", 1.0}, {&test_loss, "test_loss", 1.0},
                                 {&train_acc, "train_acc", 100.0}, {&test_acc, "test_acc", 100.0}})
      if (e.contains(key)) {
        s->x.push_back(x);
        s->y.push_back(e[key].get<double>() * scale);
      }
    lr.x.push_back(x - 1);
    lr.y.push_back(e.value("lr", config_lr));
  }
  if (steps.empty()) train_loss.line_width = train_acc.line_width = 2;  // a run logged before per-step curves
  const std::string x_label = steps.empty() ? "epoch" : "epoch (per-step values at fractions of an epoch)";
  std::vector<Series> lr_series{lr};
  if (!steps.empty())
    lr_series = {{.label = "learning rate, per step", .x = step_lr.x, .y = step_lr.y, .color = kTrain,
                  .markers = false}};
  const std::string title = options.title.empty() ? "" : options.title + ": ";
  return {{with_steps(step_loss, options.smoothing, {train_loss, test_loss}),
           {.title = title + "loss", .x_label = x_label, .y_label = "cross-entropy", .width = options.width,
            .height = options.height}},
          {with_steps(step_acc, options.smoothing, {train_acc, test_acc}),
           {.title = title + "accuracy", .x_label = x_label, .y_label = "accuracy (%)", .width = options.width,
            .height = options.height}},
          {lr_series,
           {.title = title + "learning rate", .x_label = x_label, .y_label = "lr", .width = options.width,
            .height = options.height}}};
}

}  // namespace cnn::viz

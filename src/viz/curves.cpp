// Training curves of a run: loss, accuracy and learning rate from RUN_DIR/metrics.json, per step (raw and
// smoothed as TensorBoard does) beside the per-epoch points. Not the drawing (chart.cpp) nor the report's page.
#include <cnn/train.h>
#include <cnn/viz_chart.h>
#include <cnn/viz_report.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <limits>
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

nlohmann::json read_metrics(const std::string& run_dir) {
  const fs::path path = fs::path(run_dir) / "metrics.json";
  std::ifstream in(path);
  CNN_CHECK(in.good(), "curves: cannot read {}\nHINT: pass a run folder written by cnn train", path.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("curves: {} is not valid JSON ({})", path.string(), e.what()));
  }
}

// With early stopping: a vertical line at the best epoch (the weights kept), over the chart's y range.
void mark_early_stop(const nlohmann::json& metrics, std::vector<Chart>& charts) {
  const nlohmann::json config = metrics.value("config", nlohmann::json::object());
  const nlohmann::json epochs = metrics.value("epochs", nlohmann::json::array());
  if (config.value("early_stop", 0) <= 0 || epochs.empty()) return;
  const bool loss = config.value("eval_metric", std::string("top1")) == "loss";
  const char* key = loss ? "test_loss" : config.value("eval_metric", std::string()) == "top5" ? "test_top5" : "test_acc";
  size_t best = 0;
  for (size_t i = 1; i < epochs.size(); ++i) {
    const double v = epochs[i].value(key, 0.0), b = epochs[best].value(key, 0.0);
    if (loss ? v < b : v > b) best = i;
  }
  const double x = epochs[best].value("epoch", 0.0);
  const auto ran = static_cast<int64_t>(epochs.size());
  const std::string label = ran < config.value("epochs", ran)
                                ? fmt::format("best epoch {} (kept); stopped after {} of {}", int64_t(x), ran,
                                              config.value("epochs", ran))
                                : fmt::format("best epoch {} (kept)", int64_t(x));
  for (size_t c = 0; c < 2 && c < charts.size(); ++c) {
    double lo = std::numeric_limits<double>::max(), hi = -lo;
    for (const Series& s : charts[c].series)
      for (double y : s.y) lo = std::min(lo, y), hi = std::max(hi, y);
    charts[c].series.push_back({.label = label, .x = {x, x}, .y = {lo, hi}, .color = "#2ca02c", .line_width = 1.5,
                                .markers = false});
  }
}

}  // namespace

std::vector<Chart> training_charts(const std::string& run_dir, const CurveOptions& options) {
  const fs::path metrics_path = fs::path(run_dir) / "metrics.json";
  const nlohmann::json metrics = read_metrics(run_dir);
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
  const bool validation = metrics.value("config", nlohmann::json::object()).value("val_split", 0.0) > 0;
  Series test_loss{.label = validation ? "validation" : "test", .color = kTest};
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
  std::vector<Chart> charts{{with_steps(step_loss, options.smoothing, {train_loss, test_loss}),
           {.title = title + "loss", .x_label = x_label, .y_label = "cross-entropy", .width = options.width,
            .height = options.height}},
          {with_steps(step_acc, options.smoothing, {train_acc, test_acc}),
           {.title = title + "accuracy", .x_label = x_label, .y_label = "accuracy (%)", .width = options.width,
            .height = options.height, .legend_bottom = true}},
          {lr_series,
           {.title = title + "learning rate", .x_label = x_label, .y_label = "lr", .width = options.width,
            .height = options.height}}};
  // A loss spanning more than 50x (an early test loss of unsettled batch norms) reads better on a log axis.
  double lo = std::numeric_limits<double>::max(), hi = 0;
  for (const Series& s : charts[0].series)
    for (double y : s.y)
      if (y > 0) lo = std::min(lo, y), hi = std::max(hi, y);
  charts[0].options.log_y = hi > 50 * lo;
  mark_early_stop(metrics, charts);
  return charts;
}

std::vector<Chart> comparison_charts(const std::vector<std::string>& runs, const std::vector<std::string>& labels,
                                     const CurveOptions& options) {
  CNN_CHECK(!runs.empty() && labels.size() == runs.size(), "curves: {} runs with {} labels", runs.size(),
            labels.size());
  Chart train{{}, {.title = fmt::format("training error, per step (EMA {})", options.smoothing),
                   .x_label = "epoch", .y_label = "training error (%)", .width = options.width,
                   .height = options.height}};
  Chart test{{}, {.title = "test error, per epoch", .x_label = "epoch", .y_label = "test error (%)",
                  .width = options.width, .height = options.height}};
  for (size_t r = 0; r < runs.size(); ++r) {
    const std::vector<StepRecord> steps = read_step_log((fs::path(runs[r]) / "metrics.json").string());
    CNN_CHECK(!steps.empty(), "curves: {} has no per-step log (trained before cnnkit logged steps)", runs[r]);
    Series s{.label = labels[r], .markers = false};
    std::vector<double> error;
    for (const StepRecord& st : steps) {
      s.x.push_back(double(st.epoch - 1) + double(st.step) / double(std::max<int64_t>(st.steps, 1)));
      error.push_back(100 * (1 - st.accuracy));
    }
    s.y = ema_smooth(error, options.smoothing);
    train.series.push_back(std::move(s));
    Series e{.label = labels[r]};
    for (const nlohmann::json& epoch : read_metrics(runs[r]).value("epochs", nlohmann::json::array())) {
      e.x.push_back(epoch.value("epoch", 0.0));
      e.y.push_back(100 * (1 - epoch.value("test_acc", 0.0)));
    }
    test.series.push_back(std::move(e));
  }
  return {train, test};
}

}  // namespace cnn::viz

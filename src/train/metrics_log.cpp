// metrics.json: the per-epoch and per-step log every training run leaves in its output folder, and the history's
// JSON form. Not a general logger: one JSON document, rewritten whole (atomically) after each epoch.
#include <cnn/atomic_file.h>

#include <cmath>
#include <fstream>

#include "train/history.h"

namespace cnn {

namespace train_detail {

nlohmann::ordered_json to_json(const EpochMetrics& m) {
  return {{"epoch", m.epoch},
          {"train_loss", m.train_loss},
          {"train_acc", m.train_acc},
          {"test_loss", m.test_loss},
          {"test_acc", m.test_acc},
          {"test_top5", m.test_top5},
          {"lr", m.lr},
          {"seconds", m.seconds},
          {"images_per_second", m.images_per_second},
          {"eval_seconds", m.eval_seconds},
          {"peak_rss_mb", m.peak_rss_mb}};
}

EpochMetrics epoch_from_json(const nlohmann::ordered_json& j) {
  EpochMetrics m;
  m.epoch = j.at("epoch").get<int64_t>();
  m.train_loss = j.at("train_loss").get<double>();
  m.train_acc = j.at("train_acc").get<double>();
  m.test_loss = j.at("test_loss").get<double>();
  m.test_acc = j.at("test_acc").get<double>();
  m.test_top5 = j.value("test_top5", 0.0);
  m.lr = j.value("lr", 0.0);
  m.seconds = j.at("seconds").get<double>();
  m.images_per_second = j.at("images_per_second").get<double>();
  m.eval_seconds = j.value("eval_seconds", 0.0);
  m.peak_rss_mb = j.value("peak_rss_mb", 0.0);
  return m;
}

const char* const kStepColumns[] = {"epoch", "step", "steps", "loss", "accuracy", "lr"};

nlohmann::ordered_json to_json(const StepRecord& s) {
  return nlohmann::ordered_json::array({s.epoch, s.step, s.steps, s.loss, s.accuracy, s.lr});
}

nlohmann::ordered_json steps_to_json(const std::vector<StepRecord>& steps) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const StepRecord& s : steps) rows.push_back(to_json(s));
  return {{"columns", kStepColumns}, {"rows", rows}};
}

std::vector<StepRecord> steps_from_rows(const nlohmann::ordered_json& steps) {
  std::vector<StepRecord> out;
  if (!steps.is_object() || !steps.contains("rows")) return out;
  CNN_CHECK(steps.contains("columns") && steps.at("columns") == nlohmann::ordered_json(kStepColumns),
            "metrics: \"steps\" has columns {}, expected {}", steps.value("columns", nlohmann::ordered_json()).dump(),
            nlohmann::ordered_json(kStepColumns).dump());
  for (const auto& r : steps.at("rows")) {
    CNN_CHECK(r.is_array() && r.size() == 6, "metrics: a step row must hold 6 numbers, got {}", r.dump());
    out.push_back({r[0].get<int64_t>(), r[1].get<int64_t>(), r[2].get<int64_t>(), r[3].get<double>(),
                   r[4].get<double>(), r[5].get<double>()});
  }
  return out;
}

}  // namespace train_detail

namespace {

// doc.dump(2), with "steps" appended as one row per line: a 15-epoch run logs thousands of steps, and one number
// per line would make metrics.json unreadable.
std::string dump_with_steps(const nlohmann::ordered_json& doc, const std::vector<StepRecord>& steps) {
  std::string text = doc.dump(2);
  if (steps.empty()) return text;
  text.pop_back();  // the closing brace
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text += fmt::format(",\n  \"steps\": {{\n    \"columns\": {},\n    \"rows\": [\n",
                      nlohmann::ordered_json(train_detail::kStepColumns).dump());
  for (size_t i = 0; i < steps.size(); ++i)
    text += fmt::format("      {}{}\n", train_detail::to_json(steps[i]).dump(), i + 1 < steps.size() ? "," : "");
  return text + "    ]\n  }\n}";
}

}  // namespace

std::vector<StepRecord> read_step_log(const std::string& path) {
  std::ifstream in(path);
  CNN_CHECK(in.good(), "metrics: cannot read {}\nHINT: pass a run folder written by cnn train", path);
  try {
    const auto doc = nlohmann::ordered_json::parse(in);
    return doc.contains("steps") ? train_detail::steps_from_rows(doc.at("steps")) : std::vector<StepRecord>{};
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("metrics: {} is not a metrics.json ({})", path, e.what()));
  }
}

void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& history,
                        const std::string& config_json, const EvalResult* last_eval,
                        const std::vector<StepRecord>& steps) {
  nlohmann::ordered_json doc;
  try {
    doc["config"] = nlohmann::ordered_json::parse(config_json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("metrics: config is not valid JSON ({}): {}", e.what(), config_json));
  }
  doc["epochs"] = nlohmann::ordered_json::array();
  for (const EpochMetrics& m : history) doc["epochs"].push_back(train_detail::to_json(m));
  if (last_eval != nullptr && last_eval->samples > 0) {
    const ClassificationMetrics& m = last_eval->metrics;
    doc["per_class_accuracy"] = nlohmann::ordered_json::array();
    for (double a : m.per_class_accuracy())
      doc["per_class_accuracy"].push_back(std::isnan(a) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(a));
    doc["confusion_matrix"] = nlohmann::ordered_json::array();
    for (int64_t r = 0; r < m.num_classes(); ++r) {
      nlohmann::ordered_json row = nlohmann::ordered_json::array();
      for (int64_t c = 0; c < m.num_classes(); ++c) row.push_back(m.confusion(r, c));
      doc["confusion_matrix"].push_back(row);
    }
  }
  write_file_atomic(path, dump_with_steps(doc, steps) + "\n", "metrics");
}

}  // namespace cnn

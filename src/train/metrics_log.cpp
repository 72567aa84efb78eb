// metrics.json: the per-epoch log every training run leaves in its output folder, and the history's JSON form.
// Not a general logger: one JSON document, rewritten whole (atomically) after each epoch.
#include <cnn/atomic_file.h>

#include <cmath>

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

}  // namespace train_detail

void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& history,
                        const std::string& config_json, const EvalResult* last_eval) {
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
  write_file_atomic(path, doc.dump(2) + "\n", "metrics");
}

}  // namespace cnn

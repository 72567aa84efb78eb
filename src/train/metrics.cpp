// metrics.json: the per-epoch log every training run leaves in its output folder.
// Not a general logger: one JSON document, rewritten whole after each epoch.
#include <cnn/train.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cnn {

void write_metrics_json(const std::string& path, const std::vector<EpochMetrics>& history,
                        const std::string& config_json) {
  nlohmann::ordered_json doc;
  try {
    doc["config"] = nlohmann::ordered_json::parse(config_json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("metrics: config is not valid JSON ({}): {}", e.what(), config_json));
  }
  doc["epochs"] = nlohmann::ordered_json::array();
  for (const EpochMetrics& m : history)
    doc["epochs"].push_back({{"epoch", m.epoch},
                             {"train_loss", m.train_loss},
                             {"train_acc", m.train_acc},
                             {"test_loss", m.test_loss},
                             {"test_acc", m.test_acc},
                             {"seconds", m.seconds},
                             {"images_per_second", m.images_per_second},
                             {"eval_seconds", m.eval_seconds}});
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    CNN_CHECK(out.good(), "metrics: cannot write {} ({})\nHINT: check that the output folder is writable", tmp,
              std::strerror(errno));
    out << doc.dump(2) << "\n";
    CNN_CHECK(out.good(), "metrics: writing {} failed\nHINT: is the disk full?", tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  CNN_CHECK(!ec, "metrics: cannot move {} to {} ({})", tmp, path, ec.message());
}

}  // namespace cnn

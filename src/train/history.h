// The metrics history as JSON, shared by metrics.json and checkpoints. Internal to src/train.
#pragma once

#include <cnn/train.h>

#include <nlohmann/json.hpp>

namespace cnn::train_detail {

nlohmann::ordered_json to_json(const EpochMetrics& m);
EpochMetrics epoch_from_json(const nlohmann::ordered_json& j);
/// Steps as {"columns": [...], "rows": [[epoch, step, steps, loss, accuracy, lr], ...]}, and back (empty when
/// `steps` holds no rows).
nlohmann::ordered_json steps_to_json(const std::vector<StepRecord>& steps);
std::vector<StepRecord> steps_from_rows(const nlohmann::ordered_json& steps);

}  // namespace cnn::train_detail

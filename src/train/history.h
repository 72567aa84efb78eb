// The metrics history as JSON, shared by metrics.json and checkpoints. Internal to src/train.
#pragma once

#include <cnn/train.h>

#include <nlohmann/json.hpp>

namespace cnn::train_detail {

nlohmann::ordered_json to_json(const EpochMetrics& m);
EpochMetrics epoch_from_json(const nlohmann::ordered_json& j);

}  // namespace cnn::train_detail

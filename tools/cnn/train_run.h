// One training run as `cnn train` does it, with hooks for what `cnn finetune` changes: how the model is built
// (pretrained weights, a new head, frozen parts) and the optimiser's parameter groups (discriminative learning
// rates). Not the flags (train_args.h) nor the loop (the library's fit()).
#pragma once

#include <cnn/models.h>
#include <cnn/optim.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "train_args.h"

namespace cnn::cli {

/// Parameters trained at one learning rate, with or without weight decay.
struct LrGroup {
  std::vector<Tensor> params;
  double lr;
  bool decay;
};

/// The trainable parameters `include` accepts (all when null) at `lr`, split as timm's
/// param_groups_weight_decay: biases and norm parameters without weight decay.
std::vector<LrGroup> lr_groups(const Module& model, double lr,
                               const std::function<bool(const std::string&)>& include = nullptr);
/// --opt with its flags over these groups (empty groups dropped; throws when nothing is trainable).
std::unique_ptr<Optimizer> make_optimizer(const TrainArgs& args, const std::vector<LrGroup>& groups);

struct TrainSetup {
  std::string command = "train";  // how the first output line names the run
  /// Builds the model (default: models::create(args.model, options)).
  std::function<ModulePtr(const TrainArgs&, const models::ModelOptions&)> model;
  /// The optimiser's groups (default: lr_groups(model, --lr)).
  std::function<std::vector<LrGroup>(const TrainArgs&, const Module&)> groups;
  /// Settings beyond TrainArgs, written into config.json.
  nlohmann::ordered_json extra_config = nlohmann::ordered_json::object();
};

/// Trains as `cnn train` with `args`: data, model, optimiser, schedule, fit(), results and files in --output.
void run_train(TrainArgs args, const TrainSetup& setup);

}  // namespace cnn::cli

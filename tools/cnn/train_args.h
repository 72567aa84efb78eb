// The settings of `cnn train`: one struct, its flags (named as timm's train.py where timm has one) and the resolved
// config written to OUTPUT/config.json (loadable again with --config). Not the training itself (train.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <cnn/data_splits.h>
#include <cnn/run_spec.h>

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cnn::cli {

struct TrainArgs {
  std::string model = "simplecnn";
  std::vector<std::string> model_kwargs;  // key=value, as timm's --model-kwargs
  bool aux_logits = false;                // googlenet: build and train the auxiliary classifiers
  int64_t num_classes = 0;  // 0: the dataset's
  std::string dataset = "mnist";
  std::string data_dir;
  AugmentArgs augment;
  double val_split = 0.0;
  int64_t train_subset = 0;  // 0: every training image
  int64_t epochs = 5;
  int64_t batch_size = 64;
  int64_t workers = 2;
  std::string opt = "adam";
  std::optional<double> opt_eps;
  double opt_alpha = 0.99;  // RMSprop's smoothing constant (torch's default)
  std::optional<double> lr;  // unset: the optimiser's usual default
  double momentum = 0.9;
  double weight_decay = 0.0;
  std::optional<double> clip_grad;
  double smoothing = 0.0;
  double l1 = 0.0;  // Keras' kernel_regularizer=l1 on conv and linear weights
  double mixup = 0.0, cutmix = 0.0;  // timm's Beta alphas; 0: off
  double mixup_prob = 1.0, mixup_switch_prob = 0.5;
  std::string mixup_mode = "batch";
  std::string sched = "none";
  int64_t warmup_epochs = 0;
  double warmup_lr = 1e-5;
  double min_lr = 0.0;
  int64_t decay_epochs = 90;
  double decay_rate = 0.1;
  std::vector<int64_t> decay_milestones{90, 180, 270};
  int64_t patience_epochs = 10;
  int64_t early_stop = 0;
  std::string eval_metric = "top1";
  uint64_t seed = 42;
  int threads = 0;
  std::string backend;
  std::string amp = "none";  // none or bf16 (autocast; see autocast.h)
  bool sync_bn = false;      // under mpirun: batch-norm statistics over the global batch (ddp.h)
  std::string output;
  std::string resume;
  std::string config;
  int64_t log_interval = 0;
  bool quiet = false;
  bool no_report = false;
  bool force = false;      // --resume with changed settings: list them and continue
  bool overwrite = false;  // write into an --output that already holds a run

  /// The learning rate in use: --lr, else 0.01 for sgd and rmsprop, 0.001 for adam and adamw (PyTorch's).
  double resolved_lr() const;
};

/// The model and data settings as a run spec (what config.json gives back to eval, viz, report and features).
RunSpec run_spec(const TrainArgs& args);

/// Registers --amp (none or bf16) on cmd, bound to amp: train, finetune, eval and run share it.
void add_amp_flag(CLI::App* cmd, std::string& amp);

/// Registers every flag of `cnn train` on cmd, bound to args.
void add_train_flags(CLI::App* cmd, TrainArgs& args);

/// Every setting as a JSON object with timm's underscore names (the file --config reads), without --config and
/// --resume; lr resolved, unset optional values as null.
nlohmann::ordered_json resolved_config(const TrainArgs& args);

}  // namespace cnn::cli

// `cnn finetune`: `cnn train` starting from pretrained weights, with a new classifier for the dataset's classes,
// a frozen backbone (or chosen modules) and discriminative learning rates (seeds 002 §10). Not the training itself
// (train.cpp's run_train).
#include <cnn/models.h>
#include <fmt/format.h>

#include "commands.h"
#include "json_config.h"
#include "train_args.h"
#include "train_run.h"

namespace cnn::cli {

namespace {

struct FinetuneArgs {
  std::string from;  // a run folder: its model, kwargs and model.safetensors
  std::string weights;
  std::string freeze = "backbone";
  std::optional<double> lr_head, lr_backbone;
  bool freeze_bn = false;
  bool keep_head = false;
};

/// args.model with the pretrained weights, then a new classifier for the dataset (unless --keep-head) and
/// frozen parts as --freeze says.
ModulePtr pretrained_model(const FinetuneArgs& f, const TrainArgs& a, const models::ModelOptions& target) {
  ModulePtr model;
  try {
    model = create_with_weights(a.model, target, f.weights);
  } catch (const Error& e) {
    throw Error(fmt::format("finetune: {}", e.what()));
  }
  const std::string head = models::classifier_name(*model);
  const int64_t pretrained_classes = classifier_outputs(*model);
  CNN_CHECK(!f.keep_head || pretrained_classes == *target.num_classes,
            "finetune: --keep-head needs the pretrained classifier to have the dataset's {} classes, it has {}",
            *target.num_classes, pretrained_classes);
  if (!f.keep_head) {
    models::reset_classifier(*model, *target.num_classes);
    // googlenet --aux-logits: the auxiliary heads get the new classes too (as torchvision's finetuning tutorial).
    for (const auto& [name, m] : model->named_modules())
      if (name == "aux1.fc2" || name == "aux2.fc2") model->replace(name, Linear(1024, *target.num_classes));
  }
  const int64_t frozen = models::freeze_backbone(*model, f.freeze, f.freeze_bn);
  const int64_t rest = model->num_parameters(true) -
                       model->get_submodule(head)->num_parameters(true);
  fmt::print("cnn finetune: loaded {}; classifier {}: {}, lr {}; frozen: {} ({} parameters{}){}\n", f.weights, head,
             f.keep_head ? "kept" : fmt::format("new, {} classes", *target.num_classes),
             f.lr_head.value_or(a.resolved_lr()), f.freeze, with_thousands(frozen),
             f.freeze_bn ? ", batch-norm statistics too" : "",
             rest > 0 ? fmt::format("; the rest: lr {}", f.lr_backbone.value_or(a.resolved_lr())) : "");
  return model;
}

std::vector<LrGroup> discriminative_groups(const FinetuneArgs& f, const TrainArgs& a, const Module& model) {
  const std::string head = models::classifier_name(model);
  auto in_head = [head](const std::string& name) { return name.rfind(head + ".", 0) == 0; };
  std::vector<LrGroup> groups = lr_groups(model, f.lr_backbone.value_or(a.resolved_lr()),
                                          [&](const std::string& name) { return !in_head(name); });
  for (LrGroup& g : lr_groups(model, f.lr_head.value_or(a.resolved_lr()), in_head)) groups.push_back(std::move(g));
  return groups;
}

}  // namespace

void add_finetune_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  auto f = std::make_shared<FinetuneArgs>();
  CLI::App* cmd = app.add_subcommand(
      "finetune",
      "Transfer learning: cnn train from a pretrained run (--from RUN) or --weights, with a new classifier for the dataset's classes, "
      "a frozen backbone (or chosen modules) and separate learning rates for the head and the backbone. Takes "
      "every flag of cnn train.");
  add_train_flags(cmd, *args);
  cmd->add_option("--from", f->from,
                  "A run folder to start from: its --model, --model-kwargs and model.safetensors (flags given here "
                  "win)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--weights", f->weights,
                  "Pretrained weights: .safetensors (PyTorch state_dict names) or a .ckpt (default: FROM's "
                  "model.safetensors)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--freeze", f->freeze,
                  "What not to train: backbone (all but the classifier), none, or module paths / name globs "
                  "(\"layer1,layer2\", \"features.*\")")
      ->capture_default_str();
  cmd->add_option("--lr-head", f->lr_head, "Learning rate of the classifier (default: --lr)")
      ->check(number_check("positive number"));
  cmd->add_option("--lr-backbone", f->lr_backbone, "Learning rate of the rest (default: --lr)")
      ->check(number_check("positive number"));
  cmd->add_flag("--freeze-bn", f->freeze_bn,
                "Frozen batch-norm layers also keep their running statistics (eval mode while training)");
  cmd->add_flag("--keep-head", f->keep_head,
                "Keep the pretrained classifier (it must have the dataset's classes) instead of a new one");
  cmd->callback([args, f, cmd] {
    if (!args->config.empty()) apply_json_config(*cmd, args->config);
    if (!f->from.empty()) {
      const RunSpec from = RunSpec::load(f->from);
      if (cmd->count("--model") == 0) args->model = from.model;
      if (cmd->count("--model-kwargs") == 0) args->model_kwargs = from.model_kwargs;
      if (cmd->count("--aux-logits") == 0) args->aux_logits = from.aux_logits;
      if (f->weights.empty()) f->weights = from.weights();
    }
    CNN_CHECK(!f->weights.empty(), "finetune: pass the pretrained weights: --from RUN or --weights FILE");
    auto optional = [](const std::optional<double>& v) { return v ? nlohmann::ordered_json(*v) : nullptr; };
    TrainSetup setup{
        .command = "finetune",
        .model = [f](const TrainArgs& a, const models::ModelOptions& o) { return pretrained_model(*f, a, o); },
        .groups = [f](const TrainArgs& a, const Module& m) { return discriminative_groups(*f, a, m); },
        .extra_config = {{"from", f->from},
                         {"weights", f->weights},
                         {"freeze", f->freeze},
                         {"lr_head", optional(f->lr_head)},
                         {"lr_backbone", optional(f->lr_backbone)},
                         {"freeze_bn", f->freeze_bn},
                         {"keep_head", f->keep_head}}};
    run_train(*args, setup);
  });
}

}  // namespace cnn::cli

// The flags of `cnn train` and its resolved config (see train_args.h).
#include "train_args.h"

#include <cnn/backend.h>
#include <cnn/models.h>
#include <cnn/scheduler_factory.h>

#include "commands.h"
#include "flag_limits.h"

namespace cnn::cli {

RunSpec run_spec(const TrainArgs& a) {
  return {.dir = "",
          .model = a.model,
          .model_kwargs = a.model_kwargs,
          .num_classes = a.num_classes,
          .dataset = a.dataset,
          .data_dir = a.data_dir,
          .augment = a.augment,
          .quantization = "",
          .fused_conv_bn = false,
          .aux_logits = a.aux_logits};
}

double TrainArgs::resolved_lr() const { return lr.value_or(opt == "sgd" || opt == "rmsprop" ? 0.01 : 0.001); }

void add_amp_flag(CLI::App* cmd, std::string& amp) {
  cmd->add_option("--amp", amp,
                  "Mixed precision: none (float32) or bf16 (convolutions and linear layers in bfloat16 with float32 "
                  "accumulation, as torch.autocast; float32 on a CPU without bf16 instructions)")
      ->check(CLI::IsMember({"none", "bf16"}))
      ->capture_default_str();
}

void add_train_flags(CLI::App* cmd, TrainArgs& a) {
  const auto positive_int = number_check("positive integer");
  const auto positive = number_check("positive number");
  const auto non_negative = number_check("non-negative number");
  const auto fraction = CLI::Range(0.0, 1.0);
  cmd->add_option("--config", a.config,
                  "JSON file of settings (keys: these flags' names, e.g. batch_size); flags given here win. A run's "
                  "OUTPUT/config.json is such a file");

  cmd->add_option("--model", a.model, "Model name (see cnn summary --help)")
      ->check(CLI::IsMember(models::names()))
      ->capture_default_str();
  cmd->add_option("--model-kwargs", a.model_kwargs,
                  "Model settings as key=value items (timm's flag), e.g. plaincnn's depth=5 width=64 pool=stride "
                  "bn=off head=flatten kernel=5");
  cmd->add_option("--num-classes", a.num_classes, "Classes of the model's last layer (0: the dataset's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--aux-logits", a.aux_logits,
                "googlenet: build the auxiliary classifiers aux1, aux2 and train them (loss = main + 0.3 x (aux1 + "
                "aux2), the paper's weights); evaluation uses the main logits");
  cmd->add_option("--dataset", a.dataset, "Dataset: " + dataset_choices())->capture_default_str();
  cmd->add_option("--data-dir", a.data_dir,
                  "Folder with the dataset's files (default: $CNN_DATA_DIR/<dataset>, else data/<dataset>; "
                  "/usr/share/datasets/fashion-mnist for fashion-mnist)");
  cmd->add_option("--img-size", a.augment.img_size, "Image side the model sees (0: the dataset's own)")
      ->check(img_size_check());
  cmd->add_option("--val-split", a.val_split,
                  "Fraction of the training images held out for validation (seeded by --seed); the test split is "
                  "then evaluated once at the end")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd->add_option("--train-subset", a.train_subset,
                  "Train on this many training images only (a seeded random choice; 0: all), e.g. a 1,000-image "
                  "transfer experiment")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();

  cmd->add_option("--epochs", a.epochs, "Number of epochs")
      ->check(within(1, kMaxEpochs, "epochs of one run"))
      ->capture_default_str();
  cmd->add_option("-b,--batch-size", a.batch_size, "Batch size (training and evaluation)")
      ->check(within(1, kMaxBatchSize, "a sane batch"))
      ->capture_default_str();
  cmd->add_option("-j,--workers", a.workers, "Data-loading threads")
      ->check(within(0, kMaxWorkers, "data-loading threads"))
      ->capture_default_str();

  cmd->add_option("--opt", a.opt, "Optimiser: sgd, adam, adamw or rmsprop (torch.optim's)")
      ->check(CLI::IsMember({"sgd", "adam", "adamw", "rmsprop"}))
      ->capture_default_str();
  cmd->add_option("--opt-eps", a.opt_eps, "Optimiser epsilon (adam, adamw, rmsprop; default: torch's)")
      ->check(positive);
  cmd->add_option("--opt-alpha", a.opt_alpha,
                  "RMSprop's smoothing constant alpha of the squared-gradient average (torch's default 0.99; the "
                  "Inception recipe uses 0.9)")
      ->check(fraction)
      ->capture_default_str();
  cmd->add_option("--lr", a.lr, "Learning rate (default: 0.01 for sgd and rmsprop, 0.001 for adam and adamw)")
      ->check(positive);
  cmd->add_option("--momentum", a.momentum, "Momentum of sgd and rmsprop")->check(fraction)->capture_default_str();
  cmd->add_option("--weight-decay", a.weight_decay,
                  "Weight decay (L2 for sgd, adam, rmsprop; decoupled for adamw); biases and norm parameters get "
                  "none, as timm's")
      ->check(non_negative)
      ->capture_default_str();
  cmd->add_option("--clip-grad", a.clip_grad, "Clip the gradients' total 2-norm to this (clip_grad_norm_)")
      ->check(positive);
  cmd->add_option("--smoothing", a.smoothing, "Label smoothing of the cross-entropy")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd->add_option("--l1", a.l1,
                  "L1 regularisation: adds LAMBDA x sum |w| over conv and linear weights (not biases nor norm "
                  "parameters) to the loss, as Keras' kernel_regularizer=l1 (0: off)")
      ->check(non_negative)
      ->capture_default_str();
  cmd->add_option("--mixup", a.mixup,
                  "mixup alpha: mix each batch with its reverse by lam ~ Beta(alpha, alpha) (0: off)")
      ->check(non_negative)
      ->capture_default_str();
  cmd->add_option("--cutmix", a.cutmix,
                  "CutMix alpha: paste a box of the reversed batch, lam ~ Beta(alpha, alpha) (0: off)")
      ->check(non_negative)
      ->capture_default_str();
  cmd->add_option("--mixup-prob", a.mixup_prob, "Probability of mixing a batch when --mixup or --cutmix is on")
      ->check(fraction)
      ->capture_default_str();
  cmd->add_option("--mixup-switch-prob", a.mixup_switch_prob,
                  "With both --mixup and --cutmix: probability of CutMix for a batch")
      ->check(fraction)
      ->capture_default_str();
  cmd->add_option("--mixup-mode", a.mixup_mode, "How mixing parameters are drawn: batch (one lam per batch)")
      ->check(CLI::IsMember({"batch"}))
      ->capture_default_str();

  cmd->add_option("--sched", a.sched,
                  "LR schedule: cosine, step, multistep, exponential, plateau (stepped per epoch), onecycle "
                  "(stepped per batch) or none")
      ->check(CLI::IsMember(scheduler_names()))
      ->capture_default_str();
  cmd->add_option("--warmup-epochs", a.warmup_epochs, "Epochs of linear warm-up from --warmup-lr to --lr")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--warmup-lr", a.warmup_lr, "Learning rate the warm-up starts from")
      ->check(non_negative)
      ->capture_default_str();
  cmd->add_option("--min-lr", a.min_lr, "Lowest lr of cosine and plateau")->check(non_negative)->capture_default_str();
  cmd->add_option("--decay-epochs", a.decay_epochs, "Epochs between decays of --sched step")
      ->check(positive_int)
      ->capture_default_str();
  cmd->add_option("--decay-rate", a.decay_rate, "Factor of each decay (step, multistep, exponential, plateau)")
      ->check(positive)
      ->capture_default_str();
  cmd->add_option("--decay-milestones", a.decay_milestones, "Epochs at which --sched multistep decays")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--patience-epochs", a.patience_epochs, "Epochs without improvement before plateau decays")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--early-stop", a.early_stop,
                  "Stop after this many epochs without improvement of --eval-metric, restoring the best weights "
                  "(0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--eval-metric", a.eval_metric, "What best.ckpt, --early-stop and plateau watch: top1, top5, loss")
      ->check(CLI::IsMember({"top1", "top5", "loss"}))
      ->capture_default_str();

  cmd->add_option("--hflip", a.augment.hflip, "Horizontal flip probability")->check(fraction)->capture_default_str();
  cmd->add_option("--crop-pad", a.augment.crop_pad, "RandomCrop padding (the CIFAR recipe uses 4)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--rotate", a.augment.rotate, "RandomRotation degrees")->check(non_negative)->capture_default_str();
  cmd->add_option("--color-jitter", a.augment.color_jitter, "ColorJitter brightness/contrast/saturation")
      ->check(non_negative)
      ->capture_default_str();
  cmd->add_option("--reprob", a.augment.reprob, "RandomErasing probability")->check(fraction)->capture_default_str();
  cmd->add_option("--crop-pct", a.augment.crop_pct, "Evaluation: resize to img-size / crop-pct, centre-crop")
      ->check(CLI::Range(0.01, 1.0))
      ->capture_default_str();

  cmd->add_option("--seed", a.seed, "Random seed (weights, shuffling, augmentation)")->capture_default_str();
  cmd->add_option("--threads", a.threads, "CPU threads (0: all cores, or OMP_NUM_THREADS)")
      ->check(threads_check());
  cmd->add_option("--backend", a.backend, "Kernels: onednn or ref (default: $CNN_BACKEND, else onednn)")
      ->check(CLI::IsMember(available_backends()));
  add_amp_flag(cmd, a.amp);
  cmd->add_flag("--sync-bn", a.sync_bn,
                "Under mpirun/srun: batch norm over the global batch (SyncBatchNorm; default: per rank, as DDP)");
  cmd->add_option("--output", a.output,
                  "Output folder: metrics.json, model.safetensors, last.ckpt, best.ckpt, config.json (default: "
                  "runs/MODEL-DATASET, or the --resume folder)");
  cmd->add_option("--resume", a.resume, "Continue the run whose checkpoint is this file or folder's last.ckpt");
  cmd->add_option("--log-interval", a.log_interval,
                  "When stderr is not a terminal, also a progress line every N steps (0: one line per epoch)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("-q,--quiet", a.quiet, "No progress display");
  cmd->add_flag("--force", a.force,
                "With --resume: continue although settings differ from the run's (they are listed either way)");
  cmd->add_flag("--overwrite", a.overwrite,
                "Write into --output even when it holds a finished run (default: the next free OUTPUT-N, as timm)");
  cmd->add_flag("--no-report", a.no_report,
                "Skip OUTPUT/report.html (its saliency and Grad-CAM pictures take a while)");
}

nlohmann::ordered_json resolved_config(const TrainArgs& a) {
  auto optional = [](const std::optional<double>& v) { return v ? nlohmann::ordered_json(*v) : nullptr; };
  return {{"model", a.model},
          {"model_kwargs", a.model_kwargs},
          {"aux_logits", a.aux_logits},
          {"num_classes", a.num_classes},
          {"dataset", a.dataset},
          {"data_dir", a.data_dir},
          {"img_size", a.augment.img_size},
          {"val_split", a.val_split},
          {"train_subset", a.train_subset},
          {"epochs", a.epochs},
          {"batch_size", a.batch_size},
          {"workers", a.workers},
          {"opt", a.opt},
          {"opt_eps", optional(a.opt_eps)},
          {"opt_alpha", a.opt_alpha},
          {"lr", a.resolved_lr()},
          {"momentum", a.momentum},
          {"weight_decay", a.weight_decay},
          {"clip_grad", optional(a.clip_grad)},
          {"smoothing", a.smoothing},
          {"l1", a.l1},
          {"mixup", a.mixup},
          {"cutmix", a.cutmix},
          {"mixup_prob", a.mixup_prob},
          {"mixup_switch_prob", a.mixup_switch_prob},
          {"mixup_mode", a.mixup_mode},
          {"sched", a.sched},
          {"warmup_epochs", a.warmup_epochs},
          {"warmup_lr", a.warmup_lr},
          {"min_lr", a.min_lr},
          {"decay_epochs", a.decay_epochs},
          {"decay_rate", a.decay_rate},
          {"decay_milestones", a.decay_milestones},
          {"patience_epochs", a.patience_epochs},
          {"early_stop", a.early_stop},
          {"eval_metric", a.eval_metric},
          {"hflip", a.augment.hflip},
          {"crop_pad", a.augment.crop_pad},
          {"rotate", a.augment.rotate},
          {"color_jitter", a.augment.color_jitter},
          {"reprob", a.augment.reprob},
          {"crop_pct", a.augment.crop_pct},
          {"seed", a.seed},
          {"threads", a.threads},
          {"backend", a.backend},
          {"amp", a.amp},
          {"sync_bn", a.sync_bn},
          {"output", a.output},
          {"log_interval", a.log_interval},
          {"quiet", a.quiet},
          {"no_report", a.no_report}};
}

}  // namespace cnn::cli

// `cnn train`: settings from flags and --config, then data, model, optimiser (timm's no-decay groups), schedule
// and fit(); results on stdout, progress on stderr, metrics.json, model.safetensors, last.ckpt, best.ckpt and
// config.json in --output. Not the loop itself (the library's fit()).
#include <cnn/analysis.h>
#include <cnn/atomic_file.h>
#include <cnn/backend.h>
#include <cnn/checkpoint.h>
#include <cnn/ddp.h>
#include <cnn/distributed.h>
#include <cnn/models.h>
#include <cnn/optim_utils.h>
#include <cnn/random.h>
#include <cnn/scheduler_factory.h>
#include <cnn/train.h>
#include <cnn/viz_report.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>

#include "commands.h"
#include "flag_limits.h"
#include "json_config.h"
#include "progress.h"
#include "train_args.h"
#include "train_distributed.h"
#include "train_run.h"

namespace cnn::cli {

namespace {

namespace fs = std::filesystem;

template <class Opt, class Options>
std::unique_ptr<Optimizer> build_optimizer(const std::vector<LrGroup>& groups, const Options& base) {
  std::vector<ParamGroup<Options>> out;
  for (const LrGroup& g : groups) {
    if (g.params.empty()) continue;
    Options o = base;
    o.lr = g.lr;
    o.weight_decay = g.decay ? base.weight_decay : 0.0;
    out.push_back({g.params, o});
  }
  CNN_CHECK(!out.empty(), "train: the model has no trainable parameters\nHINT: check --freeze");
  return std::make_unique<Opt>(std::move(out));
}

}  // namespace

std::vector<LrGroup> lr_groups(const Module& model, double lr, const std::function<bool(const std::string&)>& include) {
  auto [no_decay, decay] = split_weight_decay(model, {}, include);
  return {{std::move(no_decay), lr, false}, {std::move(decay), lr, true}};
}

std::unique_ptr<Optimizer> make_optimizer(const TrainArgs& a, const std::vector<LrGroup>& groups) {
  const double wd = a.weight_decay;
  const double lr = a.resolved_lr();
  if (a.opt == "sgd") return build_optimizer<SGD>(groups, SGDOptions{.lr = lr, .momentum = a.momentum, .weight_decay = wd});
  if (a.opt == "adamw")
    return build_optimizer<AdamW>(groups, AdamWOptions{.lr = lr, .eps = a.opt_eps.value_or(1e-8), .weight_decay = wd});
  if (a.opt == "rmsprop")
    return build_optimizer<RMSprop>(groups, RMSpropOptions{.lr = lr,
                                                           .alpha = a.opt_alpha,
                                                           .eps = a.opt_eps.value_or(1e-8),
                                                           .weight_decay = wd,
                                                           .momentum = a.momentum});
  return build_optimizer<Adam>(groups, AdamOptions{.lr = lr, .eps = a.opt_eps.value_or(1e-8), .weight_decay = wd});
}

namespace {

std::string default_output(const TrainArgs& a) {
  std::error_code ec;
  if (!a.resume.empty() && fs::is_directory(a.resume, ec)) return a.resume;
  if (!a.resume.empty()) return fs::path(a.resume).parent_path().string();
  std::string name = a.dataset;
  for (char& c : name)
    if (c == '/' || c == ':') c = '_';
  return fmt::format("runs/{}-{}", a.model, name);
}

void write_config(const std::string& output, const nlohmann::ordered_json& config) {
  fs::create_directories(output);
  const std::string path = (fs::path(output) / "config.json").string();
  write_file_atomic(path, config.dump(2) + "\n", "train");
}

bool holds_run(const fs::path& dir) {
  std::error_code ec;
  return fs::exists(dir / "config.json", ec) || fs::exists(dir / "metrics.json", ec) || fs::exists(dir / "last.ckpt", ec);
}

// timm's get_outdir: an output folder that already holds a run is kept; the new run goes to OUTPUT-1, -2, ...
std::string fresh_output(const std::string& output, bool overwrite) {
  if (overwrite || !holds_run(output)) return output;
  for (int n = 1;; ++n) {
    const std::string next = fmt::format("{}-{}", output, n);
    if (!holds_run(next)) {
      fmt::print("note: {} already holds a run; writing to {} (--overwrite reuses the folder)\n", output, next);
      return next;
    }
  }
}

// Settings that may change on --resume without changing what is trained (and --epochs, which extends the run).
bool free_on_resume(const std::string& key) {
  static const std::set<std::string> keys{"epochs", "output",      "resume", "quiet",     "log_interval", "threads",
                                          "workers", "no_report", "force",  "overwrite", "backend",      "config",
                                          "amp"};
  return keys.count(key) > 0;
}

// On --resume: the run's config.json against the new settings; differences are listed and refused unless --force.
void check_resumed_settings(const std::string& output, const nlohmann::ordered_json& now, bool force) {
  const std::string path = (fs::path(output) / "config.json").string();
  std::ifstream in(path);
  if (!in.good()) return;
  nlohmann::ordered_json before;
  try {
    before = nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return;  // unreadable: the checkpoint's own checks still apply
  }
  std::vector<std::string> changes;
  auto same_folder = [](const nlohmann::ordered_json& a, const nlohmann::ordered_json& b) {
    std::error_code ec;
    return a.is_string() && b.is_string() &&
           fs::weakly_canonical(a.get<std::string>(), ec) == fs::weakly_canonical(b.get<std::string>(), ec);
  };
  for (const auto& [key, value] : now.items())
    if (!free_on_resume(key) && before.contains(key) && before[key] != value &&
        !(key == "data_dir" && same_folder(before[key], value)))
      changes.push_back(fmt::format("  {}: {} -> {}", key, before[key].dump(), value.dump()));
  if (changes.empty()) return;
  CNN_CHECK(force, "train --resume {}: these settings differ from the run's ({}):\n{}\nHINT: resume with the run's "
            "settings (--config {}), or pass --force to continue with the new ones",
            output, path, fmt::join(changes, "\n"), path);
  fmt::print("warning: --force: continuing {} with changed settings:\n{}\n(the lr and its schedule follow the new "
             "settings; the optimiser's other settings and state come from the checkpoint)\n",
             output, fmt::join(changes, "\n"));
}

void print_eval(const char* what, const EvalResult& r) {
  fmt::print("{}: loss {:.4f}  top-1 {:.2f}%  top-5 {:.2f}%  ({} images)\n", what, r.loss, 100 * r.accuracy,
             100 * r.top5, r.samples);
}

}  // namespace

void run_train(TrainArgs a, const TrainSetup& setup) {
  const int world = join_distributed(a);
  const int rank = distributed::rank();
  const bool main_rank = rank == 0;
  check_batch_memory(setup.command, a.batch_size, a.augment.img_size);
  if (!a.backend.empty()) set_backend(a.backend);
  if (a.threads > 0) set_num_threads(a.threads);
  manual_seed(a.seed);
  const DatasetSpec spec = parse_dataset(a.dataset, a.data_dir);
  const DataSplits data = open_splits(spec, a.augment, a.val_split, a.seed, a.train_subset);
  // Under mpirun each rank reads its shard: training padded to equal shards, evaluation each image once.
  const DataLoaderOptions loader_options{.batch_size = a.batch_size, .seed = a.seed, .num_workers = a.workers,
                                         .num_replicas = world, .rank = rank, .pad_shards = false};
  DataLoader train_loader(data.train, {.batch_size = a.batch_size, .shuffle = true, .seed = a.seed,
                                       .num_workers = a.workers, .num_replicas = world, .rank = rank});
  DataLoader val_loader(data.val ? data.val : data.test, loader_options);

  const int64_t classes = a.num_classes > 0 ? a.num_classes : static_cast<int64_t>(data.classes.size());
  CNN_CHECK(classes > 0, "train: cannot tell the number of classes of {}\nHINT: pass --num-classes", a.dataset);
  RunSpec spec_of_run = run_spec(a);
  spec_of_run.num_classes = classes;
  const models::ModelOptions options = spec_of_run.model_options();
  ModulePtr model = setup.model ? setup.model(a, options) : models::create(a.model, options);
  if (a.sync_bn) convert_sync_batchnorm(*model);
  // Under mpirun: rank 0's weights on every rank, and each backward's gradients averaged over the ranks.
  const auto ddp = world > 1 ? std::make_unique<DistributedDataParallel>(model) : nullptr;
  std::unique_ptr<Optimizer> optimizer =
      make_optimizer(a, setup.groups ? setup.groups(a, *model) : lr_groups(*model, a.resolved_lr()));
  if (a.warmup_epochs > 0 && a.warmup_epochs >= a.epochs && a.sched != "plateau") {
    fmt::print("note: --warmup-epochs {} is not shorter than the run's {} epoch{}; clamped to {}\n", a.warmup_epochs,
               a.epochs, a.epochs == 1 ? "" : "s", a.epochs - 1);
    a.warmup_epochs = a.epochs - 1;
  }
  ScheduleHandle schedule = create_scheduler({.sched = a.sched,
                                              .epochs = a.epochs,
                                              .steps_per_epoch = train_loader.size(),
                                              .warmup_epochs = a.warmup_epochs,
                                              .warmup_lr = a.warmup_lr,
                                              .min_lr = a.min_lr,
                                              .decay_epochs = a.decay_epochs,
                                              .decay_rate = a.decay_rate,
                                              .decay_milestones = a.decay_milestones,
                                              .patience_epochs = a.patience_epochs,
                                              .plateau_mode = a.eval_metric == "loss" ? "min" : "max"},
                                             *optimizer);
  a.output = a.output.empty() ? default_output(a) : a.output;
  if (a.resume.empty() && main_rank) a.output = fresh_output(a.output, a.overwrite);
  if (main_rank) check_run_folder(a.output, "--output");
  a.num_classes = classes;
  a.augment.img_size = data.raw_shape[2];
  a.threads = get_num_threads();
  a.backend = backend().name();
  // Absolute, so that the run folder finds its data from any working directory (eval, viz, report, predict).
  a.data_dir = fs::absolute(spec.dir).lexically_normal().string();
  if (a.dataset.rfind("folder:", 0) == 0) a.dataset = "folder:" + a.data_dir;
  nlohmann::ordered_json config = resolved_config(a);
  config.update(setup.extra_config);
  config["world_size"] = world;
  check_same_settings(config);
  if (!a.resume.empty()) check_resumed_settings(a.output, config, a.force);
  if (main_rank) write_config(a.output, config);

  const int64_t trainable = model->num_parameters(true), total = model->num_parameters();
  const std::string counted = trainable == total ? with_thousands(total)
                                                 : fmt::format("{} of {}", with_thousands(trainable), with_thousands(total));
  fmt::print("cnn {}: {} ({} {}parameters) on {} from {}: {} train / {} {} images, {} classes\n", setup.command,
             a.model, counted, trainable == total ? "" : "trainable ", a.dataset, spec.dir, data.train->size(),
             data.val ? data.val->size() : data.test->size(), data.val ? "validation" : "test", classes);
  const std::string momentum = a.opt == "sgd" ? fmt::format(" momentum {}", a.momentum)
                               : a.opt == "rmsprop" ? fmt::format(" momentum {} alpha {}", a.momentum, a.opt_alpha)
                                                    : "";
  const std::string warmup =
      a.warmup_epochs > 0 ? fmt::format(" after {} warm-up epoch{}", a.warmup_epochs, a.warmup_epochs == 1 ? "" : "s")
                          : "";
  const Amp amp = parse_amp(a.amp);
  const std::string precision =
      amp == Amp::none ? "" : backend().supports_bf16() ? fmt::format(" ({}), bf16 mixed precision", cpu_isa_name())
                                                        : " (no native bf16 on this CPU: float32)";
  fmt::print(
      "  backend {}{}, {} threads, {} workers; {} lr {}{}, weight decay {}, schedule {}{}; batch {}{}, {} epoch{}, "
      "seed {}\n",
      backend().name(), precision, get_num_threads(), a.workers, a.opt, a.resolved_lr(), momentum, a.weight_decay, a.sched, warmup,
      a.batch_size, global_batch_note(a.batch_size), a.epochs, a.epochs == 1 ? "" : "s", a.seed);
  std::vector<std::string> extras;
  if (a.aux_logits)
    extras.push_back(fmt::format("auxiliary classifiers aux1, aux2 trained at loss weight {}",
                                 models::GoogLeNet::kAuxLossWeight));
  if (a.l1 > 0) extras.push_back(fmt::format("L1 {} on conv and linear weights", a.l1));
  if (a.mixup > 0 || a.cutmix > 0)
    extras.push_back(fmt::format("mixup {} / cutmix {} (prob {}, switch {}, mode {}), soft-target cross-entropy",
                                 a.mixup, a.cutmix, a.mixup_prob, a.mixup_switch_prob, a.mixup_mode));
  if (!extras.empty()) fmt::print("  {}\n", fmt::join(extras, "; "));
  if (!a.resume.empty()) fmt::print("  resuming from {}\n", resolve_checkpoint_path(a.resume));
  std::fflush(stdout);

  nlohmann::ordered_json metrics_config = config;
  metrics_config["num_parameters"] = total;
  metrics_config["trainable_parameters"] = trainable;
  metrics_config["defaults"] = resolved_config(TrainArgs{});  // the report lists what differs from these
  Progress progress(a.log_interval, a.quiet);
  auto print_epoch = [&progress, &a](const EpochMetrics& m) {
    progress.finish();
    fmt::print(
        "epoch {}/{}: train loss {:.4f} acc {:.2f}% | {} loss {:.4f} acc {:.2f}% | lr {:.4g} | {:.1f} s, "
        "{:.0f} img/s\n",
        m.epoch, a.epochs, m.train_loss, 100 * m.train_acc, a.val_split > 0 ? "val" : "test", m.test_loss,
        100 * m.test_acc, m.lr, m.seconds, m.images_per_second);
    std::fflush(stdout);
  };
  const FitResult result = fit(*model, train_loader, val_loader, *optimizer,
                               {.epochs = a.epochs,
                                .output_dir = main_rank ? a.output : "",
                                .config_json = metrics_config.dump(),
                                .on_step = [&progress](const StepInfo& s) { progress.update(s); },
                                .on_epoch = print_epoch,
                                .scheduler = schedule.scheduler.get(),
                                .scheduler_per_step = schedule.per_step,
                                .clip_grad = a.clip_grad.value_or(0.0),
                                .label_smoothing = a.smoothing,
                                .amp = amp,
                                .l1 = a.l1,
                                .mixup = {.mixup_alpha = a.mixup,
                                          .cutmix_alpha = a.cutmix,
                                          .prob = a.mixup_prob,
                                          .switch_prob = a.mixup_switch_prob},
                                .monitor = a.eval_metric,
                                .early_stopping = {.patience = a.early_stop},
                                .resume = a.resume});
  if (result.stopped_early)
    fmt::print("early stop: no improvement of {} for {} epochs; best epoch {} ({:.4g}), its weights restored\n",
               a.eval_metric, a.early_stop, result.best_epoch, result.best_value);
  if (data.val) {
    DataLoader test_loader(data.test, loader_options);
    print_eval("test", evaluate(*model, test_loader, -1, amp));
  }
  fmt::print(
      "saved {0}/metrics.json, {0}/model.safetensors, {0}/last.ckpt, {0}/best.ckpt (epoch {1}) and "
      "{0}/config.json\n",
      a.output, result.best_epoch);
  if (a.no_report) return;
  try {
    fmt::print("wrote {}\n", viz::write_report(a.output));
  } catch (const std::exception& e) {  // the training succeeded: a report that cannot be drawn is a warning
    fmt::print(stderr, "cnn {}: warning: {}/report.html not written: {}\n", setup.command, a.output, e.what());
  }
}

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train a classifier (cross-entropy) on MNIST, Fashion-MNIST, CIFAR-10/100 or an image folder, evaluating after "
      "each epoch; flags as timm's train.py. Checkpoints every epoch; --resume continues exactly.");
  add_train_flags(cmd, *args);
  cmd->callback([args, cmd] {
    if (!args->config.empty()) apply_json_config(*cmd, args->config);
    run_train(*args, {});
  });
}

}  // namespace cnn::cli

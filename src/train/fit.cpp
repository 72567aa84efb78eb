// fit(): epochs of train_one_epoch + evaluate with schedules, callbacks, the monitor's best (best.ckpt, early
// stopping), checkpoints every epoch and exact resume. Not the step itself (train.cpp) nor the file format
// (checkpoint.cpp): this file decides what goes into a checkpoint and when.
#include <cnn/checkpoint.h>
#include <cnn/io.h>
#include <cnn/run_spec.h>
#include <cnn/train.h>

#include <filesystem>
#include <limits>

#include "train/history.h"

namespace cnn {

namespace fs = std::filesystem;

namespace {

using Json = nlohmann::ordered_json;

// The monitored value of an evaluation and what counts as better.
struct Monitor {
  std::string name;
  bool maximize = true;
  double min_delta = 0.0;

  double value(const EvalResult& e) const { return name == "loss" ? e.loss : name == "top5" ? e.top5 : e.accuracy; }
  double worst() const {
    return maximize ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  }
  bool improved(double v, double best) const { return maximize ? v > best + min_delta : v < best - min_delta; }
};

// Everything besides model, optimiser and scheduler that a resumed run needs.
struct RunState {
  int64_t epoch = 0;  // epochs completed
  std::vector<EpochMetrics> history;
  std::vector<StepRecord> steps;  // of the completed epochs, then of the current one
  double best_value = 0.0;
  int64_t best_epoch = 0, wait = 0;
  bool stopped_early = false;
};

Json loader_json(const DataLoader& loader) {
  return {{"epoch", loader.epoch()}, {"seed", std::to_string(loader.seed())}, {"batches", loader.size()}};
}

std::string state_json(const RunState& s, const DataLoader& train, const DataLoader& val, const FitOptions& o) {
  Json j{{"epoch", s.epoch},
         {"epochs", o.epochs},
         {"monitor", o.monitor},
         {"best_value", fmt::format("{}", s.best_value)},
         {"best_epoch", s.best_epoch},
         {"early_stopping_wait", s.wait},
         {"stopped_early", s.stopped_early},
         {"rng_state", get_rng_state()},
         {"train_loader", loader_json(train)},
         {"val_loader", loader_json(val)},
         {"history", Json::array()}};
  for (const EpochMetrics& m : s.history) j["history"].push_back(train_detail::to_json(m));
  j["steps"] = train_detail::steps_to_json(s.steps);
  return j.dump();
}

// An integer field of a checkpoint's state within [low, high]: refuses 1.5, "2", -1 and 2^40 alike.
int64_t integer(const Json& j, const char* key, int64_t low, int64_t high, const std::string& path) {
  const bool ok = j.contains(key) && (j.at(key).is_number_integer() || j.at(key).is_number_unsigned()) &&
                  j.at(key).get<int64_t>() >= low && j.at(key).get<int64_t>() <= high;
  CNN_CHECK(ok, "resume {}: the checkpoint's \"{}\" is {}, expected an integer from {} to {}\nHINT: the file was "
            "edited or written by another program; resume from another checkpoint",
            path, key, j.contains(key) ? j.at(key).dump() : "missing", low, high);
  return j.at(key).get<int64_t>();
}

void restore_loader(DataLoader& loader, const Json& j, const char* which, const std::string& path) {
  CNN_CHECK(j.at("seed").get<std::string>() == std::to_string(loader.seed()),
            "resume {}: the {} loader's seed is {}, the checkpoint's {}\nHINT: resume with the same --seed", path,
            which, loader.seed(), j.at("seed").get<std::string>());
  CNN_CHECK(j.at("batches").get<int64_t>() == loader.size(),
            "resume {}: the {} loader has {} batches per epoch, the checkpoint's had {}\nHINT: resume with the same "
            "data, --batch-size and --val-split",
            path, which, loader.size(), j.at("batches").get<int64_t>());
  loader.set_epoch(integer(j, "epoch", 0, std::numeric_limits<int32_t>::max(), path));
}

RunState resume(const FitOptions& o, Module& model, Optimizer& optimizer, DataLoader& train, DataLoader& val,
                StateDict& best_weights) {
  const std::string path = resolve_checkpoint_path(o.resume);
  const Checkpoint c = load_checkpoint(path);
  std::vector<double> fresh_lrs;  // the new schedule's epoch-0 lrs, set when the scheduler was built
  for (size_t g = 0; g < optimizer.num_param_groups(); ++g) fresh_lrs.push_back(optimizer.lr(g));
  try {
    model.load_state_dict(c.model);
    optimizer.load_full_state(c.optimizer);
  } catch (const Error& e) {
    throw Error(
        fmt::format("resume {}: {}\nHINT: resume with the same --model, --num-classes and --opt as the run "
                    "that wrote it",
                    path, e.what()));
  }
  CNN_CHECK(c.scheduler.has_value() == (o.scheduler != nullptr),
            "resume {}: the checkpoint was written {} a learning-rate schedule, this run has {}\nHINT: resume with "
            "the same --sched",
            path, c.scheduler ? "with" : "without", o.scheduler ? "one" : "none");
  const Json s = Json::parse(c.state_json);
  const int64_t epochs = integer(s, "epochs", 1, std::numeric_limits<int32_t>::max(), path);
  const int64_t epoch = integer(s, "epoch", 0, epochs, path);
  CNN_CHECK(s.contains("history") && s.at("history").is_array() &&
                static_cast<int64_t>(s.at("history").size()) == epoch,
            "resume {}: the checkpoint records {} epochs done but a history of {}\nHINT: resume from another "
            "checkpoint", path, epoch, s.contains("history") && s.at("history").is_array() ? s.at("history").size() : 0);
  // The schedule is always the one the new settings describe, brought to where the checkpoint stopped by replaying
  // its steps (plateau with the recorded metrics): the same lrs, bit for bit, when nothing changed; timm's
  // recomputed schedule when --epochs grew; the new lr when --force changed it.
  for (size_t g = 0; g < fresh_lrs.size(); ++g) optimizer.set_lr(fresh_lrs[g], static_cast<int64_t>(g));
  if (o.scheduler != nullptr) {
    std::vector<double> metrics;
    for (const auto& m : s.at("history")) {
      const EpochMetrics e = train_detail::epoch_from_json(m);
      metrics.push_back(o.monitor == "loss" ? e.test_loss : o.monitor == "top5" ? e.test_top5 : e.test_acc);
    }
    const auto steps = static_cast<int64_t>(c.scheduler->at("last_epoch"));
    for (int64_t i = 0; i < steps; ++i)
      if (o.scheduler->needs_metric())
        dynamic_cast<ReduceLROnPlateau&>(*o.scheduler).step(metrics.at(static_cast<size_t>(i)));
      else
        o.scheduler->step();
  }
  CNN_CHECK(s.at("monitor").get<std::string>() == o.monitor, "resume {}: the run monitored {}, this one {}", path,
            s.at("monitor").get<std::string>(), o.monitor);
  set_rng_state(s.at("rng_state").get<std::string>());
  restore_loader(train, s.at("train_loader"), "training", path);
  restore_loader(val, s.at("val_loader"), "evaluation", path);
  RunState r;
  r.epoch = epoch;
  r.best_value = std::stod(s.at("best_value").get<std::string>());
  r.best_epoch = integer(s, "best_epoch", 0, epoch, path);
  r.wait = integer(s, "early_stopping_wait", 0, epoch, path);
  r.stopped_early = s.at("stopped_early").get<bool>();
  for (const auto& m : s.at("history")) r.history.push_back(train_detail::epoch_from_json(m));
  if (s.contains("steps")) r.steps = train_detail::steps_from_rows(s.at("steps"));  // absent before per-step logs
  const fs::path best = fs::path(path).parent_path() / "best.ckpt";
  std::error_code ec;
  if (o.early_stopping.patience > 0 && o.early_stopping.restore_best_weights && r.best_epoch > 0 &&
      fs::is_regular_file(best, ec))
    best_weights = load_checkpoint(best.string()).model;
  return r;
}

// model.safetensors, replaced atomically like the checkpoints (a reader never sees half a file).
void save_weights(const Module& model, const fs::path& dir) {
  save_safetensors((dir / "model.safetensors").string(), model.state_dict());
}

StateDict clone_state(const StateDict& state) {
  StateDict out;
  for (const auto& [name, t] : state) out.insert(name, t.clone());
  return out;
}

}  // namespace

FitResult fit(Module& model, DataLoader& train, DataLoader& val, Optimizer& optimizer, const FitOptions& o) {
  CNN_CHECK(o.epochs > 0, "fit: epochs must be positive, got {}", o.epochs);
  CNN_CHECK(o.monitor == "top1" || o.monitor == "top5" || o.monitor == "loss",
            "fit: monitor must be top1, top5 or loss, got '{}'", o.monitor);
  CNN_CHECK(o.early_stopping.patience >= 0, "fit: early-stopping patience must be >= 0, got {}",
            o.early_stopping.patience);
  const bool files = !o.output_dir.empty();
  const fs::path dir(o.output_dir);
  if (files) {
    check_run_folder(o.output_dir, "fit: output folder");
    std::error_code ec;
    fs::create_directories(dir, ec);
    CNN_CHECK(!ec, "fit: cannot create output folder {} ({})\nHINT: pass a writable folder with --output", o.output_dir,
              ec.message());
  }
  const Monitor monitor{o.monitor, o.monitor != "loss", o.min_delta};
  const bool early_stopping = o.early_stopping.patience > 0;
  StateDict best_weights;
  RunState run;
  run.best_value = monitor.worst();
  if (!o.resume.empty()) run = resume(o, model, optimizer, train, val, best_weights);

  FitResult result;
  result.start_epoch = run.epoch;
  for (auto& cb : o.callbacks) cb->on_train_begin(run.epoch, o.epochs);
  auto on_step = [&o, &run](const StepInfo& s) {
    run.steps.push_back({s.epoch + 1, s.step, s.steps, s.batch_loss, s.batch_accuracy, s.lr});
    if (o.on_step) o.on_step(s);
    for (auto& cb : o.callbacks) cb->on_batch_end(s);
  };
  while (run.epoch < o.epochs && !run.stopped_early) {
    const int64_t epoch = run.epoch;
    for (auto& cb : o.callbacks) cb->on_epoch_begin(epoch);
    const double lr = optimizer.lr(0);
    EvalResult tr;
    try {
      tr = train_one_epoch(model, train, optimizer,
                           {.epoch = epoch,
                            .epochs = o.epochs,
                            .max_steps = o.max_steps_per_epoch,
                            .on_step = on_step,
                            .step_scheduler = o.scheduler_per_step ? o.scheduler : nullptr,
                            .clip_grad = o.clip_grad,
                            .label_smoothing = o.label_smoothing,
                            .amp = o.amp,
                            .l1 = o.l1,
                            .mixup = o.mixup});
    } catch (const NonFiniteLossError& e) {
      const std::string kept =
          files && o.checkpoints && epoch > 0
              ? fmt::format("the last good checkpoint, {} (epoch {}), is intact", (dir / "last.ckpt").string(), epoch)
              : std::string("no checkpoint had been written yet");
      throw NonFiniteLossError(
          fmt::format("{}; {}\nHINT: lower --lr, or clip gradients with --clip-grad", e.what(), kept), e.epoch, e.step);
    }
    const EvalResult te = evaluate(model, val, -1, o.amp);
    if (o.scheduler != nullptr && !o.scheduler_per_step) {
      if (o.scheduler->needs_metric())
        dynamic_cast<ReduceLROnPlateau&>(*o.scheduler).step(monitor.value(te));
      else
        o.scheduler->step();
    }
    run.history.push_back({epoch + 1, tr.loss, tr.accuracy, te.loss, te.accuracy, tr.seconds,
                           tr.seconds > 0 ? double(tr.samples) / tr.seconds : 0.0, te.seconds, te.top5, lr, peak_rss_mb()});
    run.epoch = epoch + 1;
    const bool improved = monitor.improved(monitor.value(te), run.best_value);
    if (improved) {
      run.best_value = monitor.value(te);
      run.best_epoch = epoch + 1;
      run.wait = 0;
      if (early_stopping && o.early_stopping.restore_best_weights) best_weights = clone_state(model.state_dict());
    } else {
      ++run.wait;
    }
    run.stopped_early = early_stopping && run.wait >= o.early_stopping.patience;
    if (files) {
      if (o.checkpoints) {
        const Checkpoint c{model.state_dict(), optimizer.full_state(),
                           o.scheduler ? std::optional(o.scheduler->state_dict()) : std::nullopt,
                           state_json(run, train, val, o)};
        if (improved) save_checkpoint((dir / "best.ckpt").string(), c);
        save_checkpoint((dir / "last.ckpt").string(), c);
      }
      write_metrics_json((dir / "metrics.json").string(), run.history, o.config_json, &te, run.steps);
      save_weights(model, dir);
    }
    if (o.on_epoch) o.on_epoch(run.history.back());
    bool stop = false;
    for (auto& cb : o.callbacks) {
      cb->on_epoch_end(run.history.back(), te);
      stop = stop || cb->stop_training();
    }
    result.last_eval = te;
    if (stop) break;
  }
  if (early_stopping && o.early_stopping.restore_best_weights && !best_weights.empty() && run.best_epoch != run.epoch) {
    model.load_state_dict(best_weights);
    if (files) save_weights(model, dir);
  }
  for (auto& cb : o.callbacks) cb->on_train_end(run.history);
  result.history = run.history;
  result.steps = run.steps;
  result.best_epoch = run.best_epoch;
  result.best_value = run.best_value;
  result.stopped_early = run.stopped_early;
  return result;
}

}  // namespace cnn

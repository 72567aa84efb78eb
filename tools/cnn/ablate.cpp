// `cnn ablate`, an ablation study over plaincnn (seeds 002 §11): its flags and its plan (the baseline, one change
// at a time or the full grid, configurations x seeds). Not the training processes (ablate_run.cpp) nor the mean ± std
// table and chart (ablate_results.cpp).
#include <cnn/analysis.h>
#include <cnn/data_splits.h>
#include <cnn/error.h>
#include <cnn/models_plain.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <thread>

#include "ablate.h"
#include "commands.h"
#include "flag_limits.h"
#include "json_config.h"
#include "train_args.h"

namespace cnn::cli {

namespace {

namespace fs = std::filesystem;
using Changes = std::vector<std::pair<std::string, std::string>>;
using ablate::Config;
using ablate::Plan;

const std::vector<std::string> kKnobs{"depth", "width", "kernel", "pool", "bn", "head", "dropout", "image_size"};
// Settings the study sets itself, or that would change the data: --vary may not change them.
const std::vector<std::string> kFixed{"model",   "model_kwargs", "config", "output",       "resume",  "seed",
                                      "threads", "quiet",        "no_report", "log_interval", "dataset", "data_dir"};

struct AblateArgs {
  std::string base, dataset, data_dir, output = "runs/ablate";
  std::vector<std::string> vary;
  int64_t seeds = 3, epochs = 0, train_subset = -1, jobs = 1;
  int threads = 0;
  uint64_t seed = 0;
  bool seed_given = false, grid = false;
};

/// A --vary factor: a plaincnn knob or a cnn train setting, and its values (knobs in canonical form).
struct Factor {
  std::string key;
  std::vector<std::string> values;
  bool knob = false;
};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string with(std::string s, char from, char to) {
  std::replace(s.begin(), s.end(), from, to);
  return s;
}

std::string knob_value(const models::PlainCNNOptions& o, const std::string& key) {
  if (key == "depth") return std::to_string(o.depth);
  if (key == "width") return std::to_string(o.width);
  if (key == "kernel") return std::to_string(o.kernel);
  if (key == "pool") return o.pool;
  if (key == "bn") return o.bn ? "on" : "off";
  if (key == "head") return o.head;
  if (key == "dropout") return fmt::format("{}", o.dropout);
  return std::to_string(o.image_size);
}

/// cnn train's settings: the --base file under `overrides`, which win as command-line flags would.
TrainArgs train_args(const std::string& base, const Changes& overrides) {
  TrainArgs args;
  CLI::App cmd{"", "train"};
  add_train_flags(&cmd, args);
  for (const auto& [key, value] : overrides) {
    CLI::Option* op = cmd.get_option_no_throw("--" + with(key, '_', '-'));
    CNN_CHECK(op != nullptr, "ablate: cnn train has no setting {}", key);
    if (op->count() > 0) continue;
    op->add_result(value);
    op->run_callback();
  }
  if (!base.empty()) apply_json_config(cmd, base);
  return args;
}

/// Everything one study needs to turn changes into configurations.
struct Context {
  const AblateArgs& args;
  Changes fixed;  // the study's own --dataset, --data-dir, --epochs, --train-subset
  TrainArgs baseline;
  std::map<std::string, std::string> baseline_kwargs;  // canonical, every knob the baseline sets
  models::PlainCNNOptions baseline_knobs;
  std::map<int64_t, std::pair<Shape, int64_t>> inputs;  // img_size -> ([C, H, W], classes)
};

Factor parse_factor(const std::string& item, Context& ctx) {
  const size_t eq = item.find('=');
  CNN_CHECK(eq != std::string::npos && eq > 0 && eq + 1 < item.size(),
            "--vary: expected key=value,value,... (e.g. depth=2,3,5,8), got \"{}\"", item);
  Factor f{with(item.substr(0, eq), '-', '_'), {}, false};
  f.knob = contains(kKnobs, f.key);
  CNN_CHECK(!contains(kFixed, f.key),
            "--vary {}: the study sets {} itself\nHINT: vary a plaincnn knob ({}) or a training setting such as lr, "
            "opt, batch_size or weight_decay",
            f.key, f.key, fmt::join(kKnobs, ", "));
  if (!f.knob) {
    TrainArgs probe;
    CLI::App cmd{"", "train"};
    add_train_flags(&cmd, probe);
    const CLI::Option* op = cmd.get_option_no_throw("--" + with(f.key, '_', '-'));
    CNN_CHECK(op != nullptr && op->get_expected_min() > 0,
              "--vary {}: unknown setting; accepted: the plaincnn knobs {}, or a cnn train setting with a value "
              "(lr, opt, batch_size, weight_decay, momentum, sched, smoothing, ...: see cnn train --help)",
              f.key, fmt::join(kKnobs, ", "));
  }
  std::string rest = item.substr(eq + 1);
  for (size_t start = 0; start <= rest.size();) {
    const size_t comma = std::min(rest.find(',', start), rest.size());
    std::string value = rest.substr(start, comma - start);
    start = comma + 1;
    CNN_CHECK(!value.empty(), "--vary {}: an empty value in \"{}\"", f.key, item);
    Changes settings{{f.key, value}};
    settings.insert(settings.end(), ctx.fixed.begin(), ctx.fixed.end());
    try {
      if (f.knob) value = knob_value(models::plain_cnn_options({{f.key, value}}, ctx.baseline_knobs), f.key);
      else train_args(ctx.args.base, settings);
    } catch (const cnn::Error& e) {
      throw Error(fmt::format("--vary {}: {}", f.key, e.what()));
    } catch (const std::exception& e) {  // std::stod's (dropout) or CLI11's validators
      throw Error(f.knob ? fmt::format("--vary {}: expected a number, got \"{}\"", f.key, value)
                         : fmt::format("--vary {}: bad value \"{}\" ({})", f.key, value, e.what()));
    }
    CNN_CHECK(!contains(f.values, value), "--vary {}: the value {} is given twice", f.key, value);
    f.values.push_back(value);
  }
  return f;
}

/// Whether key=value is what the baseline has.
bool is_baseline_value(const Factor& f, const std::string& value, const Context& ctx) {
  if (f.knob) {
    const auto it = ctx.baseline_kwargs.find(f.key);
    return value == (it != ctx.baseline_kwargs.end() ? it->second : knob_value(ctx.baseline_knobs, f.key));
  }
  Changes c{{f.key, value}};
  c.insert(c.end(), ctx.fixed.begin(), ctx.fixed.end());
  return resolved_config(train_args(ctx.args.base, c))[f.key] == resolved_config(ctx.baseline)[f.key];
}

std::string folder_name(const Changes& changes) {
  if (changes.empty()) return "baseline";
  std::string id;
  for (const auto& [key, value] : changes) id += (id.empty() ? "" : "_") + key + "-" + value;
  for (char& c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') c = '_';
  return id;
}

std::string as_text(const nlohmann::ordered_json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string describe(const Changes& changes) {
  std::string out;
  for (const auto& [key, value] : changes) out += (out.empty() ? "" : " ") + key + "=" + value;
  return out;
}

Config make_config(const Changes& changes, Context& ctx) {
  Config config{folder_name(changes), changes, {}, 0, 0};
  Changes settings;
  std::map<std::string, std::string> kwargs = ctx.baseline_kwargs;
  for (const auto& [key, value] : changes) {
    if (contains(kKnobs, key)) kwargs[key] = value;
    else settings.emplace_back(key, value);
  }
  settings.insert(settings.end(), ctx.fixed.begin(), ctx.fixed.end());
  TrainArgs a = train_args(ctx.args.base, settings);
  a.model = "plaincnn";
  a.model_kwargs.clear();
  for (const std::string& key : kKnobs)
    if (kwargs.count(key)) a.model_kwargs.push_back(key + "=" + kwargs[key]);
  a.threads = ctx.args.threads;
  a.quiet = a.no_report = true;
  config.train_config = resolved_config(a);
  for (auto it = config.train_config.begin(); it != config.train_config.end();)
    it = it->is_string() && it->get<std::string>().empty() ? config.train_config.erase(it) : std::next(it);
  config.train_config.erase("output");

  if (!ctx.inputs.count(a.augment.img_size)) {
    const DataSplits data = open_eval_split(parse_dataset(a.dataset, a.data_dir), a.augment, false);
    ctx.inputs[a.augment.img_size] = {data.raw_shape, static_cast<int64_t>(data.classes.size())};
  }
  const auto& [shape, classes] = ctx.inputs[a.augment.img_size];
  try {
    models::PlainCNNOptions o = models::plain_cnn_options(kwargs);
    o.in_channels = shape[0];
    o.num_classes = a.num_classes > 0 ? a.num_classes : classes;
    if (!kwargs.count("image_size")) o.image_size = shape[2];
    models::PlainCNN net(o);
    const ModelSummary s = summary(net, shape);
    config.parameters = s.total_parameters;
    config.macs = s.total_macs;
  } catch (const std::exception& e) {
    throw Error(fmt::format("{}: {}", changes.empty() ? "the baseline" : "--vary " + describe(changes), e.what()));
  }
  return config;
}

Plan make_plan(const AblateArgs& args) {
  if (!args.base.empty()) {
    std::ifstream in(args.base);
    CNN_CHECK(in.good(), "--base: cannot read {}\nHINT: pass a cnn train config JSON, e.g. a run's config.json",
              args.base);
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    CNN_CHECK(doc.is_object(), "--base {}: expected a JSON object of cnn train settings", args.base);
    const std::string model = doc.value("model", std::string("plaincnn"));
    CNN_CHECK(model == "plaincnn",
              "--base {}: cnn ablate studies plaincnn, but the config's model is \"{}\"\nHINT: set \"model\": "
              "\"plaincnn\" and its knobs in \"model_kwargs\" (e.g. [\"depth=5\"])",
              args.base, model);
  }
  Context ctx{args, {}, {}, {}, {}, {}};
  if (!args.dataset.empty()) ctx.fixed.emplace_back("dataset", args.dataset);
  if (!args.data_dir.empty()) ctx.fixed.emplace_back("data_dir", args.data_dir);
  if (args.epochs > 0) ctx.fixed.emplace_back("epochs", std::to_string(args.epochs));
  if (args.train_subset >= 0) ctx.fixed.emplace_back("train_subset", std::to_string(args.train_subset));
  ctx.baseline = train_args(args.base, ctx.fixed);
  try {
    ctx.baseline_knobs = models::plain_cnn_options(parse_model_kwargs(ctx.baseline.model_kwargs));
  } catch (const std::exception& e) {
    throw Error(fmt::format("--base {}: {}", args.base, e.what()));
  }
  for (const auto& [key, value] : parse_model_kwargs(ctx.baseline.model_kwargs)) ctx.baseline_kwargs[key] = value;
  for (const char* key : {"depth", "width", "kernel", "pool", "bn", "head"})
    ctx.baseline_kwargs[key] = knob_value(ctx.baseline_knobs, key);
  for (const char* key : {"dropout", "image_size"})
    if (ctx.baseline_kwargs.count(key)) ctx.baseline_kwargs[key] = knob_value(ctx.baseline_knobs, key);

  std::vector<Factor> factors;
  for (const std::string& item : args.vary) {
    factors.push_back(parse_factor(item, ctx));
    for (size_t i = 0; i + 1 < factors.size(); ++i)
      CNN_CHECK(factors[i].key != factors.back().key, "--vary {}: given twice; list all its values in one --vary",
                factors.back().key);
  }
  CNN_CHECK(!args.grid || !factors.empty(), "--grid needs at least one --vary");

  Plan plan;
  plan.output = args.output;
  plan.seeds = args.seeds;
  plan.jobs = args.jobs;
  plan.grid = args.grid;
  plan.dataset = ctx.baseline.dataset;
  plan.epochs = ctx.baseline.epochs;
  plan.first_seed = args.seed_given ? args.seed : ctx.baseline.seed;
  auto add_config = [&](const Changes& changes) {
    for (size_t i = 0; i < plan.configs.size(); ++i)
      if (plan.configs[i].changes == changes) return i;
    plan.configs.push_back(make_config(changes, ctx));
    return plan.configs.size() - 1;
  };
  Changes baseline_values;  // the baseline's value of every factor, to describe it
  for (const std::string& key : kKnobs)
    if (ctx.baseline_kwargs.count(key)) baseline_values.emplace_back(key, ctx.baseline_kwargs.at(key));
  const nlohmann::ordered_json settings = resolved_config(ctx.baseline);
  for (const Factor& f : factors)
    if (!f.knob) baseline_values.emplace_back(f.key, as_text(settings[f.key]));
  plan.baseline_text = describe(baseline_values);
  plan.training_text = fmt::format("{} lr {}, weight decay {}, schedule {}, batch {}, {} epoch{}, {} training images",
                                   ctx.baseline.opt, ctx.baseline.resolved_lr(), ctx.baseline.weight_decay,
                                   ctx.baseline.sched, ctx.baseline.batch_size, plan.epochs, plan.epochs == 1 ? "" : "s",
                                   ctx.baseline.train_subset > 0 ? std::to_string(ctx.baseline.train_subset) : "all");
  if (!args.grid) {
    add_config({});
    plan.rows.push_back({"baseline", plan.baseline_text, 0, true});
    for (const Factor& f : factors)
      for (const std::string& value : f.values) {
        const bool same = is_baseline_value(f, value, ctx);
        plan.rows.push_back({f.key, value, same ? 0 : add_config({{f.key, value}}), same});
      }
  } else {
    std::vector<size_t> pick(factors.size(), 0);  // an odometer over the factors' values
    for (bool more = true; more;) {
      Changes all, changed;
      bool baseline = true;
      for (size_t k = 0; k < factors.size(); ++k) {
        const std::string& value = factors[k].values[pick[k]];
        all.emplace_back(factors[k].key, value);
        if (is_baseline_value(factors[k], value, ctx)) continue;
        changed.emplace_back(factors[k].key, value);
        baseline = false;
      }
      const size_t index = add_config(changed);
      plan.configs[index].id = folder_name(all);
      plan.rows.push_back({"grid", describe(all), index, baseline});
      more = false;
      for (size_t k = factors.size(); k-- > 0 && !more;) {
        more = ++pick[k] < factors[k].values.size();
        if (!more) pick[k] = 0;
      }
    }
  }
  for (size_t c = 0; c < plan.configs.size(); ++c)
    for (int64_t s = 0; s < args.seeds; ++s)
      plan.runs.push_back({c, s, (fs::path(args.output) / "runs" / plan.configs[c].id / fmt::format("seed{}", s)).string()});
  return plan;
}

/// Writes each run's run_config.json; refuses a folder that already holds a run of other settings.
void write_run_configs(const Plan& plan) {
  for (const ablate::Run& run : plan.runs) {
    nlohmann::ordered_json config = plan.configs[run.config].train_config;
    config["seed"] = plan.first_seed + static_cast<uint64_t>(run.seed_index);
    config["output"] = run.dir;
    const fs::path path = fs::path(run.dir) / "run_config.json";
    std::ifstream old_file(path);
    if (old_file.good()) {
      nlohmann::ordered_json old = nlohmann::ordered_json::parse(old_file, nullptr, false);
      for (const auto& [key, value] : config.items()) {
        if (key == "threads" || (old.is_object() && old.contains(key) && old[key] == value)) continue;
        throw Error(fmt::format(
            "{} holds a run with other settings ({}: {} there, {} now)\nHINT: use another --output, or delete that "
            "folder to train it again",
            run.dir, key, old.is_object() && old.contains(key) ? old[key].dump() : "unset", value.dump()));
      }
    }
    fs::create_directories(run.dir);
    std::ofstream out(path);
    out << config.dump(2) << "\n";
    CNN_CHECK(out.good(), "ablate: cannot write {}\nHINT: check that --output is writable", path.string());
  }
}

}  // namespace

void add_ablate_command(CLI::App& app) {
  auto args = std::make_shared<AblateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ablate",
      "Ablation study over plaincnn (seeds 002 §11): a baseline, one --vary change at a time (or --grid), each "
      "configuration trained with --seeds seeds by separate cnn train processes; a mean ± std table and bar chart. "
      "Rerunning continues where it stopped.");
  cmd->add_option("--base", args->base,
                  "cnn train config JSON of the baseline (model plaincnn, its knobs in model_kwargs); default: cnn "
                  "train's defaults with plaincnn's default knobs");
  cmd->add_option("--vary", args->vary,
                  "KEY=V1,V2,...: a plaincnn knob (depth, width, kernel, pool, bn, head, dropout, image_size) or a "
                  "cnn train setting (lr, opt, batch_size, ...); repeat for more factors");
  cmd->add_flag("--grid", args->grid, "Train every combination of the --vary values, not one change at a time");
  cmd->add_option("--seeds", args->seeds, "Seeds per configuration: the base seed + 0, 1, ..., SEEDS-1")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "First seed (default: the base config's seed, else 42)");
  cmd->add_option("--epochs", args->epochs, "Epochs per run (default: the base config's, else 5)")
      ->check(within(1, kMaxEpochs, "epochs of one run"));
  cmd->add_option("--dataset", args->dataset, "Dataset (default: the base config's, else mnist): " + dataset_choices());
  cmd->add_option("--data-dir", args->data_dir, "Folder with the dataset's files (as cnn train's --data-dir)");
  cmd->add_option("--train-subset", args->train_subset,
                  "Train each run on this many training images (seeded random choice; 0: all; default: the base "
                  "config's)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--jobs", args->jobs, "Training processes at once")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads per process (default: max(1, cores / jobs))")
      ->check(threads_check(false));
  cmd->add_option("--output", args->output, "Study folder: runs/<config>/seed<k>/, results.md, .csv, .png, .svg")
      ->capture_default_str();
  cmd->callback([args, cmd] {
    args->seed_given = cmd->count("--seed") > 0;
    if (args->threads <= 0)
      args->threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency() / std::max<int64_t>(1, args->jobs)));
    const Plan plan = make_plan(*args);
    write_run_configs(plan);
    fmt::print("cnn ablate: {} configuration{} x {} seed{} = {} run{} of plaincnn on {}, {} epoch{} each, in {} "
               "({} at once, {} thread{} each)\n",
               plan.configs.size(), plan.configs.size() == 1 ? "" : "s", plan.seeds, plan.seeds == 1 ? "" : "s",
               plan.runs.size(), plan.runs.size() == 1 ? "" : "s", plan.dataset, plan.epochs, plan.epochs == 1 ? "" : "s", plan.output, plan.jobs,
               args->threads, args->threads == 1 ? "" : "s");
    std::fflush(stdout);
    const std::vector<std::string> failed = ablate::train_all(plan);
    ablate::write_results(plan);
    CNN_CHECK(failed.empty(),
              "ablate: {} of {} runs failed ({}); the table leaves them out\nHINT: see each run's train.log; "
              "running the same command again retries them",
              failed.size(), plan.runs.size(), fmt::join(failed, ", "));
  });
}

}  // namespace cnn::cli

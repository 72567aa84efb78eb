// `cnn ablate`'s plan (configurations, table rows, runs) shared by its three files: the plan and the command
// (ablate.cpp), the training processes (ablate_run.cpp) and the results table and chart (ablate_results.cpp).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace cnn::cli::ablate {

/// One setting of the study: the baseline with some key=value changes, trained once per seed.
struct Config {
  std::string id;                                           // its folder under runs/ ("baseline", "depth-5")
  std::vector<std::pair<std::string, std::string>> changes;  // key, value against the baseline (empty: baseline)
  nlohmann::ordered_json train_config;                      // cnn train's settings, seed and output set per run
  int64_t parameters = 0, macs = 0;                         // of the built plaincnn, MACs per image
};

/// One line of the results: a configuration under the factor it answers (a configuration may appear twice:
/// the baseline is also the row of every factor's baseline value).
struct Row {
  std::string factor, value;  // "depth", "5"; the baseline's own row: "baseline", its knobs
  size_t config = 0;          // index into Plan::configs
  bool baseline = false;      // the row's configuration is the baseline
};

/// One cnn train process: a configuration and a seed.
struct Run {
  size_t config = 0;
  int64_t seed_index = 0;
  std::string dir;  // OUTPUT/runs/<id>/seed<k>
  std::string name() const;
};

/// What a run left in its metrics.json.
struct RunResult {
  int64_t epochs_done = 0;
  bool complete = false;  // epochs_done reached the configuration's epochs
  double test_acc = 0.0;  // the last epoch's, in [0, 1]
  double seconds = 0.0;   // training time, summed over the epochs
};

struct Plan {
  std::vector<Config> configs;
  std::vector<Row> rows;
  std::vector<Run> runs;
  std::string output, dataset;
  std::string baseline_text, training_text;  // "depth=3 width=32 ...", "adam lr 0.001, batch 64, ..."

  int64_t seeds = 0, epochs = 0, jobs = 1;
  uint64_t first_seed = 0;
  bool grid = false;
};

/// Reads DIR/metrics.json (absent or unreadable: nothing done).
RunResult read_run(const std::string& dir, int64_t epochs);

/// Trains every run not already complete, up to plan.jobs processes at once (each `cnn train --config
/// DIR/run_config.json --quiet --no-report`, output in DIR/train.log), resuming those with a last.ckpt.
/// Returns the names of the runs that failed (their log's tail printed on stderr).
std::vector<std::string> train_all(const Plan& plan);

/// Writes OUTPUT/results.md, results.csv, results.png and results.svg and prints the table on stdout.
void write_results(const Plan& plan);

}  // namespace cnn::cli::ablate

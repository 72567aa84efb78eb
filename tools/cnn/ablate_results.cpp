// `cnn ablate`'s results: per configuration the final test accuracy's mean ± sample std over its seeds, parameters,
// MACs and training time, as results.md (also printed), results.csv and a bar chart (results.png, results.svg).
// Not the plan (ablate.cpp) nor the training processes (ablate_run.cpp).
#include <cnn/analysis.h>
#include <cnn/viz_chart.h>
#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "ablate.h"

namespace cnn::cli::ablate {

namespace {

namespace fs = std::filesystem;

struct Stats {
  int64_t n = 0;
  double mean = 0.0, std = std::numeric_limits<double>::quiet_NaN();  // accuracy in %; std needs 2 seeds
  double seconds = 0.0;                                                // training time per run
};

Stats config_stats(const Plan& plan, size_t config) {
  Stats s;
  std::vector<double> acc;
  const int64_t epochs = plan.configs[config].train_config.at("epochs").get<int64_t>();
  for (const Run& run : plan.runs) {
    if (run.config != config) continue;
    const RunResult r = read_run(run.dir, epochs);
    if (!r.complete) continue;
    acc.push_back(100 * r.test_acc);
    s.seconds += r.seconds;
  }
  s.n = static_cast<int64_t>(acc.size());
  if (s.n == 0) return s;
  for (double a : acc) s.mean += a / static_cast<double>(s.n);
  s.seconds /= static_cast<double>(s.n);
  if (s.n > 1) {
    double ss = 0;
    for (double a : acc) ss += (a - s.mean) * (a - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(s.n - 1));
  }
  return s;
}

std::string accuracy_text(const Stats& s) {
  if (s.n == 0) return "—";
  return std::isnan(s.std) ? fmt::format("{:.2f} ± n/a", s.mean) : fmt::format("{:.2f} ± {:.2f}", s.mean, s.std);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string bar_label(const Plan& plan, const Row& row) {
  if (row.factor == "baseline") return "baseline";
  return plan.grid ? row.value : row.factor + "=" + row.value;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  CNN_CHECK(out.good(), "ablate: cannot write {}\nHINT: check that --output is writable", path.string());
}

}  // namespace

void write_results(const Plan& plan) {
  std::vector<Stats> stats;
  for (size_t c = 0; c < plan.configs.size(); ++c) stats.push_back(config_stats(plan, c));
  std::vector<std::string> seeds;
  for (int64_t s = 0; s < plan.seeds; ++s) seeds.push_back(std::to_string(plan.first_seed + static_cast<uint64_t>(s)));

  std::string md = fmt::format("# Ablation study: plaincnn on {}\n\n", plan.dataset);
  md += fmt::format(
      "{}; identical training settings otherwise; {} seed{} per configuration ({}); test accuracy after the last "
      "epoch, mean ± sample std (ddof=1).\n\n",
      plan.grid ? "Every combination of the varied values (the baseline's marked)"
                : "One change at a time against the baseline", plan.seeds,
      plan.seeds == 1 ? "" : "s", fmt::join(seeds, ", "));
  md += fmt::format("- baseline: {}\n- training: {}\n\n", plan.baseline_text, plan.training_text);
  md += "| factor | value | config | seeds | test acc (%) | params | MACs/image | train s/run |\n";
  md += "|---|---|---|--:|--:|--:|--:|--:|\n";
  std::string csv =
      "factor,value,config,baseline,seeds,test_acc_mean,test_acc_std,parameters,macs_per_image,train_seconds_mean\n";
  std::vector<viz::Bar> bars;
  double reference = std::numeric_limits<double>::quiet_NaN();
  for (const Row& row : plan.rows) {
    const Config& config = plan.configs[row.config];
    const Stats& s = stats[row.config];
    const std::string value = row.baseline && row.factor != "baseline" ? row.value + " (baseline)" : row.value;
    const std::string n = s.n == plan.seeds ? std::to_string(s.n) : fmt::format("{}/{}", s.n, plan.seeds);
    md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", row.factor, value, config.id, n,
                      accuracy_text(s), with_thousands(config.parameters), with_thousands(config.macs),
                      s.n > 0 ? fmt::format("{:.1f}", s.seconds) : "—");
    csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", csv_field(row.factor), csv_field(row.value), config.id,
                       row.baseline ? "true" : "false", s.n, s.n > 0 ? fmt::format("{:.4f}", s.mean) : "",
                       std::isnan(s.std) ? "" : fmt::format("{:.4f}", s.std), config.parameters, config.macs,
                       s.n > 0 ? fmt::format("{:.2f}", s.seconds) : "");
    if (s.n == 0) continue;
    if (row.baseline) reference = s.mean;
    const std::string group = plan.grid ? row.value.substr(0, row.value.find(' ')) : row.factor;
    bars.push_back({bar_label(plan, row), s.mean, std::isnan(s.std) ? 0.0 : s.std, group});
  }
  const fs::path dir(plan.output);
  write_file(dir / "results.md", md);
  write_file(dir / "results.csv", csv);
  fmt::print("\n{}\nwrote {}/results.md, results.csv", md, plan.output);
  if (!bars.empty()) {
    const viz::ChartOptions options{
        .title = fmt::format("plaincnn on {}: test accuracy, mean ± std over {} seed{}", plan.dataset, plan.seeds,
                             plan.seeds == 1 ? "" : "s"),
        .y_label = "test accuracy (%)",
        .reference_y = reference,
        .reference_label = std::isnan(reference) ? "" : fmt::format("baseline {:.2f}%", reference)};
    viz::save_bar_chart((dir / "results.png").string(), bars, options);
    viz::save_bar_chart((dir / "results.svg").string(), bars, options);
    fmt::print(", results.png and results.svg");
  }
  fmt::print("\n");
  std::fflush(stdout);
}

}  // namespace cnn::cli::ablate

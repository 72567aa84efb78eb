// `cnn stats --dataset NAME`: per-channel mean and standard deviation of the training images in [0, 1], printed
// ready for transforms.Normalize. Not a transform: it only reads the data (library's channel_stats).
#include <cnn/data.h>
#include <cnn/data_splits.h>
#include <fmt/format.h>

#include <thread>

#include "commands.h"
#include "flag_limits.h"

namespace cnn::cli {

namespace {

struct StatsArgs {
  std::string dataset;
  std::string data_dir;
  std::string split = "train";
  int64_t max_images = -1;
  int64_t threads = 0;
};

void run_stats(const StatsArgs& a) {
  const DatasetSpec spec = parse_dataset(a.dataset, a.data_dir);
  auto data = open_dataset(spec.name, spec.dir, a.split == "train");
  const int64_t threads = a.threads > 0 ? a.threads : std::max<int64_t>(1, std::thread::hardware_concurrency());
  const ChannelStats s = channel_stats(*data, a.max_images, threads);
  auto list = [](const std::vector<double>& v) {
    std::vector<std::string> out;
    for (double x : v) out.push_back(fmt::format("{:.4f}", x));
    return fmt::format("{}", fmt::join(out, ", "));
  };
  fmt::print("cnn stats: {} ({} split) from {}: {} images, {} channel{}\n", spec.name, a.split, spec.dir, s.images,
             s.mean.size(), s.mean.size() == 1 ? "" : "s");
  fmt::print("mean: {}\nstd:  {}\n", list(s.mean), list(s.std));
  fmt::print("transforms.Normalize(mean=({}), std=({}))\n", list(s.mean), list(s.std));
}

}  // namespace

void add_stats_command(CLI::App& app) {
  auto args = std::make_shared<StatsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "stats", "Per-channel mean and standard deviation of a dataset's training images (pixels in [0, 1]).");
  cmd->add_option("--dataset", args->dataset, "Dataset: " + dataset_choices())->required();
  cmd->add_option("--data-dir", args->data_dir, "Folder holding the dataset (default: its folder under $CNN_DATA_DIR)");
  cmd->add_option("--split", args->split, "Which split to measure")
      ->check(CLI::IsMember({"train", "test"}))
      ->capture_default_str();
  cmd->add_option("--max-images", args->max_images, "Only the first N images (default: all)")
      ->check(number_check("positive integer"));
  cmd->add_option("--threads", args->threads, "Reader threads (default: all cores)")
      ->check(threads_check(false));
  cmd->callback([args] { run_stats(*args); });
}

}  // namespace cnn::cli

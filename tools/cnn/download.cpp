// `cnn download NAME --data-dir DIR`: fetches MNIST, Fashion-MNIST, CIFAR-10 or CIFAR-100 into DIR/<folder>,
// checking md5 sums and unpacking archives; progress on stderr. Not the transfer itself (library's download.h).
#include <cnn/data.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "commands.h"

namespace cnn::cli {

namespace {

struct DownloadArgs {
  std::string name;
  std::string data_dir;
  std::string mirror;
};

// A progress line on stderr at most twice a second (redrawn on a terminal, else one line per 10%).
class DownloadProgress {
 public:
  void operator()(const std::string& name, int64_t now, int64_t total) {
    const auto t = std::chrono::steady_clock::now();
    const int tenth = total > 0 ? int(10 * now / total) : 0;
    if (tty_) {
      if (t - last_ < std::chrono::milliseconds(500) && now != total) return;
      last_ = t;
      fmt::print(stderr, "\r  {}: {:.1f} of {} MB", name, double(now) / 1e6,
                 total > 0 ? fmt::format("{:.1f}", double(total) / 1e6) : std::string("?"));
      if (now == total) fmt::print(stderr, "\n");
    } else if (tenth > last_tenth_) {
      last_tenth_ = tenth;
      fmt::print(stderr, "  {}: {}%\n", name, 10 * tenth);
    }
  }

 private:
  bool tty_ = isatty(2) != 0;
  int last_tenth_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

void run_download(const DownloadArgs& a) {
  const char* env = std::getenv("CNN_DATA_DIR");
  const std::string root = !a.data_dir.empty() ? a.data_dir : env && *env ? env : "data";
  const DatasetSource source = dataset_source(a.name);
  fmt::print("cnn download: {} into {}/{}\n", a.name, root, source.folder);
  std::fflush(stdout);
  auto progress = std::make_shared<DownloadProgress>();
  DownloadOptions options{
      .mirror = a.mirror,
      .on_progress = [progress](const std::string& n, int64_t now, int64_t total) { (*progress)(n, now, total); }};
  std::vector<DownloadReport> reports;
  const std::string folder = download_dataset(a.name, root, options, &reports);
  for (const DownloadReport& r : reports) {
    if (r.skipped)
      fmt::print("  {}: already present, md5 checked\n", r.name);
    else if (r.resumed_from > 0)
      fmt::print("  {}: {} bytes (resumed after {}), md5 ok\n", r.name, r.bytes, r.resumed_from);
    else
      fmt::print("  {}: {} bytes, md5 ok\n", r.name, r.bytes);
  }
  fmt::print("{} is ready in {}\n  train on it with: cnn train --dataset {} --data-dir {}\n", a.name, folder, a.name,
             root);
}

}  // namespace

void add_download_command(CLI::App& app) {
  auto args = std::make_shared<DownloadArgs>();
  CLI::App* cmd = app.add_subcommand(
      "download", "Download a dataset's official files (md5-checked, resumable) and unpack them under --data-dir.");
  cmd->add_option("name", args->name, "Dataset")->required()->check(CLI::IsMember(downloadable_datasets()));
  cmd->add_option("--data-dir", args->data_dir,
                  "Root folder; the dataset goes into its sub-folder (mnist, fashion-mnist, cifar-10-batches-bin, "
                  "cifar-100-binary). Default: $CNN_DATA_DIR, else ./data");
  cmd->add_option("--mirror", args->mirror,
                  "Fetch every file from MIRROR/<file name> instead of the official address (http(s):// or "
                  "file:///folder); default: $CNN_DATASET_MIRROR");
  cmd->callback([args] { run_download(*args); });
}

}  // namespace cnn::cli

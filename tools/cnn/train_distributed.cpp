// See train_distributed.h.
#include "train_distributed.h"

#include <cnn/distributed.h>
#include <cnn/error.h>
#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <vector>

namespace cnn::cli {

int join_distributed(TrainArgs& a) {
  distributed::init();
  if (distributed::world_size() > 1 && !distributed::is_main()) {
    a.quiet = true;
    a.no_report = true;
    std::fflush(stdout);
    if (std::freopen("/dev/null", "w", stdout) == nullptr) std::fprintf(stderr, "cnn: rank %d: stdout stays open\n",
                                                                       distributed::rank());
  }
  return distributed::world_size();
}

void check_same_settings(const nlohmann::ordered_json& config) {
  if (distributed::world_size() == 1) return;
  nlohmann::ordered_json compared = config;
  // Not what is trained: rank 0 alone picks and writes the run folder, prints and draws the report.
  for (const char* key : {"output", "quiet", "no_report", "log_interval"}) compared.erase(key);
  const std::string text = compared.dump();
  const std::string hash = std::to_string(std::hash<std::string>{}(text));
  const std::vector<std::string> hashes = distributed::all_gather(hash);
  bool same = true;
  for (const std::string& h : hashes) same = same && h == hashes[0];
  if (same) return;
  const std::vector<std::string> all = distributed::all_gather(text);
  const auto first = nlohmann::ordered_json::parse(all[0]);
  std::string differences;
  for (size_t r = 1; r < all.size(); ++r) {
    const auto other = nlohmann::ordered_json::parse(all[r]);
    for (const auto& [key, value] : other.items())
      if (!first.contains(key) || first[key] != value)
        differences += fmt::format("\n  {}: rank 0 {}, rank {} {}", key, first.contains(key) ? first[key].dump() : "-",
                                   r, value.dump());
  }
  throw Error(fmt::format("train: the {} ranks were started with different settings:{}\nHINT: start every rank with "
                          "the same command line and --config",
                          all.size(), differences));
}

std::string global_batch_note(int64_t batch_size) {
  const int world = distributed::world_size();
  if (world == 1) return "";
  return fmt::format(" per rank x {} ranks ({}) = global batch {}", world, distributed::launcher(),
                     batch_size * world);
}

}  // namespace cnn::cli

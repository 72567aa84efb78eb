// `cnn ablate`'s training processes: each run is `cnn train --config RUN/run_config.json` (this very binary),
// up to --jobs at once, its output in RUN/train.log; complete runs are skipped and interrupted ones resumed.
// Not the plan (ablate.cpp) nor the table (ablate_results.cpp).
#include <cnn/error.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "ablate.h"

extern char** environ;

namespace cnn::cli::ablate {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Running {
  const Run* run;
  Clock::time_point start;
};

/// The last `lines` lines of a file, each indented.
std::string tail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const std::string& line : last) out += "    " + line + "\n";
  return out.empty() ? "    (empty)\n" : out;
}

pid_t spawn(const std::string& exe, const Run& run, bool resume) {
  const std::string log = (fs::path(run.dir) / "train.log").string();
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (resume ? O_APPEND : O_TRUNC), 0644);
  CNN_CHECK(fd >= 0, "ablate: cannot write {} ({})", log, std::strerror(errno));
  std::vector<std::string> args{exe, "train", "--config", (fs::path(run.dir) / "run_config.json").string(),
                                "--output", run.dir, "--quiet", "--no-report"};
  if (!resume) args.push_back("--overwrite");  // the study owns its run folders: an unfinished one starts again
  if (resume) {
    args.insert(args.end(), {"--resume", run.dir});
    const std::string note = "\n--- cnn ablate: resuming from last.ckpt ---\n";
    [[maybe_unused]] const ssize_t written = ::write(fd, note.data(), note.size());
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fd, 1);
  posix_spawn_file_actions_adddup2(&actions, fd, 2);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fd);
  CNN_CHECK(rc == 0, "ablate: cannot start {} ({})", exe, std::strerror(rc));
  return pid;
}

}  // namespace

std::string Run::name() const {
  return fs::path(dir).parent_path().filename().string() + "/" + fs::path(dir).filename().string();
}

RunResult read_run(const std::string& dir, int64_t epochs) {
  RunResult r;
  std::ifstream in(fs::path(dir) / "metrics.json");
  if (!in.good()) return r;
  const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (!doc.is_object() || !doc.contains("epochs") || !doc["epochs"].is_array() || doc["epochs"].empty()) return r;
  for (const auto& e : doc["epochs"]) r.seconds += e.value("seconds", 0.0);
  r.epochs_done = static_cast<int64_t>(doc["epochs"].size());
  r.test_acc = doc["epochs"].back().value("test_acc", 0.0);
  r.complete = r.epochs_done >= epochs;
  return r;
}

std::vector<std::string> train_all(const Plan& plan) {
  std::error_code ec;
  const std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
  CNN_CHECK(!ec, "ablate: cannot find the cnn binary through /proc/self/exe ({})", ec.message());
  std::vector<const Run*> todo;
  for (const Run& run : plan.runs) {
    const int64_t epochs = plan.configs[run.config].train_config.at("epochs").get<int64_t>();
    if (read_run(run.dir, epochs).complete) fmt::print("skip {} (done)\n", run.name());
    else todo.push_back(&run);
  }
  std::fflush(stdout);
  std::map<pid_t, Running> running;
  std::vector<std::string> failed;
  size_t next = 0, finished = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && static_cast<int64_t>(running.size()) < plan.jobs) {
      const Run& run = *todo[next++];
      const bool resume = fs::exists(fs::path(run.dir) / "last.ckpt");
      const uint64_t seed = plan.first_seed + static_cast<uint64_t>(run.seed_index);
      fmt::print("train {} (seed {}){} -> {}/train.log\n", run.name(), seed, resume ? ", resuming" : "", run.dir);
      std::fflush(stdout);
      running[spawn(exe, run, resume)] = {&run, Clock::now()};
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0 && errno == EINTR) continue;
    CNN_CHECK(pid > 0, "ablate: waiting for the training processes failed ({})", std::strerror(errno));
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const Run& run = *it->second.run;
    const double seconds = std::chrono::duration<double>(Clock::now() - it->second.start).count();
    running.erase(it);
    ++finished;
    const int64_t epochs = plan.configs[run.config].train_config.at("epochs").get<int64_t>();
    const RunResult r = read_run(run.dir, epochs);
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && r.complete;
    if (ok) {
      fmt::print("done {} [{}/{}]: test acc {:.2f}% ({:.1f} s)\n", run.name(), finished, todo.size(),
                 100 * r.test_acc, seconds);
      std::fflush(stdout);
      continue;
    }
    const std::string why = WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status))
                            : WIFSIGNALED(status) ? fmt::format("killed by signal {}", WTERMSIG(status))
                                                  : std::string("stopped");
    const std::string log = (fs::path(run.dir) / "train.log").string();
    fmt::print(stderr, "cnn ablate: run {} FAILED ({}, {} of {} epochs done); the end of {}:\n{}", run.name(),
               why, r.epochs_done, epochs, log, tail(log, 12));
    std::fflush(stderr);
    failed.push_back(run.name());
  }
  return failed;
}

}  // namespace cnn::cli::ablate

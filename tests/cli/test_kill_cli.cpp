// Nothing lost (issue 13 §5): `cnn train` SIGKILLed at 24 moments of a short run, half of them while a file is being
// written (a .tmp is present); after each kill every file of the run folder is absent or a complete version
// (JSON parses, safetensors and checkpoints load, the report ends), and `cnn train --resume RUN/last.ckpt` finishes
// with the uninterrupted run's final accuracy (killed before the first checkpoint: the run starts again, --overwrite).
#include <cnn/checkpoint.h>
#include <cnn/cnn.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kEpochs = 4;

std::vector<std::string> train_args(const std::string& run, const std::string& extra) {
  std::vector<std::string> args{fmt::format("{}/cnn", CNN_BINARY_DIR), "train", "--model", "plaincnn",
                                "--model-kwargs", "depth=2", "width=4", "--dataset", "mnist", "--data-dir",
                                test::mnist_dir(), "--train-subset", "192", "--batch-size", "8", "--opt", "sgd",
                                "--epochs", std::to_string(kEpochs), "--threads", "1", "--workers", "0", "--quiet",
                                "--seed", "3"};
  if (extra.empty() || extra == "--overwrite") {
    args.insert(args.end(), {"--output", run});
    if (!extra.empty()) args.push_back(extra);
  } else {
    args.insert(args.end(), {extra, run + "/last.ckpt"});
  }
  return args;
}

pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

bool any_tmp(const fs::path& run) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(run, ec))
    if (entry.path().extension() == ".tmp") return true;
  return false;
}

// Starts a run and SIGKILLs it after `delay`, or (on_write) at the first moment after `delay` that a .tmp exists.
// Returns whether a .tmp was present at the kill.
bool kill_run(const fs::path& run, Clock::duration delay, bool on_write) {
  const pid_t pid = spawn(train_args(run.string(), ""));
  const auto start = Clock::now();
  bool writing = false;
  while (true) {
    const bool late = Clock::now() - start >= delay;
    writing = any_tmp(run);
    if (late && (!on_write || writing)) break;
    if (waitpid(pid, nullptr, WNOHANG) == pid) return false;  // finished first: nothing to kill
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  kill(pid, SIGKILL);
  EXPECT_EQ(wait_exit(pid), -SIGKILL);
  return writing;
}

// Every file cnnkit writes into the run folder is absent or a whole version of itself.
void expect_complete_files(const fs::path& run) {
  std::error_code ec;
  for (const char* name : {"config.json", "metrics.json"}) {
    if (!fs::exists(run / name, ec)) continue;
    EXPECT_TRUE(nlohmann::json::accept(test::slurp((run / name).string()))) << name;
  }
  if (fs::exists(run / "model.safetensors", ec)) {
    EXPECT_NO_THROW(load_safetensors((run / "model.safetensors").string()));
  }
  for (const char* name : {"last.ckpt", "best.ckpt"}) {
    if (fs::exists(run / name, ec)) {
      EXPECT_NO_THROW(load_checkpoint((run / name).string())) << name;
    }
  }
  if (fs::exists(run / "report.html", ec)) {
    EXPECT_TRUE(test::slurp((run / "report.html").string()).ends_with("</html>\n"));
  }
}

TEST(KillCli, EveryKillLeavesWholeFilesAndTheRunResumes) {
  if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
  const fs::path root = test::temp_dir("kill_cli");
  // How long a whole run takes here, so the kill points spread over it.
  const auto t0 = Clock::now();
  ASSERT_EQ(wait_exit(spawn(train_args((root / "whole").string(), ""))), 0);
  const auto whole = Clock::now() - t0;
  const auto reference = nlohmann::json::parse(test::slurp((root / "whole/metrics.json").string()));
  int kills = 0, during_writes = 0;
  for (int i = 0; i < 24; ++i) {
    SCOPED_TRACE(fmt::format("kill point {}", i));
    const fs::path run = root / fmt::format("run{}", i);
    const bool on_write = i % 2 == 1;
    const bool writing = kill_run(run, whole * (i + 1) / 26, on_write);
    ++kills;
    during_writes += writing;
    expect_complete_files(run);
    std::error_code ec;
    const bool resumable = fs::exists(run / "last.ckpt", ec);
    const int code = wait_exit(spawn(resumable ? train_args(run.string(), "--resume")
                                               : train_args(run.string(), "--overwrite")));
    ASSERT_EQ(code, 0) << (resumable ? "resume" : "fresh run") << " after the kill failed";
    expect_complete_files(run);
    const auto metrics = nlohmann::json::parse(test::slurp((run / "metrics.json").string()));
    EXPECT_EQ(metrics["epochs"].size(), static_cast<size_t>(kEpochs));
    EXPECT_EQ(metrics["epochs"].back()["test_acc"], reference["epochs"].back()["test_acc"]);
    fs::remove_all(run, ec);
  }
  EXPECT_GE(kills, 20);
  EXPECT_GE(during_writes, 1) << "no kill landed while a file was being written";
  std::printf("%d kills, %d while a .tmp file was present; a whole run takes %.2f s\n", kills, during_writes,
              std::chrono::duration<double>(whole).count());
}

}  // namespace
}  // namespace cnn

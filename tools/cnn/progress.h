// The training progress display on stderr: a redrawn bar on a terminal; otherwise plain lines, one per epoch
// (plus one every N steps when asked). Not results: per-epoch results are printed by the train command on stdout.
#pragma once

#include <cnn/train.h>

#include <chrono>

namespace cnn::cli {

class Progress {
 public:
  /// A bar when stderr is a terminal, else a line at the end of each epoch and, with log_interval > 0, every
  /// log_interval steps; nothing at all when quiet.
  Progress(int64_t log_interval, bool quiet = false);
  /// Ends a drawn bar's line, so that an error message after it starts on a line of its own.
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  /// Shows epoch, step, loss, accuracy, lr, images/s and the epoch's ETA.
  void update(const StepInfo& s);
  /// Ends the bar's line (call after each epoch's training).
  void finish();

 private:
  bool tty_, quiet_;
  int64_t log_interval_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

/// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace cnn::cli

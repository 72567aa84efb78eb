// The training progress display: a redrawn bar on a terminal, a plain line every N steps otherwise.
// Not results: per-epoch results are printed by the train command on stdout.
#pragma once

#include <cnn/train.h>

#include <chrono>

namespace cnn::cli {

class Progress {
 public:
  /// Writes to stderr; a bar when stderr is a terminal, else a line every `log_interval` steps.
  explicit Progress(int64_t log_interval);
  /// Ends a drawn bar's line, so that an error message after it starts on a line of its own.
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  void update(const StepInfo& s);
  /// Ends the bar's line (call after each epoch's training).
  void finish();

 private:
  bool tty_;
  int64_t log_interval_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

/// "1:05" or "1:02:03".
std::string format_duration(double seconds);

}  // namespace cnn::cli

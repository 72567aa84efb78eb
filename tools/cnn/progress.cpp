// Progress bar and plain progress lines for `cnn train` (see progress.h).
#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace cnn::cli {

std::string format_duration(double seconds) {
  const auto s = static_cast<int64_t>(std::lround(std::max(seconds, 0.0)));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

Progress::Progress(int64_t log_interval, bool quiet)
    : tty_(isatty(STDERR_FILENO) != 0), quiet_(quiet), log_interval_(std::max<int64_t>(log_interval, 0)) {}

void Progress::update(const StepInfo& s) {
  if (quiet_) return;
  const double eta = s.step > 0 ? s.seconds / double(s.step) * double(s.steps - s.step) : 0.0;
  const std::string stats = fmt::format(
      "loss {:.4f}  acc {:6.2f}%  lr {:.3g}  {:6.0f} img/s  {} {}", s.loss, 100.0 * s.accuracy, s.lr,
      s.images_per_second, s.step == s.steps ? "time" : "ETA", format_duration(s.step == s.steps ? s.seconds : eta));
  if (!tty_) {
    if (s.step == s.steps || (log_interval_ > 0 && s.step % log_interval_ == 0))
      fmt::print(stderr, "epoch {}/{}  step {}/{}  {}\n", s.epoch + 1, s.epochs, s.step, s.steps, stats);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && s.step != s.steps && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  constexpr int width = 24;
  const int filled = s.steps > 0 ? static_cast<int>(width * s.step / s.steps) : width;
  const std::string bar =
      std::string(static_cast<size_t>(filled), '#') + std::string(static_cast<size_t>(width - filled), '.');
  fmt::print(stderr, "\repoch {}/{} [{}] {}/{}  {}\033[K", s.epoch + 1, s.epochs, bar, s.step, s.steps, stats);
  std::fflush(stderr);
}

void Progress::finish() {
  if (tty_ && drawn_) fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace cnn::cli

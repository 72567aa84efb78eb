// The size flags' ceilings (see flag_limits.h).
#include "flag_limits.h"

#include <cnn/error.h>
#include <cnn/transforms_factory.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace cnn::cli {

int64_t max_threads() { return 4 * std::max<int64_t>(1, std::thread::hardware_concurrency()); }

CLI::Validator within(int64_t low, int64_t high, const std::string& limit) {
  return CLI::Validator(
      [low, high, limit](std::string& text) -> std::string {
        int64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc::result_out_of_range || (ec == std::errc() && end == text.data() + text.size() && v > high))
          return fmt::format("{} is more than the limit of {} ({})", text, high, limit);
        if (ec != std::errc() || end != text.data() + text.size())
          return fmt::format("expected an integer from {} to {}, got '{}'", low, high, text);
        if (v < low) return fmt::format("expected an integer from {} to {}, got {}", low, high, text);
        return {};
      },
      fmt::format("INT in [{} - {}]", low, high));
}

CLI::Validator threads_check(bool zero_means_all) {
  return within(zero_means_all ? 0 : 1, max_threads(),
                fmt::format("4 x the {} hardware threads", max_threads() / 4));
}

CLI::Validator img_size_check() {
  return within(0, transforms::kMaxImageSize, "the largest image side cnnkit resizes to");
}

void check_batch_memory(const std::string& command, int64_t batch_size, int64_t img_size) {
  if (img_size <= 0) return;
  const double bytes = static_cast<double>(batch_size) * 3 * static_cast<double>(img_size) *
                       static_cast<double>(img_size) * sizeof(float);
  const double memory = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  CNN_CHECK(memory <= 0 || bytes <= memory,
            "{}: --batch-size {} with --img-size {} needs {:.1f} GB for one input batch (batch x 3 x {} x {} floats), "
            "more than the machine's {:.1f} GB of memory\nHINT: lower --batch-size or --img-size",
            command, batch_size, img_size, bytes / 1e9, img_size, img_size, memory / 1e9);
}

}  // namespace cnn::cli

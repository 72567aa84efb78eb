// The ceilings of the size flags (--threads, --workers, --batch-size, --img-size, --epochs), checked as the flags
// are parsed or --config applied, before any data is read or memory allocated. Not the library's own checks.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

namespace cnn::cli {

inline constexpr int64_t kMaxBatchSize = 65536;
inline constexpr int64_t kMaxEpochs = 100000;
inline constexpr int64_t kMaxWorkers = 64;
inline constexpr int64_t kMaxChannels = 4096;  // of a --input C,H,W

/// The most --threads: 4 x the hardware threads (at least 4), far below where OpenMP runs out of stack.
int64_t max_threads();

/// An integer flag within [low, high]; on failure CLI11 prints e.g.
/// "--threads: 100000 is more than the limit of 8 (4 x the 2 hardware threads)".
CLI::Validator within(int64_t low, int64_t high, const std::string& limit);

/// The --threads check (0 allowed when `zero_means_all`).
CLI::Validator threads_check(bool zero_means_all = true);
/// The --img-size check: 0 (the dataset's own) up to transforms::kMaxImageSize.
CLI::Validator img_size_check();

/// Refuses a batch whose input tensor (batch x 3 x img x img floats) would not fit in the machine's memory,
/// naming both flags, the bytes and the memory. img_size 0 (the dataset's own) passes.
void check_batch_memory(const std::string& command, int64_t batch_size, int64_t img_size);

}  // namespace cnn::cli

// MNIST-format IDX files for the training CLI tests: the label is a bright row band over noise, and a seeded share
// of the images shows another class's band, so short runs learn well above chance yet stay short of 100%.
// Not a test by itself.
#pragma once

#include <cnn/data.h>
#include <cnn/dataset.h>
#include <fmt/format.h>

#include <string>
#include <utility>

#include "test_util.h"

namespace cnn::test {

/// Writes train-/t10k-images/labels-idx*-ubyte.gz of n_train and n_test 28x28 images into dir.
inline void write_noisy_mnist(const std::string& dir, int64_t n_train, int64_t n_test, double wrong_band = 0.25) {
  for (const auto& [prefix, count] : {std::pair<std::string, int64_t>{"train", n_train}, {"t10k", n_test}}) {
    IdxArray images{{count, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(count * 784), 0)};
    IdxArray labels{{count}, {}};
    SampleRng rng(prefix == "train" ? 1 : 2, 0, 0);
    for (int64_t i = 0; i < count; ++i) {
      const int64_t label = i % 10;
      labels.data.push_back(static_cast<uint8_t>(label));
      const int64_t band = rng.uniform() < wrong_band ? rng.randint(0, 10) : label;
      for (int64_t p = 0; p < 784; ++p) {
        const bool on_band = p / 28 == 2 + 2 * band;
        images.data[static_cast<size_t>(i * 784 + p)] =
            static_cast<uint8_t>(on_band ? rng.randint(160, 256) : rng.randint(0, 140));
      }
    }
    write_idx(fmt::format("{}/{}-images-idx3-ubyte.gz", dir, prefix), images);
    write_idx(fmt::format("{}/{}-labels-idx1-ubyte.gz", dir, prefix), labels);
  }
}

/// cnn train on the files write_noisy_mnist put in `dir`: 2 threads, 1 worker, no report, quiet, then `flags`.
inline CommandResult train_on_noisy_mnist(const std::string& dir, const std::string& out, const std::string& flags) {
  return run_cnn(fmt::format("train --data-dir {} --output {} --threads 2 --workers 1 --no-report -q {}", dir, out,
                             flags));
}

}  // namespace cnn::test

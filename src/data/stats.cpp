// channel_stats: per-channel mean and standard deviation of a dataset's pixels in [0, 1], for Normalize.
// Not a transform: it reads the data once and reports numbers (cnn stats prints them).
#include <cnn/data.h>

#include <cmath>
#include <thread>

namespace cnn {

ChannelStats channel_stats(const Dataset& dataset, int64_t max_images, int64_t threads) {
  const int64_t n = max_images < 0 ? dataset.size() : std::min(max_images, dataset.size());
  CNN_CHECK(n > 0, "stats: the dataset is empty\nHINT: check the data folder");
  CNN_CHECK(threads >= 1, "stats: threads must be at least 1, got {}", threads);
  struct Sums {
    std::vector<double> sum, sq;
    int64_t pixels = 0, channels = -1;
  };
  std::vector<Sums> partial(static_cast<size_t>(threads));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
  auto work = [&](int64_t t) {
    Sums& s = partial[static_cast<size_t>(t)];
    Image image;
    try {
      for (int64_t i = t; i < n; i += threads) {
        SampleRng rng(0, 0, i);
        dataset.get_into(i, image, rng);
        if (s.channels < 0) {
          s.channels = image.channels;
          s.sum.assign(static_cast<size_t>(s.channels), 0.0);
          s.sq.assign(static_cast<size_t>(s.channels), 0.0);
        }
        CNN_CHECK(image.channels == s.channels, "stats: sample {} has {} channels, earlier samples {}", i,
                  image.channels, s.channels);
        const int64_t plane = image.height * image.width;
        for (int64_t c = 0; c < image.channels; ++c) {
          double sum = 0.0, sq = 0.0;
          for (int64_t p = 0; p < plane; ++p) {
            const double v = image.is_bytes() ? image.bytes[static_cast<size_t>(p * image.channels + c)] / 255.0
                                              : image.values[static_cast<size_t>(c * plane + p)];
            sum += v;
            sq += v * v;
          }
          s.sum[static_cast<size_t>(c)] += sum;
          s.sq[static_cast<size_t>(c)] += sq;
        }
        s.pixels += plane;
      }
    } catch (...) {
      errors[static_cast<size_t>(t)] = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int64_t t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  Sums total = partial[0];
  for (size_t t = 1; t < partial.size(); ++t) {
    if (partial[t].channels < 0) continue;
    CNN_CHECK(partial[t].channels == total.channels, "stats: samples have {} and {} channels", total.channels,
              partial[t].channels);
    for (size_t c = 0; c < total.sum.size(); ++c) {
      total.sum[c] += partial[t].sum[c];
      total.sq[c] += partial[t].sq[c];
    }
    total.pixels += partial[t].pixels;
  }
  ChannelStats out;
  out.images = n;
  for (size_t c = 0; c < total.sum.size(); ++c) {
    const double mean = total.sum[c] / static_cast<double>(total.pixels);
    out.mean.push_back(mean);
    out.std.push_back(std::sqrt(std::max(0.0, total.sq[c] / static_cast<double>(total.pixels) - mean * mean)));
  }
  return out;
}

}  // namespace cnn

// The seeded global random generator behind rand/randn, initialisers, dropout and shuffling.
// Not PyTorch's bit stream: the same seed gives the same numbers in cnnkit on every run, not torch's numbers.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace cnn {

/// A seedable generator (64-bit Mersenne Twister). Thread-safe through its mutex.
class Generator {
 public:
  explicit Generator(uint64_t seed = 0) : engine_(seed), seed_(seed) {}
  void manual_seed(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }
  /// Uniform on [low, high).
  double uniform(double low = 0.0, double high = 1.0);
  /// Normal with the given mean and standard deviation.
  double normal(double mean = 0.0, double std = 1.0);
  /// Uniform integer on [low, high).
  int64_t randint(int64_t low, int64_t high);
  /// Raw 64 random bits (to seed per-worker or per-epoch generators).
  uint64_t next_u64();
  std::mutex& mutex() { return mutex_; }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
  uint64_t seed_;
  std::mutex mutex_;
};

/// The process-wide generator; seeded with 0 at start-up.
Generator& default_generator();
/// Seeds the global generator, as torch.manual_seed.
void manual_seed(uint64_t seed);

}  // namespace cnn

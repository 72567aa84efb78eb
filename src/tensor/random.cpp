// The global seeded generator.
#include <cnn/random.h>

#include <cmath>

namespace cnn {

void Generator::manual_seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  engine_.seed(seed);
  seed_ = seed;
}

double Generator::uniform(double low, double high) {
  std::lock_guard<std::mutex> lock(mutex_);
  const double u = static_cast<double>(engine_() >> 11) * 0x1.0p-53;  // 53 random bits in [0, 1)
  return low + (high - low) * u;
}

double Generator::normal(double mean, double std) {
  // Box-Muller on two uniforms; 1 - u keeps the logarithm finite.
  const double u1 = 1.0 - uniform(), u2 = uniform();
  return mean + std * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

int64_t Generator::randint(int64_t low, int64_t high) {
  std::lock_guard<std::mutex> lock(mutex_);
  const uint64_t range = static_cast<uint64_t>(high - low);
  return low + static_cast<int64_t>(engine_() % range);
}

uint64_t Generator::next_u64() {
  std::lock_guard<std::mutex> lock(mutex_);
  return engine_();
}

Generator& default_generator() {
  static Generator generator(0);
  return generator;
}

void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

}  // namespace cnn

// Note [Formula weights] (docs/zoo.md): weights and inputs filled from an integer hash of each element's position,
// computed bit-identically here and in tests/fixtures/gen_zoo.py, so model parity needs no committed weights.
// Also the zoo.json fixture and the relative difference the zoo tests report. Not a random generator.
#pragma once

#include <cnn/cnn.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace cnn::test {

/// u = ((i * 2654435761 + seed * 40503) mod 2^32) / 2^32 for element i.
inline double formula_u(int64_t i, int64_t seed) {
  const uint64_t h = (static_cast<uint64_t>(i) * 2654435761u + static_cast<uint64_t>(seed) * 40503u) % (1ull << 32);
  return static_cast<double>(h) / 4294967296.0;
}

/// A state_dict entry: (2u - 1) * sqrt(6 / fan_in) for weights with 2+ dimensions; 0.5 + u for 1-D weights and
/// running_var; 0.2 * (2u - 1) for biases and running_mean.
inline Tensor formula_tensor(const Shape& shape, const std::string& name, int64_t seed) {
  Tensor t = Tensor::empty(shape);
  float* v = t.data<float>();
  const int64_t fan_in = shape.dim() >= 2 ? shape.numel() / shape[0] : 0;
  const bool positive = name.ends_with("running_var") || name.ends_with("weight");
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double u = formula_u(i, seed);
    double value = positive ? 0.5 + u : 0.2 * (2 * u - 1);
    if (fan_in > 0) value = (2 * u - 1) * std::sqrt(6.0 / static_cast<double>(fan_in));
    v[i] = static_cast<float>(value);
  }
  return t;
}

/// The input: 2u - 1 with seed 0.
inline Tensor formula_input(const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  float* v = t.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = static_cast<float>(2 * formula_u(i, 0) - 1);
  return t;
}

/// Fills every float tensor of the state_dict; tensor k (1-based, in state_dict order) uses seed k.
inline void fill_formula(Module& model) {
  NoGradGuard no_grad;
  int64_t k = 0;
  for (const auto& [name, t] : model.state_dict()) {
    ++k;
    if (t.dtype() == DType::f32) Tensor(t).copy_(formula_tensor(t.shape(), name, k));
  }
}

/// max |actual - expected| / max |expected|: relative to the output's scale.
inline double max_relative_diff(const Tensor& actual, const Tensor& expected) {
  const Tensor a = actual.contiguous(), e = expected.contiguous();
  double diff = 0, scale = 0;
  for (int64_t i = 0; i < e.numel(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a.data<float>()[i]) - e.data<float>()[i]));
    scale = std::max(scale, std::abs(static_cast<double>(e.data<float>()[i])));
  }
  return diff / scale;
}

/// tests/fixtures/zoo.json, parsed once.
inline const nlohmann::json& zoo_fixture() {
  static const nlohmann::json j = [] {
    std::ifstream in(std::string(CNN_FIXTURES_DIR) + "/zoo.json");
    return nlohmann::json::parse(in);
  }();
  return j;
}

/// The model's state_dict keys and shapes equal the fixture case's, in order, and so does the parameter count.
inline ::testing::AssertionResult same_keys(const Module& model, const std::string& case_name) {
  const nlohmann::json& c = zoo_fixture()[case_name];
  const StateDict sd = model.state_dict();
  if (sd.size() != c["keys"].size())
    return ::testing::AssertionFailure() << case_name << ": " << sd.size() << " keys, PyTorch has " << c["keys"].size();
  size_t i = 0;
  for (const auto& [name, t] : sd) {
    const auto& expected = c["keys"][i++];
    const Shape shape(expected[1].get<std::vector<int64_t>>());
    if (name != expected[0].get<std::string>() || t.shape() != shape)
      return ::testing::AssertionFailure() << case_name << " key " << i - 1 << ": " << name << " "
                                           << t.shape().str() << ", PyTorch has " << expected[0].get<std::string>()
                                           << " " << shape.str();
  }
  if (model.num_parameters() != c["params"].get<int64_t>())
    return ::testing::AssertionFailure() << case_name << ": " << model.num_parameters() << " parameters, PyTorch has "
                                         << c["params"].get<int64_t>();
  return ::testing::AssertionSuccess();
}

}  // namespace cnn::test

// Tensor factories that need data: random ones from the global generator, ranges, copies of buffers.
#include <cnn/random.h>
#include <cnn/tensor.h>

#include <cmath>
#include <cstring>

namespace cnn {

Tensor rand(const Shape& shape, double low, double high) {
  Tensor t = Tensor::empty(shape);
  float* p = t.data<float>();
  Generator& g = default_generator();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(g.uniform(low, high));
  return t;
}

Tensor randn(const Shape& shape, double mean, double std) {
  Tensor t = Tensor::empty(shape);
  float* p = t.data<float>();
  Generator& g = default_generator();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<float>(g.normal(mean, std));
  return t;
}

Tensor randint(int64_t low, int64_t high, const Shape& shape) {
  CNN_CHECK(high > low, "randint: expected low < high, got low={} high={}", low, high);
  Tensor t = Tensor::empty(shape, DType::i64);
  int64_t* p = t.data<int64_t>();
  Generator& g = default_generator();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = g.randint(low, high);
  return t;
}

Tensor arange(double start, double end, double step, DType dtype) {
  CNN_CHECK(step != 0.0, "arange: step must be non-zero");
  CNN_CHECK((end - start) / step >= 0, "arange: the range [{}, {}) is empty or reversed for step {}", start, end,
            step);
  const auto n = static_cast<int64_t>(std::ceil((end - start) / step));
  Tensor t = Tensor::empty({n}, dtype);
  for (int64_t i = 0; i < n; ++i) {
    const double v = start + step * static_cast<double>(i);
    if (dtype == DType::f32)
      t.data<float>()[i] = static_cast<float>(v);
    else if (dtype == DType::i8)
      t.data<int8_t>()[i] = static_cast<int8_t>(v);
    else if (dtype == DType::bf16)
      t.data<bfloat16>()[i] = bfloat16(v);
    else
      t.data<int64_t>()[i] = static_cast<int64_t>(v);
  }
  return t;
}

Tensor from_blob(const void* data, const Shape& shape, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  std::memcpy(t.impl()->storage->data(), data, static_cast<size_t>(shape.numel()) * dtype_size(dtype));
  return t;
}

Tensor from_vector(const std::vector<float>& values, const Shape& shape) {
  CNN_CHECK(static_cast<int64_t>(values.size()) == shape.numel(),
            "from_vector: {} values do not fill shape {} ({} elements)", values.size(), shape, shape.numel());
  return from_blob(values.data(), shape, DType::f32);
}

Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape) {
  CNN_CHECK(static_cast<int64_t>(values.size()) == shape.numel(),
            "from_vector: {} values do not fill shape {} ({} elements)", values.size(), shape, shape.numel());
  return from_blob(values.data(), shape, DType::i64);
}

Tensor scalar_tensor(double value, DType dtype) {
  Tensor t = Tensor::empty(Shape{}, dtype);
  t.fill_(value);
  return t;
}

}  // namespace cnn

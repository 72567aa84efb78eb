// Parameter-free layers: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, Dropout and Flatten.
// Not the math: each forward calls its op from ops.h.
#include <cnn/activation.h>
#include <cnn/ops.h>

#include "nn/repr.h"

namespace cnn {

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor ReLU6::forward(const Tensor& x) { return relu6(x); }
Tensor LeakyReLU::forward(const Tensor& x) { return leaky_relu(x, negative_slope_); }
std::string LeakyReLU::extra_repr() const { return "negative_slope=" + repr::py_float(negative_slope_); }
Tensor Sigmoid::forward(const Tensor& x) { return sigmoid(x); }
Tensor Tanh::forward(const Tensor& x) { return tanh(x); }

Dropout::Dropout(double p) : p_(p) {
  CNN_CHECK(p >= 0.0 && p <= 1.0, "Dropout: probability has to be between 0 and 1, but got {}", p);
}
Tensor Dropout::forward(const Tensor& x) { return dropout(x, p_, is_training()); }
std::string Dropout::extra_repr() const { return "p=" + repr::py_float(p_) + ", inplace=False"; }

Tensor Flatten::forward(const Tensor& x) { return flatten(x, options_.start_dim, options_.end_dim); }
std::string Flatten::extra_repr() const {
  return fmt::format("start_dim={}, end_dim={}", options_.start_dim, options_.end_dim);
}
Shape Flatten::output_shape(const Shape& in) const {
  if (in.dim() == 0) return {1};
  const int64_t s = wrap_dim(options_.start_dim, in.dim(), "Flatten");
  const int64_t e = wrap_dim(options_.end_dim, in.dim(), "Flatten");
  CNN_CHECK(s <= e, "{}: start_dim comes after end_dim for input {}", str(), in);
  Shape out;
  int64_t n = 1;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (d < s || d > e) out.push_back(in[d]);
    if (d >= s && d <= e) n *= in[d];
    if (d == e) out.push_back(n);
  }
  return out;
}

}  // namespace cnn

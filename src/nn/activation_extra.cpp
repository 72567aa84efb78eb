// GELU, SiLU, Hardswish, Hardsigmoid, ELU, SELU, Mish, PReLU, Softmax and Dropout2d layers: checks, PReLU's
// parameter and PyTorch's printing.
// Not the math: each forward calls its op from ops.h.
#include <cnn/layers_activation.h>
#include <cnn/ops.h>

#include "nn/repr.h"

namespace cnn {

GELU::GELU(std::string approximate) : approximate_(std::move(approximate)) {
  CNN_CHECK(approximate_ == "none" || approximate_ == "tanh",
            "GELU: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate_);
}
Tensor GELU::forward(const Tensor& x) { return gelu(x, approximate_); }
std::string GELU::extra_repr() const { return "approximate='" + approximate_ + "'"; }

Tensor SiLU::forward(const Tensor& x) { return silu(x); }
Tensor Hardswish::forward(const Tensor& x) { return hardswish(x); }
Tensor Hardsigmoid::forward(const Tensor& x) { return hardsigmoid(x); }

Tensor ELU::forward(const Tensor& x) { return elu(x, alpha_); }
std::string ELU::extra_repr() const { return "alpha=" + repr::py_float(alpha_); }
Tensor SELU::forward(const Tensor& x) { return selu(x); }
Tensor Mish::forward(const Tensor& x) { return mish(x); }

PReLU::PReLU(int64_t num_parameters, double init) : num_parameters_(num_parameters) {
  CNN_CHECK(num_parameters > 0, "PReLU: num_parameters must be positive, got {}", num_parameters);
  weight = register_parameter("weight", full({num_parameters}, init));
}
Tensor PReLU::forward(const Tensor& x) { return prelu(x, weight); }
std::string PReLU::extra_repr() const { return fmt::format("num_parameters={}", num_parameters_); }

Tensor Softmax::forward(const Tensor& x) { return softmax(x, dim_); }
std::string Softmax::extra_repr() const { return fmt::format("dim={}", dim_); }

Dropout2d::Dropout2d(double p) : p_(p) {
  CNN_CHECK(p >= 0.0 && p <= 1.0, "Dropout2d: probability has to be between 0 and 1, but got {}", p);
}
Tensor Dropout2d::forward(const Tensor& x) { return dropout2d(x, p_, is_training()); }
std::string Dropout2d::extra_repr() const { return "p=" + repr::py_float(p_) + ", inplace=False"; }

}  // namespace cnn

// The Linear layer: parameters, PyTorch's initialisation, printing and geometry.
// Not the matrix multiply: forward calls linear() from ops/linalg.cpp.
#include <cnn/init.h>
#include <cnn/layers.h>
#include <cnn/ops.h>

#include <cmath>

#include "nn/repr.h"

namespace cnn {

Linear::Linear(int64_t in_features, int64_t out_features, const LinearOptions& options)
    : in_features_(in_features), out_features_(out_features) {
  CNN_CHECK(in_features >= 0 && out_features >= 0, "Linear: expected non-negative sizes, got in_features={} "
            "out_features={}", in_features, out_features);
  weight = register_parameter("weight", Tensor::empty({out_features, in_features}));
  bias = register_parameter("bias", options.bias ? Tensor::empty({out_features}) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() {
  init::kaiming_uniform_(weight, {.a = std::sqrt(5.0)});
  if (bias.defined()) {
    const int64_t fan_in = in_features_;
    const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
    init::uniform_(bias, -bound, bound);
  }
}

Tensor Linear::forward(const Tensor& x) {
  CNN_CHECK(x.dim() >= 1 && x.size(-1) == in_features_, "{}: expected input [*, {}], got {}", str(), in_features_,
            x.shape());
  return linear(x, weight, bias);
}

std::string Linear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}", in_features_, out_features_,
                     repr::py_bool(bias.defined()));
}

Shape Linear::output_shape(const Shape& in) const {
  CNN_CHECK(in.dim() >= 1 && in[-1] == in_features_, "{}: expected input [*, {}], got {}", str(), in_features_, in);
  Shape out = in;
  out[-1] = out_features_;
  return out;
}

int64_t Linear::macs(const Shape& in) const { return output_shape(in).numel() * in_features_; }

}  // namespace cnn

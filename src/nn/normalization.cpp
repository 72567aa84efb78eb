// GroupNorm, LayerNorm and LocalResponseNorm layers: parameters, checks and PyTorch's printing.
// Not the normalisation math: forward calls group_norm(), layer_norm() and local_response_norm() from ops.h.
#include <cnn/layers_norm.h>
#include <cnn/ops.h>

#include "nn/repr.h"

namespace cnn {

GroupNorm::GroupNorm(int64_t num_groups, int64_t num_channels, const GroupNormOptions& options)
    : num_groups_(num_groups), num_channels_(num_channels), options_(options) {
  CNN_CHECK(num_groups > 0 && num_channels > 0 && num_channels % num_groups == 0,
            "GroupNorm: num_channels must be divisible by num_groups, got num_groups={} num_channels={}", num_groups,
            num_channels);
  if (options.affine) {
    weight = register_parameter("weight", ones({num_channels}));
    bias = register_parameter("bias", zeros({num_channels}));
  }
}

Tensor GroupNorm::forward(const Tensor& x) {
  CNN_CHECK(x.dim() >= 2 && x.size(1) == num_channels_, "{}: expected input [N, {}, *], got {}", str(), num_channels_,
            x.shape());
  return group_norm(x, num_groups_, weight, bias, options_.eps);
}

std::string GroupNorm::extra_repr() const {
  return fmt::format("{}, {}, eps={}, affine={}", num_groups_, num_channels_, repr::py_float(options_.eps),
                     repr::py_bool(options_.affine));
}

LayerNorm::LayerNorm(const Shape& normalized_shape, const LayerNormOptions& options)
    : normalized_shape_(normalized_shape), options_(options) {
  CNN_CHECK(normalized_shape.dim() > 0 && normalized_shape.numel() > 0,
            "LayerNorm: expected a non-empty normalized_shape with positive sizes, got {}", normalized_shape);
  if (options.elementwise_affine) {
    weight = register_parameter("weight", ones(normalized_shape));
    bias = register_parameter("bias", zeros(normalized_shape));
  }
}

Tensor LayerNorm::forward(const Tensor& x) { return layer_norm(x, normalized_shape_, weight, bias, options_.eps); }

std::string LayerNorm::extra_repr() const {
  // A Python tuple: "(10,)" for one dimension, "(5, 10)" for more.
  std::string dims;
  for (int64_t d : normalized_shape_) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  if (normalized_shape_.dim() == 1) dims += ",";
  return fmt::format("({}), eps={}, elementwise_affine={}", dims, repr::py_float(options_.eps),
                     repr::py_bool(options_.elementwise_affine));
}

LocalResponseNorm::LocalResponseNorm(int64_t size, const LocalResponseNormOptions& options)
    : size_(size), options_(options) {
  CNN_CHECK(size > 0, "LocalResponseNorm: size must be positive, got {}", size);
}

Tensor LocalResponseNorm::forward(const Tensor& x) { return local_response_norm(x, size_, options_); }

std::string LocalResponseNorm::extra_repr() const {
  return fmt::format("{}, alpha={}, beta={}, k={}", size_, repr::py_float(options_.alpha),
                     repr::py_float(options_.beta), repr::py_float(options_.k));
}

}  // namespace cnn

// The InstanceNorm2d layer: optional affine parameters and running statistics, unbatched input, printing.
// Not the normalisation math: forward calls instance_norm() from ops/normalization.cpp.
#include <cnn/layers_norm.h>
#include <cnn/ops.h>

#include "nn/repr.h"

namespace cnn {

InstanceNorm2d::InstanceNorm2d(int64_t num_features, const InstanceNorm2dOptions& options)
    : num_features_(num_features), options_(options) {
  CNN_CHECK(num_features > 0, "InstanceNorm2d: expected num_features > 0, got {}", num_features);
  if (options.affine) {
    weight = register_parameter("weight", ones({num_features}));
    bias = register_parameter("bias", zeros({num_features}));
  }
  if (options.track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}));
    running_var = register_buffer("running_var", ones({num_features}));
    num_batches_tracked = register_buffer("num_batches_tracked", scalar_tensor(0, DType::i64));
  }
}

Tensor InstanceNorm2d::forward(const Tensor& x) {
  CNN_CHECK(x.dim() == 3 || x.dim() == 4, "{}: expected 3D or 4D input (got {}D input of shape {})", str(), x.dim(),
            x.shape());
  const bool unbatched = x.dim() == 3;
  const Tensor xb = unbatched ? x.unsqueeze(0) : x;
  // PyTorch only warns on a channel mismatch when there are neither affine parameters nor running statistics.
  CNN_CHECK(xb.size(1) == num_features_ || !(options_.affine || options_.track_running_stats),
            "{}: expected input's size at dim={} to match num_features ({}), got input of shape {}", str(),
            unbatched ? 0 : 1, num_features_, x.shape());
  const bool use_input_stats = is_training() || !options_.track_running_stats;
  const Tensor y = instance_norm(xb, running_mean, running_var, weight, bias,
                                 {.use_input_stats = use_input_stats, .momentum = options_.momentum,
                                  .eps = options_.eps});
  return unbatched ? y.squeeze(0) : y;
}

std::string InstanceNorm2d::extra_repr() const {
  const auto& o = options_;
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}", num_features_,
                     repr::py_float(o.eps), repr::py_float(o.momentum), repr::py_bool(o.affine),
                     repr::py_bool(o.track_running_stats));
}

}  // namespace cnn

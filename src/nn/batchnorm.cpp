// BatchNorm1d/2d layers: parameters, running-statistics buffers, PyTorch's momentum handling and printing.
// Not the normalisation math: forward calls batch_norm() from ops/norm.cpp.
#include <cnn/autograd.h>
#include <cnn/batchnorm.h>
#include <cnn/ops.h>

#include "nn/repr.h"
#include "nn/sync_batchnorm.h"

namespace cnn {

BatchNorm::BatchNorm(int64_t num_features, const BatchNormLayerOptions& options)
    : num_features_(num_features), options_(options) {
  CNN_CHECK(num_features > 0, "BatchNorm: expected num_features > 0, got {}", num_features);
  CNN_CHECK(options.eps > 0, "BatchNorm({}): expected eps > 0, got {}", num_features, options.eps);
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

void BatchNorm::reset_running_stats() {
  if (!options_.track_running_stats) return;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

Tensor BatchNorm::forward(const Tensor& x) {
  check_input(x);
  CNN_CHECK(x.size(1) == num_features_, "{}: expected input with {} channels, got {}", str(), num_features_,
            x.shape());
  if (folded_) return x;  // its affine map lives in the convolution before it (fuse_conv_bn)
  double factor = options_.momentum.value_or(0.0);
  if (is_training() && options_.track_running_stats) {
    num_batches_tracked.data<int64_t>()[0] += 1;
    if (!options_.momentum) factor = 1.0 / static_cast<double>(num_batches_tracked.data<int64_t>()[0]);
  }
  const bool use_batch_stats = is_training() || !options_.track_running_stats;
  if (sync_ && use_batch_stats)
    return sync_batch_norm(x, running_mean, running_var, weight, bias, factor, options_.eps);
  return batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats,
                    BatchNormOptions{.momentum = factor, .eps = options_.eps});
}

std::string BatchNorm::extra_repr() const {
  const auto& o = options_;
  return fmt::format("{}, eps={}, momentum={}, affine={}, track_running_stats={}{}", num_features_,
                     repr::py_float(o.eps), o.momentum ? repr::py_float(*o.momentum) : "None",
                     repr::py_bool(o.affine), repr::py_bool(o.track_running_stats),
                     folded_ ? ", folded into the conv before it" : "");
}

void BatchNorm::mark_folded() {
  NoGradGuard no_grad;
  if (running_mean.defined()) running_mean.zero_();
  if (running_var.defined()) running_var.fill_(1.0);
  if (weight.defined()) weight.detach().fill_(1.0);
  if (bias.defined()) bias.detach().zero_();
  folded_ = true;
}

void BatchNorm1d::check_input(const Tensor& x) const {
  CNN_CHECK(x.dim() == 2 || x.dim() == 3, "{}: expected 2D or 3D input (got {}D input of shape {})", str(), x.dim(),
            x.shape());
}

void BatchNorm2d::check_input(const Tensor& x) const {
  CNN_CHECK(x.dim() == 4, "{}: expected 4D input (got {}D input of shape {})", str(), x.dim(), x.shape());
}

}  // namespace cnn

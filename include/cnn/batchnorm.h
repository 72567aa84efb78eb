// BatchNorm1d and BatchNorm2d layers: affine parameters and running-statistics buffers, as torch.nn.
// Not the normalisation math: forward calls batch_norm() from ops.h. Usage: BatchNorm2d(64, {.momentum = 0.01})
#pragma once

#include <cnn/module.h>

#include <optional>

namespace cnn {

/// nn.BatchNorm*d's arguments after num_features, in PyTorch's order. momentum nullopt = cumulative average.
struct BatchNormLayerOptions {
  double eps = 1e-5;
  std::optional<double> momentum = 0.1;
  bool affine = true;
  bool track_running_stats = true;
};

/// Shared by BatchNorm1d and BatchNorm2d: weight/bias [C] (affine), buffers running_mean, running_var [C]
/// and num_batches_tracked (i64 scalar) when tracking running statistics.
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  int64_t macs(const Shape& in) const override { return in.numel(); }
  /// Running statistics back to mean 0, variance 1, count 0.
  void reset_running_stats();
  /// Marks this batch norm as folded into the convolution before it (fuse_conv_bn): forward returns its input,
  /// and its statistics and affine parameters become the identity (mean 0, var 1, weight 1, bias 0).
  void mark_folded();
  bool folded() const { return folded_; }
  /// SyncBatchNorm (convert_sync_batchnorm in ddp.h): in training, the batch statistics are over every rank's
  /// batch (one allreduce in forward, one in backward); on a world of one the same as without.
  void set_sync(bool on) { sync_ = on; }
  bool sync() const { return sync_; }
  int64_t num_features() const { return num_features_; }
  const BatchNormLayerOptions& options() const { return options_; }

  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  BatchNorm(int64_t num_features, const BatchNormLayerOptions& options);
  virtual void check_input(const Tensor& x) const = 0;

 private:
  int64_t num_features_;
  BatchNormLayerOptions options_;
  bool folded_ = false;
  bool sync_ = false;
};

/// Over [N, C] or [N, C, L]. Usage: BatchNorm1d(128)
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(int64_t num_features, const BatchNormLayerOptions& options = {})
      : BatchNorm(num_features, options) {}
  std::string type_name() const override { return "BatchNorm1d"; }

 protected:
  void check_input(const Tensor& x) const override;
};

/// Over [N, C, H, W]. Usage: BatchNorm2d(64, {.momentum = 0.01})
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(int64_t num_features, const BatchNormLayerOptions& options = {})
      : BatchNorm(num_features, options) {}
  std::string type_name() const override { return "BatchNorm2d"; }

 protected:
  void check_input(const Tensor& x) const override;
};

}  // namespace cnn

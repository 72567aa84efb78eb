// GroupNorm, LayerNorm, InstanceNorm2d and LocalResponseNorm, as torch.nn: same arguments, defaults, parameters,
// buffers and printed text. Not the math: forward calls the ops in ops.h. BatchNorm lives in batchnorm.h.
// Usage: Sequential(Conv2d(3, 64, {.kernel_size = 3}), GroupNorm(8, 64), ReLU())
#pragma once

#include <cnn/module.h>

namespace cnn {

/// nn.GroupNorm's arguments after num_groups and num_channels.
struct GroupNormOptions {
  double eps = 1e-5;
  bool affine = true;
};

/// Statistics over each group of num_channels/num_groups channels per sample; weight (ones) and bias (zeros) [C].
class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, const GroupNormOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GroupNorm"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  int64_t macs(const Shape& in) const override { return in.numel(); }
  int64_t num_groups() const { return num_groups_; }
  int64_t num_channels() const { return num_channels_; }

  Tensor weight, bias;

 private:
  int64_t num_groups_, num_channels_;
  GroupNormOptions options_;
};

/// nn.LayerNorm's arguments after normalized_shape.
struct LayerNormOptions {
  double eps = 1e-5;
  bool elementwise_affine = true;
};

/// Statistics over the trailing normalized_shape dimensions; weight (ones) and bias (zeros) of normalized_shape.
/// Usage: LayerNorm(768) or LayerNorm(Shape{16, 16})
class LayerNorm : public Module {
 public:
  explicit LayerNorm(const Shape& normalized_shape, const LayerNormOptions& options = {});
  explicit LayerNorm(int64_t normalized_size, const LayerNormOptions& options = {})
      : LayerNorm(Shape{normalized_size}, options) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LayerNorm"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  int64_t macs(const Shape& in) const override { return in.numel(); }
  const Shape& normalized_shape() const { return normalized_shape_; }

  Tensor weight, bias;

 private:
  Shape normalized_shape_;
  LayerNormOptions options_;
};

/// nn.InstanceNorm2d's arguments after num_features (note PyTorch's defaults: no affine, no running statistics).
struct InstanceNorm2dOptions {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = false;
  bool track_running_stats = false;
};

/// Statistics per sample and channel over H and W, on [N, C, H, W] or [C, H, W]. With track_running_stats, eval()
/// uses running_mean/running_var (buffers, with num_batches_tracked as PyTorch registers it).
class InstanceNorm2d : public Module {
 public:
  explicit InstanceNorm2d(int64_t num_features, const InstanceNorm2dOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "InstanceNorm2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  int64_t macs(const Shape& in) const override { return in.numel(); }
  int64_t num_features() const { return num_features_; }
  const InstanceNorm2dOptions& options() const { return options_; }

  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 private:
  int64_t num_features_;
  InstanceNorm2dOptions options_;
};

/// AlexNet's normalisation across `size` neighbouring channels: x / (k + alpha/size * sum x^2)^beta.
/// Usage: LocalResponseNorm(5, {.alpha = 1e-4, .beta = 0.75, .k = 2.0})
class LocalResponseNorm : public Module {
 public:
  explicit LocalResponseNorm(int64_t size, const LocalResponseNormOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LocalResponseNorm"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  /// One multiply-add per element and window tap.
  int64_t macs(const Shape& in) const override { return in.numel() * size_; }
  int64_t size() const { return size_; }
  const LocalResponseNormOptions& options() const { return options_; }

 private:
  int64_t size_;
  LocalResponseNormOptions options_;
};

}  // namespace cnn

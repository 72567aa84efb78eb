// The torch.nn layers: same names, defaults, initialisation and printed text as PyTorch. Here: the layers with
// window geometry (Conv2d, pooling) and Linear; activation.h and batchnorm.h hold the rest. Not the math:
// each forward calls its op from ops.h. Usage: auto conv = Conv2d(1, 32, {.kernel_size = 3, .padding = 1});
#pragma once

#include <cnn/activation.h>
#include <cnn/batchnorm.h>
#include <cnn/module.h>
#include <cnn/sequential.h>

#include <optional>

namespace cnn {

/// nn.Conv2d's arguments after in/out channels. kernel_size is required.
struct Conv2dLayerOptions {
  Pair2 kernel_size{0, 0};
  Pair2 stride{1, 1};
  Padding padding{0};
  Pair2 dilation{1, 1};
  int64_t groups = 1;
  bool bias = true;
};

/// weight [out, in/groups, kh, kw] and bias [out], initialised as PyTorch's reset_parameters.
class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, const Conv2dLayerOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  int64_t macs(const Shape& in) const override;
  std::optional<WindowGeometry> geometry() const override;
  /// kaiming_uniform_(weight, a=sqrt(5)); bias uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  void reset_parameters();

  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const Conv2dLayerOptions& options() const { return options_; }
  /// The options conv2d() is called with.
  Conv2dOptions conv_options() const;

  Tensor weight, bias;

 private:
  int64_t in_channels_, out_channels_;
  Conv2dLayerOptions options_;
};

struct LinearOptions {
  bool bias = true;
};

/// y = x weight^T + bias; weight [out, in], bias [out]. Usage: Linear(3136, 128)
class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, const LinearOptions& options = {});
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Linear"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  int64_t macs(const Shape& in) const override;
  void reset_parameters();
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }

  Tensor weight, bias;

 private:
  int64_t in_features_, out_features_;
};

/// MaxPool2d(2) or MaxPool2d({.kernel_size = 3, .stride = 2, .padding = 1}); stride 0 means kernel_size.
/// With .return_indices = true it is called as forward_with_indices(x) (for MaxUnpool2d), as PyTorch's tuple.
class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(const MaxPool2dOptions& options);
  explicit MaxPool2d(int64_t kernel_size) : MaxPool2d(MaxPool2dOptions{.kernel_size = kernel_size}) {}
  /// The pooled values; throws when return_indices is set (PyTorch would return a pair).
  Tensor forward(const Tensor& x) override;
  /// {values, flat h*W+w indices of the maxima}, what PyTorch's forward returns with return_indices=True.
  std::pair<Tensor, Tensor> forward_with_indices(const Tensor& x);
  std::string type_name() const override { return "MaxPool2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  std::optional<WindowGeometry> geometry() const override;
  const MaxPool2dOptions& options() const { return options_; }

 private:
  MaxPool2dOptions options_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(const AvgPool2dOptions& options);
  explicit AvgPool2d(int64_t kernel_size) : AvgPool2d(AvgPool2dOptions{.kernel_size = kernel_size}) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AvgPool2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  std::optional<WindowGeometry> geometry() const override;
  const AvgPool2dOptions& options() const { return options_; }

 private:
  AvgPool2dOptions options_;
};

/// AdaptiveAvgPool2d(1) prints output_size=1, AdaptiveAvgPool2d({1, 1}) prints output_size=(1, 1), as PyTorch.
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(int64_t output_size) : output_size_(output_size), scalar_(true) {}
  explicit AdaptiveAvgPool2d(Pair2 output_size) : output_size_(output_size), scalar_(false) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AdaptiveAvgPool2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  Pair2 output_size() const { return output_size_; }

 private:
  Pair2 output_size_;
  bool scalar_;
};

class AdaptiveMaxPool2d : public Module {
 public:
  explicit AdaptiveMaxPool2d(int64_t output_size) : output_size_(output_size), scalar_(true) {}
  explicit AdaptiveMaxPool2d(Pair2 output_size) : output_size_(output_size), scalar_(false) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "AdaptiveMaxPool2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  Pair2 output_size() const { return output_size_; }

 private:
  Pair2 output_size_;
  bool scalar_;
};

}  // namespace cnn

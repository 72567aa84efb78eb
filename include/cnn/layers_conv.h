// Conv1d and ConvTranspose2d, as torch.nn: same arguments, defaults, initialisation and printed text.
// Not the math: forward calls conv1d() and conv_transpose2d() from ops.h. Conv2d itself is in layers.h.
// Usage: auto up = ConvTranspose2d(16, 8, {.kernel_size = 4, .stride = 2, .padding = 1});  // 8x8 -> 16x16
#pragma once

#include <cnn/module.h>

#include <optional>

namespace cnn {

/// nn.Conv1d's arguments after in/out channels. kernel_size is required.
struct Conv1dLayerOptions {
  int64_t kernel_size = 0;
  int64_t stride = 1;
  Padding padding{0};
  int64_t dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

/// Over [N, C, L]: weight [out, in/groups, k], bias [out], initialised as PyTorch's reset_parameters.
class Conv1d : public Module {
 public:
  Conv1d(int64_t in_channels, int64_t out_channels, const Conv1dLayerOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Conv1d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  int64_t macs(const Shape& in) const override;
  /// The window along L as the width: kernel (1, k), stride (1, s), padding (0, p), dilation (1, d).
  std::optional<WindowGeometry> geometry() const override;
  /// kaiming_uniform_(weight, a=sqrt(5)); bias uniform(-1/sqrt(fan_in), 1/sqrt(fan_in)).
  void reset_parameters();
  /// The options conv1d() is called with.
  Conv1dOptions conv_options() const;
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const Conv1dLayerOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  int64_t in_channels_, out_channels_;
  Conv1dLayerOptions options_;
};

/// nn.ConvTranspose2d's arguments after in/out channels, in PyTorch's order. kernel_size is required.
struct ConvTranspose2dLayerOptions {
  Pair2 kernel_size{0, 0};
  Pair2 stride{1, 1};
  Pair2 padding{0, 0};
  Pair2 output_padding{0, 0};
  int64_t groups = 1;
  bool bias = true;
  Pair2 dilation{1, 1};
};

/// weight [in, out/groups, kh, kw] (PyTorch's layout), bias [out]. Output size
/// (H - 1)*stride - 2*padding + dilation*(k - 1) + output_padding + 1.
class ConvTranspose2d : public Module {
 public:
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, const ConvTranspose2dLayerOptions& options);
  Tensor forward(const Tensor& x) override;
  /// PyTorch's forward(input, output_size): picks the output_padding that gives spatial size (H, W), ignoring
  /// the layer's own output_padding. Usage: up.forward(x, {skip.size(2), skip.size(3)})
  Tensor forward(const Tensor& x, Pair2 output_size);
  std::string type_name() const override { return "ConvTranspose2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  /// Weight elements times input positions: each input pixel scatters into (out/groups) * kh * kw outputs.
  int64_t macs(const Shape& in) const override;
  std::optional<WindowGeometry> geometry() const override;
  /// kaiming_uniform_(weight, a=sqrt(5)) with fan_in = out/groups * kh * kw, as PyTorch; bias likewise.
  void reset_parameters();
  /// The options conv_transpose2d() is called with.
  ConvTranspose2dOptions conv_options() const;
  int64_t in_channels() const { return in_channels_; }
  int64_t out_channels() const { return out_channels_; }
  const ConvTranspose2dLayerOptions& options() const { return options_; }

  Tensor weight, bias;

 private:
  void check_input(const Shape& in) const;
  int64_t in_channels_, out_channels_;
  ConvTranspose2dLayerOptions options_;
};

}  // namespace cnn

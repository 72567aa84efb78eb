// Layers that change spatial size or move channels without weights, as torch.nn: MaxUnpool2d, Upsample,
// ZeroPad2d, ChannelShuffle. Not the math: each forward calls its op from ops.h.
// Usage: auto [y, idx] = pool.forward_with_indices(x);  Tensor back = unpool.forward(y, idx, Pair2(8, 8));
#pragma once

#include <cnn/module.h>

#include <optional>

namespace cnn {

/// The inverse of MaxPool2d: needs the pooling indices, so it is called as forward(x, indices[, output_size]).
/// Usage: MaxUnpool2d({.kernel_size = 2}); options.output_size must stay unset (it is a forward argument).
class MaxUnpool2d : public Module {
 public:
  explicit MaxUnpool2d(const MaxUnpool2dOptions& options);
  explicit MaxUnpool2d(int64_t kernel_size) : MaxUnpool2d(MaxUnpool2dOptions{.kernel_size = kernel_size}) {}
  /// Throws: unpooling needs the indices (see the overload).
  Tensor forward(const Tensor& x) override;
  /// output_size (H, W) chooses among the sizes that pool back to x's, as PyTorch's.
  Tensor forward(const Tensor& x, const Tensor& indices, std::optional<Pair2> output_size = std::nullopt);
  std::string type_name() const override { return "MaxUnpool2d"; }
  std::string extra_repr() const override;
  /// The default output size: (in - 1)*stride - 2*padding + kernel_size.
  Shape output_shape(const Shape& in) const override;
  std::optional<WindowGeometry> geometry() const override;
  const MaxUnpool2dOptions& options() const { return options_; }

 private:
  MaxUnpool2dOptions options_;
};

/// nn.Upsample: exactly one of size and scale_factor; mode "nearest" (default) or "bilinear".
/// Usage: Upsample({.scale_factor = 2, .mode = "bilinear", .align_corners = true})
class Upsample : public Module {
 public:
  explicit Upsample(const InterpolateOptions& options);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Upsample"; }
  /// As PyTorch: "scale_factor=2.0, mode=nearest" or "size=(4, 5), mode=bilinear"; a size or scale equal on both
  /// sides prints as one number, as PyTorch prints Upsample(size=4).
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  const InterpolateOptions& options() const { return options_; }

 private:
  InterpolateOptions options_;
};

/// Pads the last two dimensions with zeros: ZeroPad2d(1) or ZeroPad2d({left, right, top, bottom}).
class ZeroPad2d : public Module {
 public:
  explicit ZeroPad2d(Pad4 padding) : padding_(padding) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ZeroPad2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  Pad4 padding() const { return padding_; }

 private:
  Pad4 padding_;
};

/// Regroups channels (ShuffleNet): [N, C, *] -> channels in the order (C/groups, groups).
class ChannelShuffle : public Module {
 public:
  explicit ChannelShuffle(int64_t groups);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ChannelShuffle"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  int64_t groups() const { return groups_; }

 private:
  int64_t groups_;
};

}  // namespace cnn

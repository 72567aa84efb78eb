// Option structs for the functional ops, with PyTorch's defaults; use designated initialisers:
// conv2d(x, w, b, {.stride = {2, 2}, .padding = Padding::same()}).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace cnn {

/// A pair of integers (height, width) that converts from one int, as PyTorch's `_pair`.
struct Pair2 {
  int64_t h = 0, w = 0;
  Pair2() = default;
  Pair2(int64_t v) : h(v), w(v) {}  // NOLINT: implicit on purpose, kernel_size=3 means (3, 3)
  Pair2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  bool operator==(const Pair2&) const = default;
};

/// Window geometry of a convolution or pooling layer, and of the graph node its op records (analysis follows
/// receptive fields through it). Resolved: padding "same" becomes its top/left amount.
/// transposed: ConvTranspose2d, MaxUnpool2d: the window maps an output region to the input, so the layer
/// multiplies the resolution by stride instead of dividing it.
struct WindowGeometry {
  Pair2 kernel_size{1, 1};
  Pair2 stride{1, 1};
  Pair2 padding{0, 0};
  Pair2 dilation{1, 1};
  bool transposed = false;
};

/// Convolution padding: explicit (h, w) amounts, or the strings "same" / "valid".
struct Padding {
  enum class Mode { explicit_, same, valid };
  Mode mode = Mode::explicit_;
  Pair2 amount{0, 0};
  Padding() = default;
  Padding(int64_t v) : amount(v) {}                // NOLINT: padding=1
  Padding(int64_t h, int64_t w) : amount(h, w) {}  // padding={1, 2}
  template <size_t N>
  Padding(const char (&s)[N]) : Padding(std::string(s)) {}  // NOLINT: padding="same" or "valid"
  Padding(const std::string& s);                   // NOLINT
  static Padding same() { return Padding("same"); }
  static Padding valid() { return Padding("valid"); }
  static Padding pair(Pair2 p) { return Padding(p.h, p.w); }
  std::string str() const;
};

struct Conv2dOptions {
  Pair2 stride{1, 1};
  Padding padding{};
  Pair2 dilation{1, 1};
  int64_t groups = 1;
};

struct MaxPool2dOptions {
  Pair2 kernel_size{2, 2};
  Pair2 stride{0, 0};  // 0 means "same as kernel_size", as PyTorch's stride=None
  Pair2 padding{0, 0};
  Pair2 dilation{1, 1};
  bool ceil_mode = false;
  /// PyTorch's return_indices: the MaxPool2d layer then wants forward_with_indices(); max_pool2d() refuses it
  /// (call max_pool2d_with_indices()).
  bool return_indices = false;
};

struct AvgPool2dOptions {
  Pair2 kernel_size{2, 2};
  Pair2 stride{0, 0};  // 0 means kernel_size
  Pair2 padding{0, 0};
  bool ceil_mode = false;
  bool count_include_pad = true;
};

struct BatchNormOptions {
  double momentum = 0.1;
  double eps = 1e-5;
};

/// F.conv_transpose2d's arguments, in PyTorch's order. output_padding must be smaller than stride or dilation.
struct ConvTranspose2dOptions {
  Pair2 stride{1, 1};
  Pair2 padding{0, 0};
  Pair2 output_padding{0, 0};
  int64_t groups = 1;
  Pair2 dilation{1, 1};
};

/// F.conv1d's arguments: one integer per option; padding is an integer (both sides), "same" or "valid".
struct Conv1dOptions {
  int64_t stride = 1;
  Padding padding{};
  int64_t dilation = 1;
  int64_t groups = 1;
};

/// F.max_unpool2d's arguments. stride 0 means kernel_size; output_size (H, W) picks among the sizes that
/// pool to the input, as PyTorch's.
struct MaxUnpool2dOptions {
  Pair2 kernel_size{2, 2};
  Pair2 stride{0, 0};
  Pair2 padding{0, 0};
  std::optional<Pair2> output_size{};
};

/// F.instance_norm's keyword arguments.
struct InstanceNormOptions {
  bool use_input_stats = true;
  double momentum = 0.1;
  double eps = 1e-5;
};

/// F.local_response_norm's arguments after size.
struct LocalResponseNormOptions {
  double alpha = 1e-4;
  double beta = 0.75;
  double k = 1.0;
};

/// A pair of scale factors (height, width) that converts from one number, as scale_factor=2 or (2, 1.5).
struct Scale2 {
  double h = 0.0, w = 0.0;
  Scale2() = default;
  Scale2(double v) : h(v), w(v) {}  // NOLINT: implicit on purpose, scale_factor=2 means (2, 2)
  Scale2(double h_, double w_) : h(h_), w(w_) {}
  bool operator==(const Scale2&) const = default;
};

/// F.interpolate's arguments: exactly one of size and scale_factor; mode "nearest" or "bilinear";
/// align_corners only with "bilinear" (unset means False).
struct InterpolateOptions {
  std::optional<Pair2> size{};
  std::optional<Scale2> scale_factor{};
  std::string mode = "nearest";
  std::optional<bool> align_corners{};
};

/// F.pad's 4-tuple for the last two dimensions: (left, right, top, bottom); negative amounts crop.
struct Pad4 {
  int64_t left = 0, right = 0, top = 0, bottom = 0;
  Pad4() = default;
  Pad4(int64_t v) : left(v), right(v), top(v), bottom(v) {}  // NOLINT: padding=1 pads every side
  Pad4(int64_t l, int64_t r, int64_t t, int64_t b) : left(l), right(r), top(t), bottom(b) {}
  bool operator==(const Pad4&) const = default;
};

enum class Reduction { none, mean, sum };

struct CrossEntropyOptions {
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0.0;
  int64_t ignore_index = -100;
};

struct NllLossOptions {
  Reduction reduction = Reduction::mean;
  int64_t ignore_index = -100;
};

}  // namespace cnn

// Option structs for the functional ops, with PyTorch's defaults; use designated initialisers:
// conv2d(x, w, b, {.stride = {2, 2}, .padding = Padding::same()}).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
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

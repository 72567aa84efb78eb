// Shape: the sizes of a tensor's dimensions, NCHW order as in PyTorch, printed as [8, 1, 32, 32].
// Not a layout: strides and memory format live on the Tensor.
#pragma once

#include <cstdint>
#include <fmt/format.h>
#include <initializer_list>
#include <string>
#include <vector>

namespace cnn {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int64_t dim() const { return static_cast<int64_t>(dims_.size()); }
  size_t size() const { return dims_.size(); }
  bool empty() const { return dims_.empty(); }
  /// Size of dimension d; negative d counts from the end (-1 is the last).
  int64_t operator[](int64_t d) const { return dims_[static_cast<size_t>(d < 0 ? d + dim() : d)]; }
  int64_t& operator[](int64_t d) { return dims_[static_cast<size_t>(d < 0 ? d + dim() : d)]; }
  int64_t numel() const;
  const std::vector<int64_t>& dims() const { return dims_; }
  std::vector<int64_t>::const_iterator begin() const { return dims_.begin(); }
  std::vector<int64_t>::const_iterator end() const { return dims_.end(); }
  void push_back(int64_t d) { dims_.push_back(d); }

  /// Row-major (contiguous) strides for this shape.
  std::vector<int64_t> contiguous_strides() const;
  /// Channels-last strides (NHWC in memory) for a 4-D shape.
  std::vector<int64_t> channels_last_strides() const;
  std::string str() const;

  bool operator==(const Shape& o) const { return dims_ == o.dims_; }
  bool operator!=(const Shape& o) const { return dims_ != o.dims_; }

 private:
  std::vector<int64_t> dims_;
};

/// Normalises a possibly negative dimension index against rank `ndim`; throws naming `op` when out of range.
int64_t wrap_dim(int64_t d, int64_t ndim, const char* op);

/// The shape two operands broadcast to (NumPy/PyTorch rules); throws naming `op` when they do not.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

}  // namespace cnn

template <>
struct fmt::formatter<cnn::Shape> : fmt::formatter<std::string> {
  auto format(const cnn::Shape& s, format_context& ctx) const { return fmt::formatter<std::string>::format(s.str(), ctx); }
};

// Shape arithmetic: element counts, strides for the two memory formats, broadcasting, printing.
#include <cnn/error.h>
#include <cnn/shape.h>

#include <algorithm>

namespace cnn {

int64_t Shape::numel() const {
  int64_t n = 1;
  for (int64_t d : dims_) n *= d;
  return n;
}

std::vector<int64_t> Shape::contiguous_strides() const {
  std::vector<int64_t> strides(dims_.size());
  int64_t s = 1;
  for (size_t i = dims_.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(dims_[i], 1);
  }
  return strides;
}

std::vector<int64_t> Shape::channels_last_strides() const {
  CNN_CHECK(dims_.size() == 4, "channels_last: expected a 4-D shape, got {}", str());
  const int64_t C = std::max<int64_t>(dims_[1], 1), H = std::max<int64_t>(dims_[2], 1),
                W = std::max<int64_t>(dims_[3], 1);
  return {H * W * C, 1, W * C, C};
}

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < dims_.size(); ++i) s += (i ? ", " : "") + std::to_string(dims_[i]);
  return s + "]";
}

int64_t wrap_dim(int64_t d, int64_t ndim, const char* op) {
  const int64_t lo = ndim == 0 ? -1 : -ndim, hi = ndim == 0 ? 0 : ndim - 1;
  CNN_CHECK(d >= lo && d <= hi, "{}: dimension {} out of range for a {}-D tensor (expected {} to {})", op, d, ndim,
            lo, hi);
  return d < 0 ? d + std::max<int64_t>(ndim, 1) : d;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  std::vector<int64_t> out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a.dims()[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b.dims()[i - (n - b.size())];
    CNN_CHECK(da == db || da == 1 || db == 1, "{}: shapes {} and {} do not broadcast (dimension {}: {} vs {})", op,
              a, b, i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return Shape(out);
}

}  // namespace cnn

// Strided element copies and fills, the data movement under contiguous(), clone(), copy_() and cat().
#pragma once

#include <cnn/tensor.h>

namespace cnn {

/// dst[i] = src[i] for every index; same shapes (src may be expanded: zero strides); converts dtypes.
void copy_strided(const Tensor& dst, const Tensor& src);
/// Sets every element of t to value.
void fill_strided(const Tensor& t, double value);

}  // namespace cnn

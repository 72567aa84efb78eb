// Data-only views and copies for kernels and the tensor layer itself: they share or copy storage and never
// record an autograd node nor carry autograd state. Not the differentiable views (ops.h, ops/shape.cpp).
#pragma once

#include <cnn/tensor.h>

#include <vector>

namespace cnn::raw {

/// A handle on base's storage with its own shape, strides and offset (in elements); no autograd state.
Tensor view(const Tensor& base, Shape shape, std::vector<int64_t> strides, int64_t offset);
/// The same elements under a fresh handle with no autograd state (detach without the graph).
Tensor data_of(const Tensor& t);
/// Dimensions reordered: result dimension i is t's dimension dims[i]. Checks dims is a permutation.
Tensor permute(const Tensor& t, const std::vector<int64_t>& dims);
Tensor transpose(const Tensor& t, int64_t d0, int64_t d1);
/// Size-1 (or missing leading) dimensions broadcast to `shape` with stride 0. Checks the shapes fit.
Tensor expand(const Tensor& t, const Shape& shape, const char* op = "expand");
/// t laid out as `format` (contiguous or channels_last), copied only when it is not already.
Tensor contiguous(const Tensor& t, MemoryFormat format = MemoryFormat::contiguous);
/// t's values as `dtype` (t itself when it has that dtype), in t's memory format (channels-last stays so).
Tensor cast(const Tensor& t, DType dtype);

}  // namespace cnn::raw

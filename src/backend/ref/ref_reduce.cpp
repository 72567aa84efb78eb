// Reference reductions: sum/mean/max/min over dimensions, arg-max/min along one, and the scatter that
// is their backward. Clean, minimal: the reduced dimensions are permuted to the end and each row is folded.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

// x permuted so that `dims` come last, made contiguous; rows of length `row` hold what one output reduces.
struct Rows {
  Tensor data;
  int64_t row = 1;
  Shape kept;          // shape of the non-reduced dims, in order
  Shape keepdim_shape; // x's shape with reduced dims set to 1
};

Rows to_rows(const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> perm, kept;
  std::vector<bool> reduced(x.shape().size(), false);
  for (int64_t d : dims) reduced[static_cast<size_t>(d)] = true;
  Rows r;
  r.keepdim_shape = x.shape();
  for (int64_t d = 0; d < x.dim(); ++d)
    if (!reduced[static_cast<size_t>(d)]) {
      perm.push_back(d);
      kept.push_back(x.shape()[d]);
    }
  for (int64_t d : dims) {
    perm.push_back(d);
    r.row *= x.shape()[d];
    r.keepdim_shape[d] = 1;
  }
  r.data = raw::contiguous(raw::permute(x, perm));
  r.kept = Shape(kept);
  return r;
}

}  // namespace

Tensor RefBackend::reduce(ReduceKind kind, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  const Rows r = to_rows(x, dims);
  Tensor out = Tensor::empty(keepdim ? r.keepdim_shape : r.kept);
  const float* in = r.data.data<float>();
  float* op = out.data<float>();
  const int64_t rows = out.numel();
  for (int64_t i = 0; i < rows; ++i) {
    const float* row = in + i * r.row;
    double acc = kind == ReduceKind::max ? -INFINITY : kind == ReduceKind::min ? INFINITY : 0.0;
    for (int64_t j = 0; j < r.row; ++j) {
      const double v = row[j];
      if (kind == ReduceKind::max) acc = std::isnan(v) || v > acc ? v : acc;
      else if (kind == ReduceKind::min) acc = std::isnan(v) || v < acc ? v : acc;
      else acc += v;
    }
    if (kind == ReduceKind::mean) acc /= static_cast<double>(r.row);
    op[i] = static_cast<float>(acc);
  }
  return out;
}

std::pair<Tensor, Tensor> RefBackend::arg_reduce(bool is_max, const Tensor& x, int64_t dim, bool keepdim) {
  const Rows r = to_rows(x, {dim});
  const Shape shape = keepdim ? r.keepdim_shape : r.kept;
  Tensor values = Tensor::empty(shape), indices = Tensor::empty(shape, DType::i64);
  const float* in = r.data.data<float>();
  for (int64_t i = 0; i < values.numel(); ++i) {
    const float* row = in + i * r.row;
    int64_t best = 0;
    for (int64_t j = 1; j < r.row; ++j) {
      if (std::isnan(row[best])) break;
      if (std::isnan(row[j]) || (is_max ? row[j] > row[best] : row[j] < row[best])) best = j;
    }
    values.data<float>()[i] = row[best];
    indices.data<int64_t>()[i] = best;
  }
  return {values, indices};
}

Tensor RefBackend::scatter_add(const Tensor& src, const Tensor& indices, int64_t dim, const Shape& out_shape) {
  // out[..., indices[..., j, ...], ...] += src[..., j, ...] along dim, with the other coordinates equal.
  const int64_t nd = out_shape.dim();
  std::vector<int64_t> perm;
  for (int64_t d = 0; d < nd; ++d)
    if (d != dim) perm.push_back(d);
  perm.push_back(dim);
  const Tensor s = raw::contiguous(raw::permute(src, perm));
  const Tensor idx = raw::contiguous(raw::permute(indices, perm));
  std::vector<int64_t> out_perm_shape;
  for (int64_t d : perm) out_perm_shape.push_back(out_shape[d]);
  Tensor out = zeros(Shape(out_perm_shape));
  const int64_t src_row = src.shape()[dim], out_row = out_shape[dim];
  const int64_t rows = src_row == 0 ? 0 : s.numel() / src_row;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < src_row; ++j) {
      const int64_t k = idx.data<int64_t>()[i * src_row + j];
      CNN_CHECK(k >= 0 && k < out_row, "scatter_add: index {} out of range for dimension {} of size {}", k, dim,
                out_row);
      out.data<float>()[i * out_row + k] += s.data<float>()[i * src_row + j];
    }
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return raw::contiguous(raw::permute(out, inverse));
}

}  // namespace cnn

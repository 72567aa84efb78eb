// Reductions: sum, mean, max, min (all elements or along dims), argmax, and sum_to (the backward of
// broadcasting). Backward of max/min routes the gradient to the selected element.
#include <cnn/ops.h>
#include <cnn/trace.h>

#include <algorithm>
#include <numeric>

namespace cnn {

namespace {

std::vector<int64_t> normalise_dims(const char* op, const Tensor& x, const std::vector<int64_t>& dims) {
  std::vector<int64_t> out;
  for (int64_t d : dims) out.push_back(wrap_dim(d, x.dim(), op));
  std::sort(out.begin(), out.end());
  CNN_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), "{}: dimension repeated in {} for input {}", op,
            Shape(dims), x.shape());
  return out;
}

std::vector<int64_t> all_dims(const Tensor& x) {
  std::vector<int64_t> dims(static_cast<size_t>(x.dim()));
  std::iota(dims.begin(), dims.end(), 0);
  return dims;
}

// x's shape with `dims` set to 1.
Shape keepdim_shape(const Shape& s, const std::vector<int64_t>& dims) {
  Shape k = s;
  for (int64_t d : dims) k[d] = 1;
  return k;
}

Tensor reduce_op(const char* op, const char* node, ReduceKind kind, const Tensor& x, const std::vector<int64_t>& dims_in,
                 bool keepdim) {
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected a float32 tensor, got {} of shape {}", op, dtype_name(x.dtype()),
            x.shape());
  const std::vector<int64_t> dims = normalise_dims(op, x, dims_in);
  Tensor y = backend().reduce(kind, x, dims, keepdim);
  int64_t count = 1;
  for (int64_t d : dims) count *= x.shape()[d];
  y = record(node, y, {x}, [kind, count, in_shape = x.shape(), kshape = keepdim_shape(x.shape(), dims)](
                             const Tensor& dy, const NeedsGrad&) {
    Tensor g = dy.reshape(kshape).expand(in_shape);
    if (kind == ReduceKind::mean) g = div(g, static_cast<double>(count));
    return std::vector<Tensor>{g};
  });
  return trace_attributes(y, {.ints = {{"axes", dims}, {"keepdims", {keepdim ? 1 : 0}}}});
}

std::pair<Tensor, Tensor> arg_op(const char* op, bool is_max, const Tensor& x, int64_t dim_in, bool keepdim) {
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected a float32 tensor, got {} of shape {}", op, dtype_name(x.dtype()),
            x.shape());
  CNN_CHECK(x.numel() > 0, "{}: expected a non-empty tensor, got shape {}", op, x.shape());
  const int64_t dim = wrap_dim(dim_in, x.dim(), op);
  auto [values, indices] = backend().arg_reduce(is_max, x, dim, keepdim);
  const Shape kshape = keepdim_shape(x.shape(), {dim});
  values = record(is_max ? "MaxBackward" : "MinBackward", values, {x},
                  [indices = indices, dim, kshape, in_shape = x.shape()](const Tensor& dy, const NeedsGrad&) {
                    return std::vector<Tensor>{
                        backend().scatter_add(dy.reshape(kshape), indices.reshape(kshape), dim, in_shape)};
                  });
  return {values, indices};
}

}  // namespace

Tensor sum(const Tensor& x) { return reduce_op("sum", "SumBackward", ReduceKind::sum, x, all_dims(x), false); }
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce_op("sum", "SumBackward", ReduceKind::sum, x, dims, keepdim);
}
Tensor mean(const Tensor& x) { return reduce_op("mean", "MeanBackward", ReduceKind::mean, x, all_dims(x), false); }
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) {
  return reduce_op("mean", "MeanBackward", ReduceKind::mean, x, dims, keepdim);
}

Tensor max(const Tensor& x) { return arg_op("max", true, x.reshape({-1}), 0, false).first; }
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) { return arg_op("max", true, x, dim, keepdim); }
Tensor min(const Tensor& x) { return arg_op("min", false, x.reshape({-1}), 0, false).first; }
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) { return arg_op("min", false, x, dim, keepdim); }

Tensor argmax(const Tensor& x, int64_t dim, bool keepdim) {
  NoGradGuard guard;
  return arg_op("argmax", true, x, dim, keepdim).second;
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int64_t lead = x.dim() - shape.dim();
  CNN_CHECK(lead >= 0, "sum_to: cannot reduce shape {} to the larger shape {}", x.shape(), shape);
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) dims.push_back(d);
  Tensor r = dims.empty() ? x : sum(x, dims, true);
  return r.reshape(shape);
}

}  // namespace cnn

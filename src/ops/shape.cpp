// Views and reshapes (view, reshape, permute, transpose, flatten, slice, select, (un)squeeze, expand),
// copies (clone, to, contiguous) and cat; each records its backward.
#include <cnn/ops.h>
#include <cnn/trace.h>

#include <numeric>

#include "tensor/copy.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

// Resolves one -1 in a requested shape against numel.
Shape infer_shape(const Shape& requested, int64_t numel, const char* op, const Shape& from) {
  std::vector<int64_t> dims = requested.dims();
  int64_t known = 1, infer = -1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == -1) {
      CNN_CHECK(infer < 0, "{}: only one dimension can be -1, got {}", op, requested);
      infer = static_cast<int64_t>(i);
    } else {
      CNN_CHECK(dims[i] >= 0, "{}: invalid size {} in shape {}", op, dims[i], requested);
      known *= dims[i];
    }
  }
  if (infer >= 0) {
    CNN_CHECK(known != 0 && numel % known == 0, "{}: shape {} is invalid for input of shape {} ({} elements)", op,
              requested, from, numel);
    dims[static_cast<size_t>(infer)] = numel / known;
  }
  Shape out(dims);
  CNN_CHECK(out.numel() == numel, "{}: shape {} is invalid for input of shape {} ({} elements)", op, requested, from,
            numel);
  return out;
}

// Strides for viewing `x` as `shape` without a copy, or empty when impossible (PyTorch's computeStride).
std::vector<int64_t> view_strides(const Tensor& x, const Shape& shape) {
  const auto& old_shape = x.shape().dims();
  const auto& old_strides = x.strides();
  std::vector<int64_t> strides(shape.size());
  if (x.numel() == 0 || x.dim() == 0) return shape.contiguous_strides();
  int64_t view_d = static_cast<int64_t>(shape.size()) - 1;
  int64_t chunk_base_stride = old_strides.empty() ? 1 : old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t d = static_cast<int64_t>(old_shape.size()) - 1; d >= 0; --d) {
    tensor_numel *= old_shape[static_cast<size_t>(d)];
    if (d == 0 || (old_shape[static_cast<size_t>(d - 1)] != 1 &&
                   old_strides[static_cast<size_t>(d - 1)] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || shape[view_d] == 1)) {
        strides[static_cast<size_t>(view_d)] = view_numel * chunk_base_stride;
        view_numel *= shape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return {};
      if (d > 0) {
        chunk_base_stride = old_strides[static_cast<size_t>(d - 1)];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return {};
  return strides;
}

}  // namespace

Tensor view(const Tensor& x, const Shape& requested) {
  const Shape shape = infer_shape(requested, x.numel(), "view", x.shape());
  std::vector<int64_t> strides = view_strides(x, shape);
  if (shape.dim() == 0) strides = {};
  CNN_CHECK(shape.dim() == 0 || !strides.empty(),
            "view: size {} is not compatible with input of shape {} and strides {} (use reshape)", shape, x.shape(),
            Shape(x.strides()));
  const Shape in_shape = x.shape();
  return record("ViewBackward", raw::view(x, shape, strides, x.storage_offset()), {x},
                [in_shape](const Tensor& dy, const NeedsGrad&) { return std::vector<Tensor>{dy.reshape(in_shape)}; });
}

Tensor reshape(const Tensor& x, const Shape& requested) {
  const Shape shape = infer_shape(requested, x.numel(), "reshape", x.shape());
  if (shape.dim() == 0 || !view_strides(x, shape).empty()) return view(x, shape);
  return view(x.contiguous(), shape);
}

Tensor permute(const Tensor& x, const std::vector<int64_t>& dims) {
  Tensor y = raw::permute(x, dims);  // checks dims
  std::vector<int64_t> inverse(dims.size());
  for (size_t i = 0; i < dims.size(); ++i)
    inverse[static_cast<size_t>(wrap_dim(dims[i], x.dim(), "permute"))] = static_cast<int64_t>(i);
  y = record("PermuteBackward", y, {x},
             [inverse](const Tensor& dy, const NeedsGrad&) { return std::vector<Tensor>{dy.permute(inverse)}; });
  std::vector<int64_t> perm;
  for (int64_t d : dims) perm.push_back(wrap_dim(d, x.dim(), "permute"));
  return trace_attributes(y, {.ints = {{"perm", perm}}});
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return x.reshape({1});
  const int64_t s = wrap_dim(start_dim, x.dim(), "flatten"), e = wrap_dim(end_dim, x.dim(), "flatten");
  CNN_CHECK(s <= e, "flatten: start_dim {} comes after end_dim {} for input of shape {}", start_dim, end_dim, x.shape());
  std::vector<int64_t> shape;
  for (int64_t d = 0; d < s; ++d) shape.push_back(x.shape()[d]);
  int64_t n = 1;
  for (int64_t d = s; d <= e; ++d) n *= x.shape()[d];
  shape.push_back(n);
  for (int64_t d = e + 1; d < x.dim(); ++d) shape.push_back(x.shape()[d]);
  return x.reshape(Shape(shape));
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  CNN_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  const Tensor& first = tensors[0];
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  Shape out_shape = first.shape();
  out_shape[d] = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    CNN_CHECK(t.dim() == first.dim() && t.dtype() == first.dtype(),
              "cat: tensor {} has shape {} ({}), expected {}-D {} like tensor 0 of shape {}", i, t.shape(),
              dtype_name(t.dtype()), first.dim(), dtype_name(first.dtype()), first.shape());
    for (int64_t k = 0; k < first.dim(); ++k)
      CNN_CHECK(k == d || t.shape()[k] == first.shape()[k],
                "cat: sizes must match except in dimension {}; tensor 0 has shape {}, tensor {} has shape {}", d,
                first.shape(), i, t.shape());
    out_shape[d] += t.shape()[d];
  }
  const bool all_cl = first.dim() == 4 && first.suggest_memory_format() == MemoryFormat::channels_last;
  Tensor out = Tensor::empty(out_shape, first.dtype(), all_cl ? MemoryFormat::channels_last : MemoryFormat::contiguous);
  std::vector<int64_t> sizes;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    copy_strided(out.detach().slice(d, offset, offset + t.shape()[d]), t);
    sizes.push_back(t.shape()[d]);
    offset += t.shape()[d];
  }
  out = record("CatBackward", out, tensors, [d, sizes](const Tensor& dy, const NeedsGrad& needs) {
    std::vector<Tensor> grads(sizes.size());
    int64_t start = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      if (needs[i]) grads[i] = dy.slice(d, start, start + sizes[i]);
      start += sizes[i];
    }
    return grads;
  });
  return trace_attributes(out, {.ints = {{"axis", {d}}}});
}

// ---- Tensor methods ----
Tensor Tensor::view(const Shape& shape) const { return cnn::view(*this, shape); }
Tensor Tensor::reshape(const Shape& shape) const { return cnn::reshape(*this, shape); }
Tensor Tensor::permute(const std::vector<int64_t>& dims) const { return cnn::permute(*this, dims); }
Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const { return cnn::flatten(*this, start_dim, end_dim); }

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  std::vector<int64_t> perm(static_cast<size_t>(dim()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<size_t>(wrap_dim(d0, dim(), "transpose"))],
            perm[static_cast<size_t>(wrap_dim(d1, dim(), "transpose"))]);
  return permute(perm);
}

Tensor Tensor::slice(int64_t dim_, int64_t start, int64_t end, int64_t step) const {
  const int64_t d = wrap_dim(dim_, dim(), "slice");
  const int64_t n = shape()[d];
  CNN_CHECK(step > 0, "slice: step must be positive, got {}", step);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  Shape s = shape();
  s[d] = (end - start + step - 1) / step;
  std::vector<int64_t> st = strides();
  const int64_t offset = storage_offset() + start * st[static_cast<size_t>(d)];
  st[static_cast<size_t>(d)] *= step;
  const Shape in_shape = shape();
  const Tensor y = record("SliceBackward", raw::view(*this, s, st, offset), {*this},
                          [in_shape, d, start, end, step](const Tensor& dy, const NeedsGrad&) {
                            Tensor dx = zeros(in_shape);
                            copy_strided(dx.slice(d, start, end, step), dy);
                            return std::vector<Tensor>{dx};
                          });
  return trace_attributes(y, {.ints = {{"axes", {d}}, {"starts", {start}}, {"ends", {end}}, {"steps", {step}}}});
}

Tensor Tensor::select(int64_t dim_, int64_t index) const {
  const int64_t d = wrap_dim(dim_, dim(), "select");
  const int64_t n = shape()[d];
  CNN_CHECK(index >= -n && index < n, "select: index {} out of range for dimension {} of size {} (shape {})", index,
            d, n, shape());
  if (index < 0) index += n;
  return slice(d, index, index + 1).squeeze(d);
}

Tensor Tensor::unsqueeze(int64_t dim_) const {
  const int64_t d = wrap_dim(dim_, dim() + 1, "unsqueeze");
  std::vector<int64_t> s = shape().dims();
  s.insert(s.begin() + d, 1);
  return view(Shape(s));
}

Tensor Tensor::squeeze(int64_t dim_) const {
  const int64_t d = wrap_dim(dim_, dim(), "squeeze");
  if (shape()[d] != 1) return *this;
  std::vector<int64_t> s = shape().dims(), st = strides();
  s.erase(s.begin() + d);
  st.erase(st.begin() + d);
  const Shape in_shape = shape();
  return record("SqueezeBackward", raw::view(*this, Shape(s), st, storage_offset()), {*this},
                [in_shape](const Tensor& dy, const NeedsGrad&) { return std::vector<Tensor>{dy.reshape(in_shape)}; });
}

Tensor Tensor::expand(const Shape& target) const {
  const Shape in_shape = shape();
  return record("ExpandBackward", raw::expand(*this, target), {*this},
                [in_shape](const Tensor& dy, const NeedsGrad&) { return std::vector<Tensor>{sum_to(dy, in_shape)}; });
}

Tensor Tensor::clone(MemoryFormat format) const {
  Tensor out = empty_like(*this, format);
  copy_strided(out, *this);
  return record("CloneBackward", out, {*this}, [](const Tensor& dy, const NeedsGrad&) { return std::vector<Tensor>{dy}; });
}

Tensor Tensor::contiguous(MemoryFormat format) const {
  if (format == MemoryFormat::preserve) format = MemoryFormat::contiguous;
  if (is_contiguous(format)) return *this;
  return clone(format);
}

// Between floating dtypes (f32, bf16) the copy is differentiable, its gradient cast back, as PyTorch's
// ToCopyBackward; the memory format is kept.
Tensor Tensor::to(DType target) const {
  if (dtype() == target) return *this;
  Tensor out = raw::cast(*this, target);
  if (!is_floating_point(dtype()) || !is_floating_point(target)) return out;
  const DType source = dtype();
  return record("ToCopyBackward", out, {*this}, [source](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{raw::cast(dy, source)};
  });
}

}  // namespace cnn

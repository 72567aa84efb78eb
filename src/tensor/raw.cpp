// Data-only views and copies (see raw.h): the strided bookkeeping shared by kernels and the differentiable views.
#include "tensor/raw.h"

#include <numeric>

#include "tensor/copy.h"

namespace cnn::raw {

Tensor view(const Tensor& base, Shape shape, std::vector<int64_t> strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->offset = offset;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

Tensor data_of(const Tensor& t) {
  return t.defined() ? view(t, t.shape(), t.strides(), t.storage_offset()) : Tensor();
}

Tensor permute(const Tensor& t, const std::vector<int64_t>& dims) {
  CNN_CHECK(static_cast<int64_t>(dims.size()) == t.dim(), "permute: expected {} dimensions for input of shape {}, got {}",
            t.dim(), t.shape(), dims.size());
  std::vector<bool> used(dims.size(), false);
  std::vector<int64_t> shape(dims.size()), strides(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], t.dim(), "permute");
    CNN_CHECK(!used[static_cast<size_t>(d)], "permute: dimension {} repeated in {}", d, Shape(dims));
    used[static_cast<size_t>(d)] = true;
    shape[i] = t.shape()[d];
    strides[i] = t.strides()[static_cast<size_t>(d)];
  }
  return view(t, Shape(shape), strides, t.storage_offset());
}

Tensor transpose(const Tensor& t, int64_t d0, int64_t d1) {
  std::vector<int64_t> perm(static_cast<size_t>(t.dim()));
  std::iota(perm.begin(), perm.end(), 0);
  std::swap(perm[static_cast<size_t>(wrap_dim(d0, t.dim(), "transpose"))],
            perm[static_cast<size_t>(wrap_dim(d1, t.dim(), "transpose"))]);
  return permute(t, perm);
}

Tensor expand(const Tensor& t, const Shape& target, const char* op) {
  CNN_CHECK(target.dim() >= t.dim(), "{}: cannot expand shape {} to fewer dimensions {}", op, t.shape(), target);
  const int64_t lead = target.dim() - t.dim();
  std::vector<int64_t> st(target.size(), 0);
  for (int64_t i = lead; i < target.dim(); ++i) {
    const int64_t have = t.shape()[i - lead];
    CNN_CHECK(have == target[i] || have == 1, "{}: shape {} cannot be expanded to {} (dimension {}: {} vs {})", op,
              t.shape(), target, i, have, target[i]);
    st[static_cast<size_t>(i)] = have == target[i] ? t.strides()[static_cast<size_t>(i - lead)] : 0;
  }
  return view(t, target, st, t.storage_offset());
}

Tensor contiguous(const Tensor& t, MemoryFormat format) {
  if (format == MemoryFormat::preserve) format = MemoryFormat::contiguous;
  if (t.is_contiguous(format)) return data_of(t);
  Tensor out = Tensor::empty(t.shape(), t.dtype(), format);
  copy_strided(out, t);
  return out;
}

Tensor cast(const Tensor& t, DType dtype) {
  if (t.dtype() == dtype) return data_of(t);
  const MemoryFormat format = t.dim() == 4 && t.suggest_memory_format() == MemoryFormat::channels_last
                                  ? MemoryFormat::channels_last
                                  : MemoryFormat::contiguous;
  Tensor out = Tensor::empty(t.shape(), dtype, format);
  copy_strided(out, t);
  return out;
}

}  // namespace cnn::raw

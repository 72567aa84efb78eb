// Strided copy and fill with fast paths for dense tensors; the general case walks the index space
// with the innermost dimension as a plain loop.
#include "tensor/copy.h"

#include <cstring>

namespace cnn {

namespace {

// Calls fn(dst_offset, src_offset, inner_count, dst_inner_stride, src_inner_stride) for every row.
template <class Fn>
void for_each_row(const Shape& shape, const std::vector<int64_t>& ds, const std::vector<int64_t>& ss, Fn fn) {
  const int64_t nd = shape.dim();
  if (nd == 0) {
    fn(0, 0, 1, 1, 1);
    return;
  }
  if (shape.numel() == 0) return;
  const int64_t inner = shape[nd - 1];
  std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
  int64_t doff = 0, soff = 0;
  while (true) {
    fn(doff, soff, inner, ds[nd - 1], ss[nd - 1]);
    int64_t d = nd - 2;
    for (; d >= 0; --d) {
      const size_t u = static_cast<size_t>(d);
      ++idx[u];
      doff += ds[u];
      soff += ss[u];
      if (idx[u] < shape[d]) break;
      doff -= ds[u] * shape[d];
      soff -= ss[u] * shape[d];
      idx[u] = 0;
    }
    if (d < 0) return;
  }
}

template <class D, class S>
void copy_typed(const Tensor& dst, const Tensor& src) {
  D* dp = dst.data<D>();
  const S* sp = src.data<S>();
  if (std::is_same_v<D, S> && dst.strides() == src.strides() && dst.is_non_overlapping_and_dense()) {
    std::memcpy(static_cast<void*>(dp), static_cast<const void*>(sp), static_cast<size_t>(dst.numel()) * sizeof(D));
    return;
  }
  for_each_row(dst.shape(), dst.strides(), src.strides(),
               [&](int64_t doff, int64_t soff, int64_t n, int64_t dstep, int64_t sstep) {
                 D* d = dp + doff;
                 const S* s = sp + soff;
                 if (dstep == 1 && sstep == 1) {
                   for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(s[i]);
                 } else {
                   for (int64_t i = 0; i < n; ++i) d[i * dstep] = static_cast<D>(s[i * sstep]);
                 }
               });
}

template <class T>
void fill_typed(const Tensor& t, T value) {
  T* p = t.data<T>();
  if (t.is_non_overlapping_and_dense()) {
    std::fill(p, p + t.numel(), value);
    return;
  }
  for_each_row(t.shape(), t.strides(), t.strides(), [&](int64_t off, int64_t, int64_t n, int64_t step, int64_t) {
    for (int64_t i = 0; i < n; ++i) p[off + i * step] = value;
  });
}

}  // namespace

void copy_strided(const Tensor& dst, const Tensor& src) {
  if (dst.dtype() == DType::f32) {
    src.dtype() == DType::f32 ? copy_typed<float, float>(dst, src) : copy_typed<float, int64_t>(dst, src);
  } else {
    src.dtype() == DType::f32 ? copy_typed<int64_t, float>(dst, src) : copy_typed<int64_t, int64_t>(dst, src);
  }
}

void fill_strided(const Tensor& t, double value) {
  if (t.dtype() == DType::f32)
    fill_typed<float>(t, static_cast<float>(value));
  else
    fill_typed<int64_t>(t, static_cast<int64_t>(value));
}

}  // namespace cnn

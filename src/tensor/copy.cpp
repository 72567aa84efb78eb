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

// Dense conversions between dtypes (f32 <-> bf16 under autocast) run on every thread above this many elements:
// they move whole activations and are bound by memory bandwidth, which one core does not saturate.
constexpr int64_t kParallelConvert = 1 << 16;

template <class D, class S>
void copy_typed(const Tensor& dst, const Tensor& src) {
  D* dp = dst.data<D>();
  const S* sp = src.data<S>();
  const bool dense = dst.strides() == src.strides() && dst.is_non_overlapping_and_dense();
  if (std::is_same_v<D, S> && dense) {
    std::memcpy(static_cast<void*>(dp), static_cast<const void*>(sp), static_cast<size_t>(dst.numel()) * sizeof(D));
    return;
  }
  if (dense) {
    const int64_t n = dst.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelConvert)
    for (int64_t i = 0; i < n; ++i) dp[i] = static_cast<D>(sp[i]);
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

// Calls f with a value of the C++ type that stores `dtype` (float, int64_t, int8_t or bfloat16).
template <class F>
void visit_dtype(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32: return f(float{});
    case DType::i64: return f(int64_t{});
    case DType::i8: return f(int8_t{});
    case DType::bf16: return f(bfloat16{});
  }
}

}  // namespace

// Values convert as static_cast does (a float copied into int8 is truncated, not rounded or saturated); into
// bfloat16 they round to nearest even.
void copy_strided(const Tensor& dst, const Tensor& src) {
  visit_dtype(dst.dtype(), [&](auto d) {
    visit_dtype(src.dtype(), [&](auto s) { copy_typed<decltype(d), decltype(s)>(dst, src); });
  });
}

void fill_strided(const Tensor& t, double value) {
  visit_dtype(t.dtype(), [&](auto v) { fill_typed<decltype(v)>(t, static_cast<decltype(v)>(value)); });
}

}  // namespace cnn

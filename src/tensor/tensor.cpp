// Tensor basics: storage, accessors, memory-format queries, in-place fills.
// Not views or contiguous() (ops/shape.cpp), not autograd (autograd/engine.cpp), not printing (tensor/print.cpp).
#include <cnn/tensor.h>

#include <algorithm>
#include <cstdlib>
#include <malloc.h>
#include <cstring>
#include <numeric>

#include "tensor/copy.h"
#include "tensor/raw.h"

namespace cnn {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "float32";
    case DType::i64: return "int64";
    case DType::i8: return "int8";
    case DType::bf16: return "bfloat16";
  }
  return "unknown";
}
size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::i64: return 8;
    case DType::i8: return 1;
    case DType::bf16: return 2;
  }
  return 0;
}
bool is_floating_point(DType t) { return t == DType::f32 || t == DType::bf16; }

namespace {
// Note [Activation memory] (docs/design.md): keep freed activation blocks mapped instead of returning them to the
// kernel after every step, which made each training step page-fault its ~40 MB of activations in again.
void keep_freed_memory_mapped() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
}  // namespace

Storage::Storage(size_t bytes) : bytes_(bytes) {
  static const bool configured = (keep_freed_memory_mapped(), true);
  (void)configured;
  const size_t rounded = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
  data_ = std::aligned_alloc(64, rounded);
  CNN_CHECK(data_ != nullptr, "Storage: out of memory allocating {} bytes", bytes);
}

Storage::~Storage() { std::free(data_); }

Tensor Tensor::empty(const Shape& shape, DType dtype, MemoryFormat format) {
  for (int64_t d : shape) CNN_CHECK(d >= 0, "empty: negative dimension in shape {}", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(shape.numel()) * dtype_size(dtype));
  impl->shape = shape;
  impl->strides = format == MemoryFormat::channels_last && shape.dim() == 4 ? shape.channels_last_strides()
                                                                            : shape.contiguous_strides();
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

const Shape& Tensor::shape() const {
  CNN_CHECK(defined(), "shape: tensor is undefined");
  return impl_->shape;
}
const std::vector<int64_t>& Tensor::strides() const {
  CNN_CHECK(defined(), "strides: tensor is undefined");
  return impl_->strides;
}
int64_t Tensor::storage_offset() const { return impl_->offset; }
DType Tensor::dtype() const {
  CNN_CHECK(defined(), "dtype: tensor is undefined");
  return impl_->dtype;
}

double Tensor::item() const {
  CNN_CHECK(numel() == 1, "item: expected a tensor with one element, got shape {}", shape());
  if (dtype() == DType::f32) return static_cast<double>(*data<float>());
  if (dtype() == DType::i8) return static_cast<double>(*data<int8_t>());
  if (dtype() == DType::bf16) return static_cast<double>(static_cast<float>(*data<bfloat16>()));
  return static_cast<double>(*data<int64_t>());
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  constexpr DType want = std::is_same_v<T, float> ? DType::f32 : DType::i64;
  Tensor dense = *this;
  if (dtype() != want || !is_contiguous()) {
    dense = Tensor::empty(shape(), want);
    copy_strided(dense, *this);
  }
  const T* p = dense.data<T>();
  return std::vector<T>(p, p + numel());
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<int64_t> Tensor::to_vector<int64_t>() const;

static bool strides_match(const Shape& shape, const std::vector<int64_t>& strides,
                          const std::vector<int64_t>& expected) {
  for (size_t i = 0; i < strides.size(); ++i)
    if (shape.dims()[i] != 1 && strides[i] != expected[i]) return false;
  return true;
}

bool Tensor::is_contiguous(MemoryFormat format) const {
  const Shape& s = shape();
  if (format == MemoryFormat::channels_last)
    return s.dim() == 4 && strides_match(s, strides(), s.channels_last_strides());
  return strides_match(s, strides(), s.contiguous_strides());
}

bool Tensor::is_non_overlapping_and_dense() const {
  const Shape& s = shape();
  std::vector<size_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return strides()[a] < strides()[b]; });
  int64_t expected = 1;
  for (size_t i : order) {
    if (s.dims()[i] == 1) continue;
    if (strides()[i] != expected) return false;
    expected *= s.dims()[i];
  }
  return true;
}

MemoryFormat Tensor::suggest_memory_format() const {
  if (dim() == 4 && !is_contiguous() && is_contiguous(MemoryFormat::channels_last)) return MemoryFormat::channels_last;
  return MemoryFormat::contiguous;
}

Tensor& Tensor::fill_(double value) {
  CNN_CHECK(defined(), "fill_: tensor is undefined");
  fill_strided(*this, value);
  return *this;
}

Tensor& Tensor::copy_(const Tensor& src) {
  CNN_CHECK(defined() && src.defined(), "copy_: tensor is undefined");
  CNN_CHECK(broadcast_shapes(shape(), src.shape(), "copy_") == shape(),
            "copy_: cannot copy a tensor of shape {} into one of shape {}", src.shape(), shape());
  copy_strided(*this, src.shape() == shape() ? src : raw::expand(src, shape(), "copy_"));
  return *this;
}

Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  t.fill_(value);
  return t;
}

static MemoryFormat resolve_format(const Tensor& t, MemoryFormat format) {
  return format == MemoryFormat::preserve ? t.suggest_memory_format() : format;
}
Tensor empty_like(const Tensor& t, MemoryFormat format) {
  return Tensor::empty(t.shape(), t.dtype(), resolve_format(t, format));
}
Tensor zeros_like(const Tensor& t, MemoryFormat format) { return full_like(t, 0.0, format); }
Tensor ones_like(const Tensor& t, MemoryFormat format) { return full_like(t, 1.0, format); }
Tensor full_like(const Tensor& t, double value, MemoryFormat format) {
  Tensor r = empty_like(t, format);
  r.fill_(value);
  return r;
}

}  // namespace cnn

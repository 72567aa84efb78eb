// Tensor: a cheap handle to shared storage plus shape, strides, dtype and autograd state.
// Not the math: arithmetic, reductions and every differentiable op are free functions in ops.h.
#pragma once

#include <cnn/bfloat16.h>
#include <cnn/error.h>
#include <cnn/shape.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace cnn {

enum class DType { f32, i64, i8, bf16 };
/// How a 4-D tensor is laid out in memory (its shape always reads NCHW): see docs/design.md, Note [Memory format].
enum class MemoryFormat { contiguous, channels_last, preserve };

const char* dtype_name(DType t);
size_t dtype_size(DType t);
/// f32 and bf16 (what load_state_dict converts into each other, as PyTorch's copy_ does).
bool is_floating_point(DType t);

/// A flat, 64-byte aligned buffer shared by a tensor and its views.
class Storage {
 public:
  explicit Storage(size_t bytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

struct Node;
struct TensorImpl;
class Tensor;

/// Called with a tensor's gradient when backward reaches it; a defined return value replaces the gradient.
using TensorHook = std::function<Tensor(const Tensor& grad)>;

/// Returned by Tensor::register_hook; remove() detaches the hook (safe after the tensor is gone).
class TensorHookHandle {
 public:
  TensorHookHandle() = default;
  TensorHookHandle(std::weak_ptr<TensorImpl> tensor, int64_t id) : tensor_(std::move(tensor)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<TensorImpl> tensor_;
  int64_t id_ = -1;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  /// Uninitialised tensor of `shape`, laid out as `format` (contiguous or channels_last).
  static Tensor empty(const Shape& shape, DType dtype = DType::f32, MemoryFormat format = MemoryFormat::contiguous);

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  int64_t dim() const { return shape().dim(); }
  int64_t size(int64_t d) const { return shape()[wrap_dim(d, dim(), "size")]; }
  int64_t numel() const { return shape().numel(); }
  const std::vector<int64_t>& strides() const;
  int64_t stride(int64_t d) const { return strides()[static_cast<size_t>(wrap_dim(d, dim(), "stride"))]; }
  int64_t storage_offset() const;
  DType dtype() const;

  /// Pointer to the first element (storage start + offset). Checks the dtype.
  template <class T>
  T* data() const;
  /// The value of a one-element tensor, as double.
  double item() const;
  /// Copies the elements out in logical (row-major) order.
  template <class T>
  std::vector<T> to_vector() const;

  bool is_contiguous(MemoryFormat format = MemoryFormat::contiguous) const;
  /// Dense: the elements fill a block of storage with no gaps or overlap, in some dimension order.
  bool is_non_overlapping_and_dense() const;
  /// Returns *this when already laid out as `format`, else a copy that is (differentiable).
  Tensor contiguous(MemoryFormat format = MemoryFormat::contiguous) const;
  /// The memory format this 4-D tensor is laid out in: channels_last when it is so and not also contiguous.
  MemoryFormat suggest_memory_format() const;

  // Views and reshapes (differentiable; see ops/shape.cpp).
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor permute(const std::vector<int64_t>& dims) const;
  Tensor transpose(int64_t d0, int64_t d1) const;
  Tensor t() const { return transpose(0, 1); }
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor operator[](int64_t index) const { return select(0, index); }
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze(int64_t dim) const;
  Tensor expand(const Shape& shape) const;
  Tensor clone(MemoryFormat format = MemoryFormat::preserve) const;
  Tensor to(DType dtype) const;

  // Autograd (see autograd.h).
  bool requires_grad() const;
  /// Marks a leaf tensor as a parameter whose gradient backward() accumulates.
  Tensor& requires_grad_(bool enabled = true);
  bool is_leaf() const;
  /// Accumulated gradient (undefined until a backward pass reaches this tensor).
  Tensor grad() const;
  void set_grad(const Tensor& g) const;
  /// Sets the gradient to undefined (set_to_none, as PyTorch's default) or to zeros.
  void zero_grad(bool set_to_none = true) const;
  /// Asks backward() to keep this non-leaf tensor's gradient.
  void retain_grad() const;
  bool retains_grad() const;
  /// Calls `hook` with this tensor's gradient each time backward() or grad() reaches it, in registration order,
  /// before the gradient is stored or passed on, as torch.Tensor.register_hook.
  /// Usage: auto h = y.register_hook([&](const Tensor& g) { seen = g; return Tensor(); });  h.remove();
  TensorHookHandle register_hook(TensorHook hook) const;
  /// Back-propagates from this tensor; a scalar needs no `gradient`, anything else does.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false) const;
  /// Same data, cut from the graph.
  Tensor detach() const;
  const std::shared_ptr<Node>& grad_fn() const;
  /// The name of the node that made this tensor ("AddBackward"), empty for a leaf.
  std::string grad_fn_name() const;
  void set_grad_fn(std::shared_ptr<Node> node) const;

  // In-place updates of data, never recorded by autograd (optimisers, initialisers, running statistics).
  Tensor& fill_(double value);
  Tensor& zero_() { return fill_(0.0); }
  /// Copies `src` (same number of elements, broadcastable shape) into this tensor's elements.
  Tensor& copy_(const Tensor& src);

  std::string str() const;
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

/// Everything a tensor handle points at. Views share `storage`.
struct TensorImpl {
  std::shared_ptr<Storage> storage;
  int64_t offset = 0;  // in elements
  Shape shape;
  std::vector<int64_t> strides;  // in elements
  DType dtype = DType::f32;
  // Autograd state.
  bool requires_grad = false;
  bool retains_grad = false;
  std::shared_ptr<Node> grad_fn;
  Tensor grad;
  std::vector<std::pair<int64_t, TensorHook>> grad_hooks;  // see Tensor::register_hook
  int64_t next_hook_id = 0;
};

// ---- Factories ---------------------------------------------------------------------------------
Tensor zeros(const Shape& shape, DType dtype = DType::f32);
Tensor ones(const Shape& shape, DType dtype = DType::f32);
Tensor full(const Shape& shape, double value, DType dtype = DType::f32);
/// Uniform on [low, high) from the global generator.
Tensor rand(const Shape& shape, double low = 0.0, double high = 1.0);
/// Standard normal (times std, plus mean) from the global generator.
Tensor randn(const Shape& shape, double mean = 0.0, double std = 1.0);
/// Integers uniform on [low, high), i64.
Tensor randint(int64_t low, int64_t high, const Shape& shape);
/// [start, end) with `step`; f32 unless dtype says i64.
Tensor arange(double start, double end, double step = 1.0, DType dtype = DType::f32);
inline Tensor arange(double end) { return arange(0.0, end); }
/// Copies `values` into a new tensor of `shape` (element counts must agree).
Tensor from_vector(const std::vector<float>& values, const Shape& shape);
Tensor from_vector(const std::vector<int64_t>& values, const Shape& shape);
/// Copies `numel(shape)` elements from a raw buffer.
Tensor from_blob(const void* data, const Shape& shape, DType dtype = DType::f32);
/// A 0-d tensor holding `value`.
Tensor scalar_tensor(double value, DType dtype = DType::f32);
Tensor zeros_like(const Tensor& t, MemoryFormat format = MemoryFormat::preserve);
Tensor ones_like(const Tensor& t, MemoryFormat format = MemoryFormat::preserve);
Tensor full_like(const Tensor& t, double value, MemoryFormat format = MemoryFormat::preserve);
Tensor empty_like(const Tensor& t, MemoryFormat format = MemoryFormat::preserve);

// ---- Printing options ----------------------------------------------------------------------------
struct PrintOptions {
  int precision = 4;
  int64_t threshold = 1000;  // summarise with "..." above this many elements
  int64_t edgeitems = 3;
};
void set_printoptions(const PrintOptions& options);

// ---- Template definitions --------------------------------------------------------------------------
template <class T>
T* Tensor::data() const {
  CNN_CHECK(defined(), "data: tensor is undefined");
  constexpr DType want = std::is_same_v<T, float>    ? DType::f32
                         : std::is_same_v<T, int8_t>  ? DType::i8
                         : std::is_same_v<T, bfloat16> ? DType::bf16
                                                       : DType::i64;
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, int64_t> || std::is_same_v<T, int8_t> ||
                    std::is_same_v<T, bfloat16>,
                "Tensor::data<T>: T is float, int64_t, int8_t or bfloat16");
  CNN_CHECK(impl_->dtype == want, "data: tensor has dtype {}, asked for {}", dtype_name(impl_->dtype), dtype_name(want));
  return static_cast<T*>(impl_->storage->data()) + impl_->offset;
}

}  // namespace cnn

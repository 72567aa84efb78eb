// oneDNN glue shared by the OneDnnBackend kernels: engine, per-thread stream, the primitive cache, and
// Tensor <-> dnnl::memory conversion. Not a kernel: each op family lives in its own onednn_*.cpp.
#pragma once

#include <cnn/backend.h>
#include <fmt/format.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace cnn::onednn {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;
using Args = std::unordered_map<int, memory>;

dnnl::engine& engine();
/// One CPU stream per calling thread.
dnnl::stream& stream();
/// What every primitive is created with: a user-managed scratchpad. oneDNN's own (library-managed) scratchpad
/// is shared between the threads that execute primitives, so two threads running one model at once corrupt each
/// other's results (tests/deploy/test_concurrent_forward.cpp); execute() gives each thread its own instead.
dnnl::primitive_attr scratchpad_attr();

/// Runs a primitive (with this thread's scratchpad, when it needs one) and waits for it.
void execute(const dnnl::primitive& prim, const Args& args);

/// The arguments of one primitive execution. Holds the tensors whose buffers it points at, so a temporary
/// such as `raw::contiguous(x)` stays alive until the primitive has run.
class Bindings {
 public:
  /// Binds `t`'s dense buffer, described by `desc`, as argument `arg` (DNNL_ARG_*).
  Bindings& add(int arg, const memory::desc& desc, const Tensor& t);
  Bindings& add(int arg, const memory& m);
  void run(const dnnl::primitive& prim) const { execute(prim, args_); }

 private:
  Args args_;
  std::vector<Tensor> tensors_;
};

memory::dims dims_of(const Shape& s);
/// `t`'s dense buffer (any dtype), described by `desc`.
memory wrap(const memory::desc& desc, const Tensor& t);
/// Scratch memory owned by oneDNN, laid out as `desc`.
memory scratch(const memory::desc& desc);

/// Channels-last in memory (for 4-D tensors; a tensor with C == 1 or H == W == 1 is both).
bool is_nhwc(const Tensor& t);
/// `t` (f32) as a 4-D tensor that is plain NCHW or NHWC, copying when it is neither; `layout` gets its tag.
/// `prefer_nhwc` decides when the copy is needed or both layouts fit.
Tensor as_plain_4d(const Tensor& t, bool prefer_nhwc, tag* layout);
/// `t` dense in `format`: t itself, or a copy, counted as an activation reorder (BackendCounters).
Tensor in_format(const Tensor& t, MemoryFormat format);
/// Uninitialised f32 tensor of `shape` laid out as `layout` (nchw or nhwc).
Tensor empty_as(const Shape& shape, tag layout);
/// Uninitialised tensor with exactly `like`'s strides (like must be dense).
Tensor empty_strided_like(const Tensor& like, DType dtype = DType::f32);

/// Runs the scope on the calling thread alone when `serial`: below about kSerialElements elements moved
/// (or kSerialMacs multiply-adds) waking the other threads costs more than they save, and far more on a busy
/// machine. Primitives created inside are built for one thread, and the cache keys say so (see key_prefix).
class SerialScope {
 public:
  static constexpr int64_t kSerialElements = 1 << 16;
  static constexpr int64_t kSerialMacs = 1 << 20;
  explicit SerialScope(bool serial);
  ~SerialScope();
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  int saved_ = 0;
};

/// The cache key prefix every entry shares: the thread count the primitives were created for.
std::string key_prefix();

/// The process-wide tallies behind OneDnnBackend::counters().
struct Counters {
  std::atomic<int64_t> primitives_created{0}, primitives_reused{0}, activation_reorders{0}, weight_reorders{0};
};
Counters& counters();

/// Process-wide cache of primitive descriptors and primitives, keyed by a string naming op, shapes,
/// layouts and parameters. Entries are immutable once built, so sharing them across threads is safe.
class PrimitiveCache {
 public:
  template <class T, class Make>
  std::shared_ptr<const T> get(const std::string& key, Make&& make) {
    const std::string full = key_prefix() + key;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = entries_.find(full);
      if (it != entries_.end()) {
        ++counters().primitives_reused;
        return std::static_pointer_cast<const T>(it->second);
      }
    }
    ++counters().primitives_created;
    auto entry = std::make_shared<const T>(make());
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.emplace(full, entry);
    return entry;
  }
  void clear();

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const void>> entries_;
};

PrimitiveCache& cache();

/// A reorder between two layouts of the same tensor, or none when they are equal.
struct Reorder {
  memory::desc from, to;
  std::shared_ptr<dnnl::reorder> prim;  // null when from == to
  Reorder() = default;
  Reorder(const memory::desc& from_desc, const memory::desc& to_desc);
  /// `src` (laid out as `from`) in the layout `to`: src itself, or a fresh scratch copy.
  memory apply(const memory& src) const;
  /// Copies `src` (laid out as `from`) into `dst` (laid out as `to`).
  void apply(const memory& src, const memory& dst) const;
};

}  // namespace cnn::onednn

template <>
struct fmt::formatter<dnnl::memory::dims> : fmt::formatter<std::string> {
  auto format(const dnnl::memory::dims& d, format_context& ctx) const {
    std::string s;
    for (auto v : d) s += (s.empty() ? "" : "x") + std::to_string(v);
    return fmt::formatter<std::string>::format(s, ctx);
  }
};

// oneDNN glue (see onednn_context.h), the backend factory and the thread-count hook.
// Not a kernel: the op families live in onednn_{conv,pool,norm,eltwise,linear,softmax}.cpp.
#include "backend/onednn/onednn_context.h"

#include <omp.h>

#include <cstdlib>
#include <cstring>

#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_factory.h"
#include "tensor/raw.h"

namespace cnn::onednn {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

// A fresh object each time: dnnl::primitive_attr is a handle, and copies share (and change) one attribute set.
dnnl::primitive_attr scratchpad_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

namespace {

// This thread's scratchpad, grown to the largest any primitive asked for and reused (64-byte aligned).
void* thread_scratchpad(size_t bytes) {
  struct Buffer {
    void* data = nullptr;
    size_t size = 0;
    ~Buffer() { std::free(data); }
  };
  thread_local Buffer buffer;
  if (bytes > buffer.size) {
    std::free(buffer.data);
    buffer.size = (bytes + 63) / 64 * 64;
    buffer.data = std::aligned_alloc(64, buffer.size);
    CNN_CHECK(buffer.data != nullptr, "onednn: cannot allocate a scratchpad of {} bytes", buffer.size);
  }
  return buffer.data;
}

}  // namespace

void execute(const dnnl::primitive& prim, const Args& args) {
  const dnnl::primitive_desc_base pd(const_cast<dnnl_primitive_desc_t>(prim.get_primitive_desc()), true);
  const memory::desc sd = pd.scratchpad_desc();
  if (sd.get_size() == 0) {
    prim.execute(stream(), args);
  } else {
    Args with = args;
    with.insert_or_assign(DNNL_ARG_SCRATCHPAD, memory(sd, engine(), thread_scratchpad(sd.get_size())));
    prim.execute(stream(), with);
  }
  stream().wait();
}

Bindings& Bindings::add(int arg, const memory::desc& desc, const Tensor& t) {
  tensors_.push_back(t);
  args_.insert_or_assign(arg, wrap(desc, t));
  return *this;
}

Bindings& Bindings::add(int arg, const memory& m) {
  args_.insert_or_assign(arg, m);
  return *this;
}

memory::dims dims_of(const Shape& s) { return memory::dims(s.dims().begin(), s.dims().end()); }

memory wrap(const memory::desc& desc, const Tensor& t) {
  char* base = static_cast<char*>(t.impl()->storage->data());
  return memory(desc, engine(), base + t.storage_offset() * static_cast<int64_t>(dtype_size(t.dtype())));
}

memory scratch(const memory::desc& desc) { return memory(desc, engine()); }

bool is_nhwc(const Tensor& t) { return t.dim() == 4 && t.is_contiguous(MemoryFormat::channels_last); }

Tensor as_plain_4d(const Tensor& t, bool prefer_nhwc, tag* layout) {
  const bool nhwc = is_nhwc(t), nchw = t.is_contiguous();
  if (nhwc && (prefer_nhwc || !nchw)) {
    *layout = tag::nhwc;
    return t;
  }
  if (nchw) {
    *layout = tag::nchw;
    return t;
  }
  *layout = prefer_nhwc ? tag::nhwc : tag::nchw;
  return in_format(t, prefer_nhwc ? MemoryFormat::channels_last : MemoryFormat::contiguous);
}

Tensor in_format(const Tensor& t, MemoryFormat format) {
  if (t.is_contiguous(format)) return raw::contiguous(t, format);
  ++counters().activation_reorders;
  return raw::contiguous(t, format);
}

Tensor empty_as(const Shape& shape, tag layout) {
  return Tensor::empty(shape, DType::f32, layout == tag::nhwc ? MemoryFormat::channels_last : MemoryFormat::contiguous);
}

Tensor empty_strided_like(const Tensor& like, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(static_cast<size_t>(like.numel()) * dtype_size(dtype));
  impl->shape = like.shape();
  impl->strides = like.strides();
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

SerialScope::SerialScope(bool serial) {
  if (!serial) return;
  saved_ = omp_get_max_threads();
  omp_set_num_threads(1);
}

SerialScope::~SerialScope() {
  if (saved_ > 0) omp_set_num_threads(saved_);
}

std::string key_prefix() { return std::to_string(omp_get_max_threads()) + "|"; }

void PrimitiveCache::clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

Counters& counters() {
  static Counters c;
  return c;
}

PrimitiveCache& cache() {
  static PrimitiveCache c;
  return c;
}

namespace {
bool small(const memory::desc& d) {
  return static_cast<int64_t>(d.get_size() / sizeof(float)) < SerialScope::kSerialElements;
}
}  // namespace

Reorder::Reorder(const memory::desc& from_desc, const memory::desc& to_desc) : from(from_desc), to(to_desc) {
  if (from == to) return;
  SerialScope serial(small(from));
  prim = std::make_shared<dnnl::reorder>(dnnl::reorder::primitive_desc(engine(), from, engine(), to, scratchpad_attr()));
}

memory Reorder::apply(const memory& src) const {
  if (!prim) return src;
  memory dst = scratch(to);
  apply(src, dst);
  return dst;
}

void Reorder::apply(const memory& src, const memory& dst) const {
  if (!prim) {
    std::memcpy(dst.get_data_handle(), src.get_data_handle(), from.get_size());
    return;
  }
  ++counters().weight_reorders;
  SerialScope serial(small(from));
  execute(*prim, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
}

}  // namespace cnn::onednn

namespace cnn {

std::unique_ptr<Backend> make_onednn_backend() {
  return std::make_unique<OneDnnBackend>();
}

// Primitives are built for a thread count (oneDNN partitions work at creation), so a change drops them all;
// the cache keys also carry the count, in case OpenMP's setting is changed behind our back.
void onednn_set_num_threads(int) { onednn::cache().clear(); }

bool cpu_has_native_bf16() {
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

std::string cpu_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "generic";
  }
}

// oneDNN 2.6 also runs bf16 on avx512_core by emulation, slower than f32: autocast there would only lose.
bool OneDnnBackend::supports_bf16() const { return cpu_has_native_bf16(); }

BackendCounters OneDnnBackend::counters() const {
  const onednn::Counters& c = onednn::counters();
  return {c.primitives_created.load(), c.primitives_reused.load(), c.activation_reorders.load(),
          c.weight_reorders.load()};
}

void OneDnnBackend::reset_counters() {
  onednn::Counters& c = onednn::counters();
  c.primitives_created = c.primitives_reused = c.activation_reorders = c.weight_reorders = 0;
}

}  // namespace cnn

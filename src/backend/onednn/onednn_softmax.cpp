// oneDNN softmax and log-softmax along one dimension, forward and backward, on row-major (contiguous) data.
// Small tensors (a classifier's [64, 10] logits) stay with RefBackend: oneDNN's vectorised exp/log are a few ulps
// off std::exp/std::log, which buys nothing at that size. Not the losses: nll stays with RefBackend too.
#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {

memory::desc row_major(const Shape& s) {
  const std::vector<int64_t> strides = s.contiguous_strides();
  return memory::desc(dims_of(s), dt::f32, memory::dims(strides.begin(), strides.end()));
}

dnnl::softmax_v2_forward::primitive_desc forward_pd(const Shape& s, int axis, bool log) {
  const memory::desc d = row_major(s);
  dnnl::softmax_v2_forward::desc desc(prop_kind::forward_training, log ? algorithm::softmax_log
                                                                       : algorithm::softmax_accurate, d, d, axis);
  return {desc, scratchpad_attr(), engine()};
}

struct Forward {
  dnnl::softmax_v2_forward prim;
};
struct Backward {
  dnnl::softmax_v2_backward prim;
};

bool supported(const Tensor& t) {
  return t.dtype() == DType::f32 && t.dim() >= 1 && t.numel() >= SerialScope::kSerialElements;
}

}  // namespace

// x [*] -> softmax (or log-softmax) along dim, contiguous.
Tensor OneDnnBackend::softmax_forward(const Tensor& x, int64_t dim, bool log) {
  if (!supported(x)) return RefBackend::softmax_forward(x, dim, log);
  const int axis = static_cast<int>(wrap_dim(dim, x.dim(), "softmax"));
  auto e = cache().get<Forward>(fmt::format("softmax_fwd|{}|{}|{}", x.shape(), axis, log),
                                [&] { return Forward{{forward_pd(x.shape(), axis, log)}}; });
  Tensor y = Tensor::empty(x.shape());
  const memory::desc d = row_major(x.shape());
  Bindings().add(DNNL_ARG_SRC, d, raw::contiguous(x)).add(DNNL_ARG_DST, d, y).run(e->prim);
  return y;
}

// dy, y [*] -> dx = y*(dy - sum(dy*y)) (softmax) or dy - exp(y)*sum(dy) (log-softmax), contiguous.
Tensor OneDnnBackend::softmax_backward(const Tensor& dy, const Tensor& y, int64_t dim, bool log) {
  if (!supported(y)) return RefBackend::softmax_backward(dy, y, dim, log);
  const int axis = static_cast<int>(wrap_dim(dim, y.dim(), "softmax"));
  const memory::desc d = row_major(y.shape());
  auto e = cache().get<Backward>(fmt::format("softmax_bwd|{}|{}|{}", y.shape(), axis, log), [&] {
    dnnl::softmax_v2_backward::desc desc(log ? algorithm::softmax_log : algorithm::softmax_accurate, d, d, d, axis);
    return Backward{{dnnl::softmax_v2_backward::primitive_desc(desc, scratchpad_attr(), engine(), forward_pd(y.shape(), axis, log))}};
  });
  Tensor dx = Tensor::empty(y.shape());
  Bindings()
      .add(DNNL_ARG_DST, d, raw::contiguous(y))
      .add(DNNL_ARG_DIFF_DST, d, raw::contiguous(dy))
      .add(DNNL_ARG_DIFF_SRC, d, dx)
      .run(e->prim);
  return dx;
}

}  // namespace cnn

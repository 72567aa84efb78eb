// oneDNN PReLU forward and backward on [N, C, H, W] (NCHW or NHWC, kept) and [N, C], the slopes broadcast along
// the channels (or one shared slope). Other ranks fall back to RefBackend.
#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::prop_kind;

namespace {

bool supported(const Tensor& x) { return (x.dim() == 2 || x.dim() == 4) && x.dtype() == DType::f32 && x.numel() > 0; }

// x as plain data with the descriptors of x and of the slopes ([1, C, 1, 1] or all ones for one shared slope).
struct Plain {
  Tensor data;
  tag layout;
  memory::desc x, w;
};
Plain plain(const Tensor& x, const Tensor& w) {
  Plain p;
  memory::dims wdims(static_cast<size_t>(x.dim()), 1);
  wdims[1] = w.numel();
  if (x.dim() == 4) {
    p.data = as_plain_4d(x, true, &p.layout);
    p.w = memory::desc(wdims, dt::f32, tag::nchw);
  } else {
    p.data = raw::contiguous(x);
    p.layout = tag::nc;
    p.w = memory::desc(wdims, dt::f32, tag::nc);
  }
  p.x = memory::desc(dims_of(x.shape()), dt::f32, p.layout);
  return p;
}

// `t` (of x's shape) in the layout of `like`.
Tensor in_layout(const Tensor& t, const Plain& like) {
  return in_format(t, like.layout == tag::nhwc ? MemoryFormat::channels_last : MemoryFormat::contiguous);
}

Tensor empty_in_layout(const Tensor& x, const Plain& p) {
  return x.dim() == 4 ? empty_as(x.shape(), p.layout) : Tensor::empty(x.shape());
}

dnnl::prelu_forward::primitive_desc forward_pd(const Plain& p) {
  return {dnnl::prelu_forward::desc(prop_kind::forward_training, p.x, p.w), scratchpad_attr(), engine()};
}

struct Forward {
  dnnl::prelu_forward prim;
};
struct Backward {
  dnnl::prelu_backward prim;
};

std::string key_of(const char* name, const Tensor& x, const Plain& p, const Tensor& w) {
  return fmt::format("{}|{}|{}|{}", name, dims_of(x.shape()), static_cast<int>(p.layout), w.numel());
}

}  // namespace

// x [N, C, H, W] or [N, C], w [1] or [C] -> y like x, in x's memory format.
Tensor OneDnnBackend::prelu_forward(const Tensor& x, const Tensor& w) {
  if (!supported(x)) return RefBackend::prelu_forward(x, w);
  const Plain p = plain(x, w);
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  auto e = cache().get<Forward>(key_of("prelu_fwd", x, p, w), [&] { return Forward{{forward_pd(p)}}; });
  Tensor y = empty_in_layout(x, p);
  Bindings()
      .add(DNNL_ARG_SRC, p.x, p.data)
      .add(DNNL_ARG_WEIGHTS, p.w, raw::contiguous(w))
      .add(DNNL_ARG_DST, p.x, y)
      .run(e->prim);
  return y;
}

// dy, x like x -> dx like x and dw like w; oneDNN computes both, so a gradient not asked for is dropped.
Backend::PreluGrads OneDnnBackend::prelu_backward(const Tensor& dy, const Tensor& x, const Tensor& w, bool need_dx,
                                                  bool need_dw) {
  if (!supported(x)) return RefBackend::prelu_backward(dy, x, w, need_dx, need_dw);
  const Plain p = plain(x, w);
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  auto e = cache().get<Backward>(key_of("prelu_bwd", x, p, w), [&] {
    dnnl::prelu_backward::desc d(p.x, p.w, p.x, p.w);
    return Backward{{dnnl::prelu_backward::primitive_desc(d, scratchpad_attr(), engine(), forward_pd(p))}};
  });
  Tensor dx = empty_in_layout(x, p), dw = Tensor::empty(w.shape());
  Bindings()
      .add(DNNL_ARG_SRC, p.x, p.data)
      .add(DNNL_ARG_WEIGHTS, p.w, raw::contiguous(w))
      .add(DNNL_ARG_DIFF_DST, p.x, in_layout(dy, p))
      .add(DNNL_ARG_DIFF_SRC, p.x, dx)
      .add(DNNL_ARG_DIFF_WEIGHTS, p.w, dw)
      .run(e->prim);
  PreluGrads g;
  if (need_dx) g.dx = dx;
  if (need_dw) g.dw = dw;
  return g;
}

}  // namespace cnn

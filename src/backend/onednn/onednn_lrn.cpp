// oneDNN local response normalisation across channels, forward and backward, on [N, C, H, W] (NCHW or NHWC, kept)
// and [N, C, L]. oneDNN's window is symmetric, (size-1)/2 channels each side, which is PyTorch's for odd sizes
// only: even sizes and other ranks fall back to RefBackend. Both scale the sum of squares by alpha/size.
// Size 1 (a plain power) also stays on the reference: oneDNN 2.6 crashes creating its NHWC backward.
#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {

bool supported(const Tensor& x, const LrnParams& p) {
  return p.size % 2 == 1 && p.size > 1 && (x.dim() == 3 || x.dim() == 4) && x.dtype() == DType::f32 && x.numel() > 0;
}

// x as 4-D plain data: the tensor to read, its dims ([N, C, L] as [N, C, L, 1]) and layout.
struct Plain {
  Tensor data;
  memory::dims dims;
  tag layout;
};
Plain plain(const Tensor& x) {
  if (x.dim() == 4) {
    Plain p;
    p.data = as_plain_4d(x, true, &p.layout);
    p.dims = dims_of(x.shape());
    return p;
  }
  return {raw::contiguous(x), {x.size(0), x.size(1), x.size(2), 1}, tag::nchw};
}

// `t` (of x's shape) in the plain layout of `like`.
Tensor in_layout(const Tensor& t, const Plain& like) {
  return in_format(t, like.layout == tag::nhwc ? MemoryFormat::channels_last : MemoryFormat::contiguous);
}

Tensor empty_in_layout(const Tensor& x, const Plain& p) {
  return x.dim() == 4 ? empty_as(x.shape(), p.layout) : Tensor::empty(x.shape());
}

dnnl::lrn_forward::primitive_desc forward_pd(prop_kind kind, const memory::desc& data, const LrnParams& p) {
  return {dnnl::lrn_forward::desc(kind, algorithm::lrn_across_channels, data, p.size, static_cast<float>(p.alpha),
                                  static_cast<float>(p.beta), static_cast<float>(p.k)),
          scratchpad_attr(), engine()};
}

struct Forward {
  dnnl::lrn_forward::primitive_desc pd;
  dnnl::lrn_forward prim;
};
struct Backward {
  dnnl::lrn_forward::primitive_desc forward_pd;  // forward_training: recomputes the workspace backward reads
  dnnl::lrn_forward forward;
  dnnl::lrn_backward::primitive_desc pd;
  dnnl::lrn_backward prim;
};

std::string key_of(const char* name, const Plain& x, const LrnParams& p) {
  return fmt::format("{}|{}|{}|{}|{}|{}|{}", name, x.dims, static_cast<int>(x.layout), p.size, p.alpha, p.beta, p.k);
}

}  // namespace

// x [N, C, *] -> y like x, in x's memory format.
Tensor OneDnnBackend::lrn_forward(const Tensor& x, const LrnParams& p) {
  if (!supported(x, p)) return RefBackend::lrn_forward(x, p);
  const Plain px = plain(x);
  const SerialScope serial(x.numel() * p.size < SerialScope::kSerialMacs);
  auto e = cache().get<Forward>(key_of("lrn_fwd", px, p), [&] {
    auto pd = forward_pd(prop_kind::forward_inference, memory::desc(px.dims, dt::f32, px.layout), p);
    return Forward{pd, dnnl::lrn_forward(pd)};
  });
  Tensor y = empty_in_layout(x, px);
  Bindings().add(DNNL_ARG_SRC, e->pd.src_desc(), px.data).add(DNNL_ARG_DST, e->pd.dst_desc(), y).run(e->prim);
  return y;
}

// dy, x [N, C, *] -> dx like x. The training forward runs again for the workspace oneDNN's backward needs.
Tensor OneDnnBackend::lrn_backward(const Tensor& dy, const Tensor& x, const LrnParams& p) {
  if (!supported(x, p)) return RefBackend::lrn_backward(dy, x, p);
  const Plain px = plain(x);
  const SerialScope serial(x.numel() * p.size < SerialScope::kSerialMacs);
  auto e = cache().get<Backward>(key_of("lrn_bwd", px, p), [&] {
    const memory::desc data(px.dims, dt::f32, px.layout);
    auto fwd = forward_pd(prop_kind::forward_training, data, p);
    dnnl::lrn_backward::desc d(algorithm::lrn_across_channels, data, data, p.size, static_cast<float>(p.alpha),
                               static_cast<float>(p.beta), static_cast<float>(p.k));
    dnnl::lrn_backward::primitive_desc pd(d, scratchpad_attr(), engine(), fwd);
    return Backward{fwd, dnnl::lrn_forward(fwd), pd, dnnl::lrn_backward(pd)};
  });
  const bool has_workspace = e->forward_pd.workspace_desc().get_size() > 0;
  const memory workspace = has_workspace ? scratch(e->forward_pd.workspace_desc()) : memory();
  Bindings forward;
  forward.add(DNNL_ARG_SRC, e->forward_pd.src_desc(), px.data).add(DNNL_ARG_DST, scratch(e->forward_pd.dst_desc()));
  if (has_workspace) forward.add(DNNL_ARG_WORKSPACE, workspace);
  forward.run(e->forward);
  Tensor dx = empty_in_layout(x, px);
  Bindings backward;
  backward.add(DNNL_ARG_SRC, e->pd.src_desc(), px.data)
      .add(DNNL_ARG_DIFF_DST, e->pd.diff_dst_desc(), in_layout(dy, px))
      .add(DNNL_ARG_DIFF_SRC, e->pd.diff_src_desc(), dx);
  if (has_workspace) backward.add(DNNL_ARG_WORKSPACE, workspace);
  backward.run(e->prim);
  return dx;
}

}  // namespace cnn

// oneDNN pooling: max and average forward, average backward; max backward scatters through the indices.
// Adaptive pooling whose windows tile the input evenly (global pooling) runs as plain pooling. Keeps the input's
// memory format (NCHW or NHWC). Falls back to RefBackend where oneDNN's result would differ from PyTorch's:
// include-pad averages whose last window overhangs the padding (ceil_mode), dilated averages, uneven adaptive windows.
#include <cstring>

#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {

struct Window {
  memory::dims src, dst, kernel, strides, dilates, pad_l, pad_r;
  algorithm alg;
  std::string key;
};

// Right padding that makes oneDNN's output size equal the op's (floor division in oneDNN's formula).
bool right_pad(int64_t in, int64_t out, int64_t k, int64_t s, int64_t pad, int64_t dil, int64_t* pr) {
  const int64_t base = (out - 1) * s + (k - 1) * dil + 1 - in - pad;
  *pr = std::max<int64_t>(base, 0);
  return *pr <= base + s - 1;
}

// Whether oneDNN computes exactly PyTorch's result for this pooling; fills the window when so.
bool expressible(const Shape& x, const PoolParams& p, Window* w) {
  int64_t pb = 0, pr = 0;
  if (!right_pad(x[2], p.out_h, p.kernel_h, p.stride_h, p.pad_h, p.dilation_h, &pb) ||
      !right_pad(x[3], p.out_w, p.kernel_w, p.stride_w, p.pad_w, p.dilation_w, &pr))
    return false;
  if (p.kind != PoolKind::max && (p.dilation_h != 1 || p.dilation_w != 1)) return false;
  // PyTorch divides by the window clipped to the padded input, oneDNN by the whole kernel.
  if (p.kind == PoolKind::avg_include_pad && (pb > p.pad_h || pr > p.pad_w)) return false;
  w->src = {x[0], x[1], x[2], x[3]};
  w->dst = {x[0], x[1], p.out_h, p.out_w};
  w->kernel = {p.kernel_h, p.kernel_w};
  w->strides = {p.stride_h, p.stride_w};
  w->dilates = {p.dilation_h - 1, p.dilation_w - 1};
  w->pad_l = {p.pad_h, p.pad_w};
  w->pad_r = {pb, pr};
  w->alg = p.kind == PoolKind::max               ? algorithm::pooling_max
           : p.kind == PoolKind::avg_include_pad ? algorithm::pooling_avg_include_padding
                                                 : algorithm::pooling_avg_exclude_padding;
  w->key = fmt::format("{}|{}|k{}|s{}|d{}|p{}|{}|a{}", w->src, w->dst, w->kernel, w->strides, w->dilates, w->pad_l,
                       w->pad_r, static_cast<int>(w->alg));
  return true;
}

dnnl::pooling_v2_forward::primitive_desc forward_pd(const Window& w, tag layout) {
  dnnl::pooling_v2_forward::desc d(prop_kind::forward_training, w.alg, memory::desc(w.src, dt::f32, layout),
                                   memory::desc(w.dst, dt::f32, layout), w.strides, w.kernel, w.dilates, w.pad_l,
                                   w.pad_r);
  return {d, scratchpad_attr(), engine()};
}

struct Forward {
  dnnl::pooling_v2_forward::primitive_desc pd;
  dnnl::pooling_v2_forward prim;
};
struct Backward {
  dnnl::pooling_v2_backward::primitive_desc pd;
  dnnl::pooling_v2_backward prim;
};

// Turns oneDNN's workspace (offset kh*KW + kw inside each window, laid out like y) into PyTorch's flat
// indices ih*W + iw; `idx` has y's strides.
template <class Offset>
void workspace_to_indices(const Offset* ws, const Tensor& idx, const Shape& x, const PoolParams& p) {
  const int64_t N = idx.size(0), C = idx.size(1), P = idx.size(2), Q = idx.size(3), W = x[3];
  const int64_t sn = idx.stride(0), sc = idx.stride(1), sp = idx.stride(2), sq = idx.stride(3);
  int64_t* out = idx.data<int64_t>();
#pragma omp parallel for collapse(2) if (N * C * P * Q >= SerialScope::kSerialElements)
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < P; ++oh)
      for (int64_t ow = 0; ow < Q; ++ow)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t off = n * sn + c * sc + oh * sp + ow * sq;
          const int64_t k = static_cast<int64_t>(ws[off]);
          const int64_t ih = oh * p.stride_h - p.pad_h + (k / p.kernel_w) * p.dilation_h;
          const int64_t iw = ow * p.stride_w - p.pad_w + (k % p.kernel_w) * p.dilation_w;
          out[off] = ih * W + iw;
        }
}

// Adaptive windows [floor(i*H/out), ceil((i+1)*H/out)) are plain windows of kernel = stride = H/out when out
// divides H (and W); fills `p` when so.
bool even_tiles(const Shape& x, int64_t out_h, int64_t out_w, bool is_max, PoolParams* p) {
  if (x.dim() != 4 || out_h <= 0 || out_w <= 0 || x[2] % out_h != 0 || x[3] % out_w != 0) return false;
  p->kind = is_max ? PoolKind::max : PoolKind::avg_exclude_pad;
  p->kernel_h = p->stride_h = x[2] / out_h;
  p->kernel_w = p->stride_w = x[3] / out_w;
  p->out_h = out_h;
  p->out_w = out_w;
  return true;
}

}  // namespace

// x [N, C, H, W] -> {y [N, C, out_h, out_w], indices i64 (max only)}, both in x's memory format.
std::pair<Tensor, Tensor> OneDnnBackend::pool2d_forward(const Tensor& x, const PoolParams& p) {
  Window w;
  if (x.dim() != 4 || x.numel() == 0 || !expressible(x.shape(), p, &w)) return RefBackend::pool2d_forward(x, p);
  tag layout;
  const Tensor xs = as_plain_4d(x, true, &layout);
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  std::shared_ptr<const Forward> e;
  try {
    e = cache().get<Forward>(fmt::format("pool_fwd|{}|{}", w.key, static_cast<int>(layout)), [&] {
      auto pd = forward_pd(w, layout);
      return Forward{pd, dnnl::pooling_v2_forward(pd)};
    });
  } catch (const dnnl::error&) {  // a geometry oneDNN rejects (e.g. padding wider than the kernel)
    return RefBackend::pool2d_forward(x, p);
  }
  Tensor y = empty_as(Shape(w.dst), layout);
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), xs).add(DNNL_ARG_DST, e->pd.dst_desc(), y);
  if (p.kind != PoolKind::max) {
    args.run(e->prim);
    return {y, Tensor()};
  }
  const memory ws = scratch(e->pd.workspace_desc());
  args.add(DNNL_ARG_WORKSPACE, ws).run(e->prim);
  Tensor indices = empty_strided_like(y, DType::i64);
  if (e->pd.workspace_desc().data_type() == dt::u8)
    workspace_to_indices(static_cast<const uint8_t*>(ws.get_data_handle()), indices, x.shape(), p);
  else
    workspace_to_indices(static_cast<const int32_t*>(ws.get_data_handle()), indices, x.shape(), p);
  return {y, indices};
}

// dy [N, C, out_h, out_w], indices (max) -> dx of x_shape: max scatters dy into the indices (in their memory
// format), average runs oneDNN's backward in dy's memory format.
Tensor OneDnnBackend::pool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape,
                                      const PoolParams& p) {
  Window w;
  if (dy.dim() != 4 || dy.numel() == 0 || x_shape.numel() == 0 || !expressible(x_shape, p, &w))
    return RefBackend::pool2d_backward(dy, indices, x_shape, p);
  if (p.kind == PoolKind::max) {
    tag layout;
    const Tensor idx = as_plain_4d(indices, true, &layout);
    const Tensor g = in_format(dy, layout == tag::nhwc ? MemoryFormat::channels_last : MemoryFormat::contiguous);
    Tensor dx = empty_as(x_shape, layout);
    const int64_t N = x_shape[0], C = x_shape[1], HW = x_shape[2] * x_shape[3], PQ = p.out_h * p.out_w;
    const bool nhwc = layout == tag::nhwc;
    const int64_t* ip = idx.data<int64_t>();
    const float* gp = g.data<float>();
    float* dp = dx.data<float>();
#pragma omp parallel for if (N * C * HW >= SerialScope::kSerialElements)
    for (int64_t n = 0; n < N; ++n) {
      float* d = dp + n * C * HW;
      std::memset(d, 0, static_cast<size_t>(C * HW) * sizeof(float));
      const int64_t* in = ip + n * C * PQ;
      const float* gn = gp + n * C * PQ;
      if (nhwc) {
        for (int64_t o = 0; o < PQ; ++o)
          for (int64_t c = 0; c < C; ++c) d[in[o * C + c] * C + c] += gn[o * C + c];
      } else {
        for (int64_t c = 0; c < C; ++c)
          for (int64_t o = 0; o < PQ; ++o) d[c * HW + in[c * PQ + o]] += gn[c * PQ + o];
      }
    }
    return dx;
  }
  tag layout;
  const Tensor g = as_plain_4d(dy, true, &layout);
  const SerialScope serial(x_shape.numel() < SerialScope::kSerialElements);
  std::shared_ptr<const Backward> e;
  try {
    e = cache().get<Backward>(fmt::format("pool_bwd|{}|{}", w.key, static_cast<int>(layout)), [&] {
      const memory::desc src(w.src, dt::f32, layout), dst(w.dst, dt::f32, layout);
      dnnl::pooling_v2_backward::desc d(w.alg, src, dst, w.strides, w.kernel, w.dilates, w.pad_l, w.pad_r);
      dnnl::pooling_v2_backward::primitive_desc pd(d, scratchpad_attr(), engine(), forward_pd(w, layout));
      return Backward{pd, dnnl::pooling_v2_backward(pd)};
    });
  } catch (const dnnl::error&) {
    return RefBackend::pool2d_backward(dy, indices, x_shape, p);
  }
  Tensor dx = empty_as(x_shape, layout);
  Bindings()
      .add(DNNL_ARG_DIFF_DST, e->pd.diff_dst_desc(), g)
      .add(DNNL_ARG_DIFF_SRC, e->pd.diff_src_desc(), dx)
      .run(e->prim);
  return dx;
}

// x [N, C, H, W] -> {y [N, C, out_h, out_w], indices (max)}, as pool2d_forward when the windows tile evenly.
std::pair<Tensor, Tensor> OneDnnBackend::adaptive_pool2d_forward(const Tensor& x, bool is_max, int64_t out_h,
                                                                 int64_t out_w) {
  PoolParams p;
  if (!even_tiles(x.shape(), out_h, out_w, is_max, &p))
    return RefBackend::adaptive_pool2d_forward(x, is_max, out_h, out_w);
  return pool2d_forward(x, p);
}

// dy [N, C, out_h, out_w], indices (max) -> dx of x_shape.
Tensor OneDnnBackend::adaptive_pool2d_backward(const Tensor& dy, const Tensor& indices, bool is_max,
                                               const Shape& x_shape) {
  PoolParams p;
  if (dy.dim() != 4 || !even_tiles(x_shape, dy.size(2), dy.size(3), is_max, &p))
    return RefBackend::adaptive_pool2d_backward(dy, indices, is_max, x_shape);
  return pool2d_backward(dy, indices, x_shape, p);
}

}  // namespace cnn

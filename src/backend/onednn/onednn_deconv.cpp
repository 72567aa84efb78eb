// oneDNN transposed convolution (deconvolution): forward (+bias), backward data, backward weights (+bias).
// Activations and their gradients are channels-last (NHWC), as for convolution. PyTorch's weights
// [C_in, C_out/groups, kH, kW] are oneDNN's (G, OC/G, IC/G, KH, KW) laid out as giohw (iohw without groups).
// Under autocast the operands arrive as bf16 (see onednn_conv.cpp); results and bias stay f32.
#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {

struct Geometry {
  memory::dims src, weights, dst, strides, dilates, pad_l, pad_r;
  bool grouped;
  bool small;      // few enough multiply-adds to run on one thread
  bool supported;  // oneDNN needs pad_r > -stride, which output_padding >= stride (allowed by dilation) can break
  dt operand;      // of src, weights and diff_dst: f32, or bf16 under autocast
  std::string key;
};

dt data_type(DType t) { return t == DType::bf16 ? dt::bf16 : dt::f32; }

// x [N, C_in, H, W], w [C_in, C_out/groups, R, S]; p as Backend::deconv2d_forward documents it.
Geometry geometry(const Shape& x, const Shape& w, const ConvParams& p, DType operand) {
  Geometry g;
  g.operand = data_type(operand);
  const int64_t N = x[0], IC = x[1], H = x[2], W = x[3], OC = w[1] * p.groups, R = w[2], S = w[3];
  const int64_t OH = (H - 1) * p.stride_h - p.pad_top - p.pad_bottom + p.dilation_h * (R - 1) + 1;
  const int64_t OW = (W - 1) * p.stride_w - p.pad_left - p.pad_right + p.dilation_w * (S - 1) + 1;
  g.src = {N, IC, H, W};
  g.dst = {N, OC, OH, OW};
  g.grouped = p.groups > 1;
  g.small = N * IC * H * W * w[1] * R * S < SerialScope::kSerialMacs;
  g.weights = g.grouped ? memory::dims{p.groups, OC / p.groups, IC / p.groups, R, S} : memory::dims{OC, IC, R, S};
  g.strides = {p.stride_h, p.stride_w};
  g.dilates = {p.dilation_h - 1, p.dilation_w - 1};
  g.pad_l = {p.pad_top, p.pad_left};
  g.pad_r = {p.pad_bottom, p.pad_right};
  g.supported = p.pad_bottom + p.stride_h > 0 && p.pad_right + p.stride_w > 0;
  g.key = fmt::format("{}|{}|s{}x{}|p{},{},{},{}|d{}x{}|g{}|{}", g.src, g.weights, p.stride_h, p.stride_w, p.pad_top,
                      p.pad_left, p.pad_bottom, p.pad_right, p.dilation_h, p.dilation_w, p.groups,
                      dtype_name(operand));
  return g;
}

memory::desc act(const memory::dims& d, dt type = dt::f32) { return memory::desc(d, type, tag::nhwc); }
memory::desc any(const memory::dims& d, dt type = dt::f32) { return memory::desc(d, type, tag::any); }
// The user's weights in `type` (the operand type, or f32 for weight gradients).
memory::desc user_weights(const Geometry& g, dt type) {
  return memory::desc(g.weights, type, g.grouped ? tag::giohw : tag::iohw);
}

struct Forward {
  dnnl::deconvolution_forward::primitive_desc pd;
  dnnl::deconvolution_forward prim;
  Reorder weights;
};

std::shared_ptr<const Forward> forward_entry(const Geometry& g, bool with_bias) {
  return cache().get<Forward>(fmt::format("deconv_fwd|{}|b{}", g.key, with_bias), [&] {
    const memory::desc bias = with_bias ? memory::desc({g.dst[1]}, dt::f32, tag::x) : memory::desc();
    dnnl::deconvolution_forward::desc d(prop_kind::forward_training, algorithm::deconvolution_direct,
                                        act(g.src, g.operand), any(g.weights, g.operand), bias, act(g.dst), g.strides,
                                        g.dilates, g.pad_l, g.pad_r);
    dnnl::deconvolution_forward::primitive_desc pd(d, scratchpad_attr(), engine());
    return Forward{pd, dnnl::deconvolution_forward(pd), Reorder(user_weights(g, g.operand), pd.weights_desc())};
  });
}

struct BackwardData {
  dnnl::deconvolution_backward_data::primitive_desc pd;
  dnnl::deconvolution_backward_data prim;
  Reorder weights;
};

struct BackwardWeights {
  dnnl::deconvolution_backward_weights::primitive_desc pd;
  dnnl::deconvolution_backward_weights prim;
  Reorder weights;  // from oneDNN's diff-weights layout to PyTorch's
};

}  // namespace

// x [N, C_in, H, W], w [C_in, C_out/groups, R, S], b [C_out] or undefined -> y [N, C_out, OH, OW] channels-last.
Tensor OneDnnBackend::deconv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const Geometry g = geometry(x.shape(), w.shape(), p, x.dtype());
  if (!g.supported) return RefBackend::deconv2d_forward(x, w, b, p);
  const SerialScope serial(g.small);
  auto e = forward_entry(g, b.defined());
  const Tensor ws = raw::contiguous(w);
  Tensor y = empty_as(Shape(g.dst), tag::nhwc);
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), in_format(x, MemoryFormat::channels_last))
      .add(DNNL_ARG_WEIGHTS, e->weights.apply(wrap(user_weights(g, g.operand), ws)))
      .add(DNNL_ARG_DST, e->pd.dst_desc(), y);
  if (b.defined()) args.add(DNNL_ARG_BIAS, e->pd.bias_desc(), raw::contiguous(b));
  args.run(e->prim);
  return y;
}

// dy [N, C_out, OH, OW], w [C_in, C_out/groups, R, S] -> dx of x_shape [N, C_in, H, W] channels-last.
Tensor OneDnnBackend::deconv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                                             const ConvParams& p) {
  const Geometry g = geometry(x_shape, w.shape(), p, dy.dtype());
  if (!g.supported) return RefBackend::deconv2d_backward_data(dy, w, x_shape, p);
  const SerialScope serial(g.small);
  auto e = cache().get<BackwardData>("deconv_bwd_data|" + g.key, [&] {
    dnnl::deconvolution_backward_data::desc d(algorithm::deconvolution_direct, act(g.src),
                                              any(g.weights, g.operand), act(g.dst, g.operand), g.strides, g.dilates,
                                              g.pad_l, g.pad_r);
    dnnl::deconvolution_backward_data::primitive_desc pd(d, scratchpad_attr(), engine(), forward_entry(g, false)->pd);
    return BackwardData{pd, dnnl::deconvolution_backward_data(pd),
                        Reorder(user_weights(g, g.operand), pd.weights_desc())};
  });
  const Tensor ws = raw::contiguous(w);
  Tensor dx = empty_as(x_shape, tag::nhwc);
  Bindings()
      .add(DNNL_ARG_DIFF_DST, e->pd.diff_dst_desc(), in_format(dy, MemoryFormat::channels_last))
      .add(DNNL_ARG_WEIGHTS, e->weights.apply(wrap(user_weights(g, g.operand), ws)))
      .add(DNNL_ARG_DIFF_SRC, e->pd.diff_src_desc(), dx)
      .run(e->prim);
  return dx;
}

// dy [N, C_out, OH, OW], x [N, C_in, H, W] -> {dw [C_in, C_out/groups, R, S], db [C_out] when with_bias}.
std::pair<Tensor, Tensor> OneDnnBackend::deconv2d_backward_weights(const Tensor& dy, const Tensor& x,
                                                                   const Shape& w_shape, bool with_bias,
                                                                   const ConvParams& p) {
  const Geometry g = geometry(x.shape(), w_shape, p, x.dtype());
  if (!g.supported) return RefBackend::deconv2d_backward_weights(dy, x, w_shape, with_bias, p);
  const SerialScope serial(g.small);
  auto e = cache().get<BackwardWeights>(fmt::format("deconv_bwd_weights|{}|b{}", g.key, with_bias), [&] {
    const memory::desc bias = with_bias ? memory::desc({g.dst[1]}, dt::f32, tag::x) : memory::desc();
    dnnl::deconvolution_backward_weights::desc d(algorithm::deconvolution_direct, act(g.src, g.operand),
                                                 any(g.weights), bias, act(g.dst, g.operand), g.strides, g.dilates,
                                                 g.pad_l, g.pad_r);
    dnnl::deconvolution_backward_weights::primitive_desc pd(d, scratchpad_attr(), engine(), forward_entry(g, with_bias)->pd);
    return BackwardWeights{pd, dnnl::deconvolution_backward_weights(pd),
                           Reorder(pd.diff_weights_desc(), user_weights(g, dt::f32))};
  });
  Tensor dw = Tensor::empty(w_shape);
  const memory dw_user = wrap(user_weights(g, dt::f32), dw);
  const memory dw_mem = e->weights.prim ? scratch(e->pd.diff_weights_desc()) : dw_user;
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), in_format(x, MemoryFormat::channels_last))
      .add(DNNL_ARG_DIFF_DST, e->pd.diff_dst_desc(), in_format(dy, MemoryFormat::channels_last))
      .add(DNNL_ARG_DIFF_WEIGHTS, dw_mem);
  Tensor db;
  if (with_bias) {
    db = Tensor::empty(Shape{g.dst[1]});
    args.add(DNNL_ARG_DIFF_BIAS, e->pd.diff_bias_desc(), db);
  }
  args.run(e->prim);
  if (e->weights.prim) e->weights.apply(dw_mem, dw_user);
  return {dw, db};
}

}  // namespace cnn

// oneDNN convolution: forward (+bias), backward data, backward weights (+bias). Activations and their
// gradients are channels-last (NHWC); weights stay OIHW for the user and are reordered into the layout
// oneDNN picks (`any`) on every call, which costs little next to the convolution (see bench/README.md).
// Under autocast the operands (x and w, dy and w, x and dy) arrive as bf16 and run on the CPU's bf16 kernels
// (AMX or avx512_bf16); results and bias stay f32.
#include <cnn/window_size.h>

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
  dt operand;  // of src, weights and diff_dst: f32, or bf16 under autocast
  bool grouped;
  bool small;  // few enough multiply-adds to run on one thread
  std::string key;
};

dt data_type(DType t) { return t == DType::bf16 ? dt::bf16 : dt::f32; }

Geometry geometry(const Shape& x, const Shape& w, const ConvParams& p, DType operand) {
  Geometry g;
  g.operand = data_type(operand);
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], K = w[0], R = w[2], S = w[3];
  const int64_t P = window_output_size(H, R, p.stride_h, p.pad_top, p.pad_bottom, p.dilation_h);
  const int64_t Q = window_output_size(W, S, p.stride_w, p.pad_left, p.pad_right, p.dilation_w);
  g.src = {N, C, H, W};
  g.dst = {N, K, P, Q};
  g.grouped = p.groups > 1;
  g.small = N * K * P * Q * w[1] * R * S < SerialScope::kSerialMacs;
  g.weights = g.grouped ? memory::dims{p.groups, K / p.groups, w[1], R, S} : memory::dims{K, w[1], R, S};
  g.strides = {p.stride_h, p.stride_w};
  g.dilates = {p.dilation_h - 1, p.dilation_w - 1};
  g.pad_l = {p.pad_top, p.pad_left};
  g.pad_r = {p.pad_bottom, p.pad_right};
  g.key = fmt::format("{}|{}|s{}x{}|p{},{},{},{}|d{}x{}|g{}|{}", g.src, g.weights, p.stride_h, p.stride_w, p.pad_top,
                      p.pad_left, p.pad_bottom, p.pad_right, p.dilation_h, p.dilation_w, p.groups,
                      dtype_name(operand));
  return g;
}

memory::desc act(const memory::dims& d, dt type = dt::f32) { return memory::desc(d, type, tag::nhwc); }
memory::desc any(const memory::dims& d, dt type = dt::f32) { return memory::desc(d, type, tag::any); }
// The user's OIHW weights in `type` (the operand type, or f32 for weight gradients).
memory::desc user_weights(const Geometry& g, dt type) {
  return memory::desc(g.weights, type, g.grouped ? tag::goihw : tag::oihw);
}

struct Forward {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  Reorder weights;
};

std::shared_ptr<const Forward> forward_entry(const Geometry& g, bool with_bias) {
  return cache().get<Forward>(fmt::format("conv_fwd|{}|b{}", g.key, with_bias), [&] {
    const memory::desc bias = with_bias ? memory::desc({g.dst[1]}, dt::f32, tag::x) : memory::desc();
    dnnl::convolution_forward::desc d(prop_kind::forward_training, algorithm::convolution_direct,
                                      act(g.src, g.operand), any(g.weights, g.operand), bias, act(g.dst), g.strides,
                                      g.dilates, g.pad_l, g.pad_r);
    dnnl::convolution_forward::primitive_desc pd(d, scratchpad_attr(), engine());
    return Forward{pd, dnnl::convolution_forward(pd), Reorder(user_weights(g, g.operand), pd.weights_desc())};
  });
}

// oneDNN 2.6's AMX backward kernels (jit:avx512_core_amx_bf16) slow down on small images: at 4x4 outputs (ResNet's
// last stage on CIFAR) backward data runs at 150 GFLOP/s against 200 in f32, and backward weights below 8x8 at
// 90-160 against 140-190 (2 threads, bench/README.md). There the bf16 operands are widened (exactly) and the f32
// kernels run: the same products, accumulated in f32 as before.
constexpr int64_t kBf16MinBackwardDataPixels = 17, kBf16MinBackwardWeightsPixels = 65;

Tensor widen_below(const Tensor& t, int64_t pixels, int64_t min_pixels) {
  return t.dtype() == DType::bf16 && pixels < min_pixels ? raw::cast(t, DType::f32) : t;
}

struct BackwardData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  Reorder weights;
};

struct BackwardWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  Reorder weights;  // from oneDNN's diff-weights layout to OIHW
};

}  // namespace

// x [N, C, H, W], w [K, C/groups, R, S], b [K] or undefined -> y [N, K, P, Q] channels-last.
Tensor OneDnnBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  if (x.numel() == 0 || w.numel() == 0) return RefBackend::conv2d_forward(x, w, b, p);
  const Geometry g = geometry(x.shape(), w.shape(), p, x.dtype());
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

// dy [N, K, P, Q], w [K, C/groups, R, S] -> dx of x_shape [N, C, H, W] channels-last.
Tensor OneDnnBackend::conv2d_backward_data(const Tensor& dy_in, const Tensor& w_in, const Shape& x_shape,
                                           const ConvParams& p) {
  if (dy_in.numel() == 0 || w_in.numel() == 0) return RefBackend::conv2d_backward_data(dy_in, w_in, x_shape, p);
  const int64_t pixels = dy_in.size(2) * dy_in.size(3);
  const Tensor dy = widen_below(dy_in, pixels, kBf16MinBackwardDataPixels);
  const Tensor w = widen_below(w_in, pixels, kBf16MinBackwardDataPixels);
  const Geometry g = geometry(x_shape, w.shape(), p, dy.dtype());
  const SerialScope serial(g.small);
  auto e = cache().get<BackwardData>("conv_bwd_data|" + g.key, [&] {
    dnnl::convolution_backward_data::desc d(algorithm::convolution_direct, act(g.src), any(g.weights, g.operand),
                                            act(g.dst, g.operand), g.strides, g.dilates, g.pad_l, g.pad_r);
    dnnl::convolution_backward_data::primitive_desc pd(d, scratchpad_attr(), engine(), forward_entry(g, false)->pd);
    return BackwardData{pd, dnnl::convolution_backward_data(pd),
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

// dy [N, K, P, Q], x [N, C, H, W] -> {dw [K, C/groups, R, S] (OIHW), db [K] when with_bias}.
std::pair<Tensor, Tensor> OneDnnBackend::conv2d_backward_weights(const Tensor& dy_in, const Tensor& x_in,
                                                                 const Shape& w_shape, bool with_bias,
                                                                 const ConvParams& p) {
  if (dy_in.numel() == 0 || x_in.numel() == 0)
    return RefBackend::conv2d_backward_weights(dy_in, x_in, w_shape, with_bias, p);
  const int64_t pixels = dy_in.size(2) * dy_in.size(3);
  const Tensor dy = widen_below(dy_in, pixels, kBf16MinBackwardWeightsPixels);
  const Tensor x = widen_below(x_in, pixels, kBf16MinBackwardWeightsPixels);
  const Geometry g = geometry(x.shape(), w_shape, p, x.dtype());
  const SerialScope serial(g.small);
  auto e = cache().get<BackwardWeights>(fmt::format("conv_bwd_weights|{}|b{}", g.key, with_bias), [&] {
    const memory::desc bias = with_bias ? memory::desc({g.dst[1]}, dt::f32, tag::x) : memory::desc();
    dnnl::convolution_backward_weights::desc d(algorithm::convolution_direct, act(g.src, g.operand), any(g.weights),
                                               bias, act(g.dst, g.operand), g.strides, g.dilates, g.pad_l, g.pad_r);
    dnnl::convolution_backward_weights::primitive_desc pd(d, scratchpad_attr(), engine(), forward_entry(g, with_bias)->pd);
    return BackwardWeights{pd, dnnl::convolution_backward_weights(pd),
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
    db = Tensor::empty(Shape{w_shape[0]});
    args.add(DNNL_ARG_DIFF_BIAS, e->pd.diff_bias_desc(), db);
  }
  args.run(e->prim);
  if (e->weights.prim) e->weights.apply(dw_mem, dw_user);
  return {dw, db};
}

}  // namespace cnn

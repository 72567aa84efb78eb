// oneDNN int8 inference: scaled reorders f32 -> s8 (quantisation) and s8 x s8 convolution and inner product with
// f32 output, per-output-channel scales fixed in the primitive and f32 bias. oneDNN picks VNNI or AMX-int8 kernels
// where the CPU has them. Weights arrive as plain s8 (OIHW / OI) and are reordered into oneDNN's layout per call.
#include <cnn/window_size.h>

#include <functional>
#include <string_view>

#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {

// Attributes with the user scratchpad and the output scales (one per output channel: mask 2, or one: mask 0).
// oneDNN 2.6's int8 convolutions take no run-time scales, so the scales are part of the primitive and its key.
dnnl::primitive_attr scaled_attr(int mask, const std::vector<float>& scales) {
  dnnl::primitive_attr attr = scratchpad_attr();
  attr.set_output_scales(mask, scales);
  return attr;
}

// oneDNN 2.x applies the output scales after the bias (dst = scale * (acc + bias)), so the bias it gets is
// b / scale, which makes its result scale * acc + b as the reference computes.
Tensor unscaled_bias(const Tensor& b, const std::vector<float>& scales) {
  const Tensor c = raw::contiguous(b);
  Tensor out = Tensor::empty(b.shape());
  for (int64_t k = 0; k < b.numel(); ++k) out.data<float>()[k] = c.data<float>()[k] / scales[static_cast<size_t>(k)];
  return out;
}

std::vector<float> values_of(const Tensor& t) {
  const Tensor c = raw::contiguous(t);
  return std::vector<float>(c.data<float>(), c.data<float>() + c.numel());
}

// A cache-key part naming the scale values exactly (their bit patterns hashed).
std::string scales_key(const std::vector<float>& v) {
  const std::string_view bytes(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
  return fmt::format("{}:{:x}", v.size(), std::hash<std::string_view>{}(bytes));
}

struct Quantize {
  dnnl::reorder::primitive_desc pd;
  dnnl::reorder prim;
};

struct ConvInt8 {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  Reorder weights;
};

struct LinearInt8 {
  dnnl::inner_product_forward::primitive_desc pd;
  dnnl::inner_product_forward prim;
  Reorder weights;
};

}  // namespace

Tensor OneDnnBackend::quantize_int8(const Tensor& x, float scale) {
  if (x.dim() != 4 && x.dim() != 2) return RefBackend::quantize_int8(x, scale);
  tag layout = tag::ab;
  const Tensor src = x.dim() == 4 ? as_plain_4d(x, true, &layout) : raw::contiguous(x);
  const memory::dims dims = dims_of(x.shape());
  const SerialScope serial(x.numel() < SerialScope::kSerialElements);
  const std::vector<float> inv{1.0f / scale};
  auto e = cache().get<Quantize>(fmt::format("quantize_s8|{}|{}|{}", dims, static_cast<int>(layout), scales_key(inv)), [&] {
    const memory::desc from(dims, dt::f32, layout), to(dims, dt::s8, layout);
    dnnl::reorder::primitive_desc pd(engine(), from, engine(), to, scaled_attr(0, inv));
    return Quantize{pd, dnnl::reorder(pd)};
  });
  Tensor q = Tensor::empty(x.shape(), DType::i8, layout == tag::nhwc ? MemoryFormat::channels_last
                                                                      : MemoryFormat::contiguous);
  Bindings args;
  args.add(DNNL_ARG_FROM, memory::desc(dims, dt::f32, layout), src)
      .add(DNNL_ARG_TO, memory::desc(dims, dt::s8, layout), q);
  args.run(e->prim);
  return q;
}

// xq s8 [N, C, H, W] -> y f32 [N, K, P, Q] channels-last.
Tensor OneDnnBackend::conv2d_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b,
                                          const ConvParams& p) {
  const Shape& x = xq.shape();
  const Shape& w = wq.shape();
  const int64_t N = x[0], C = x[1], H = x[2], W = x[3], K = w[0], R = w[2], S = w[3];
  const int64_t P = window_output_size(H, R, p.stride_h, p.pad_top, p.pad_bottom, p.dilation_h);
  const int64_t Q = window_output_size(W, S, p.stride_w, p.pad_left, p.pad_right, p.dilation_w);
  const bool grouped = p.groups > 1;
  const memory::dims src{N, C, H, W}, dst{N, K, P, Q};
  const memory::dims wdims = grouped ? memory::dims{p.groups, K / p.groups, w[1], R, S} : memory::dims{K, w[1], R, S};
  const memory::desc user_w(wdims, dt::s8, grouped ? tag::goihw : tag::oihw);
  const std::vector<float> sc = values_of(scales);
  const std::string key = fmt::format("conv_s8|{}|{}|s{}x{}|p{},{},{},{}|d{}x{}|g{}|b{}|{}", src, wdims, p.stride_h,
                                      p.stride_w, p.pad_top, p.pad_left, p.pad_bottom, p.pad_right, p.dilation_h,
                                      p.dilation_w, p.groups, b.defined(), scales_key(sc));
  const SerialScope serial(N * K * P * Q * w[1] * R * S < SerialScope::kSerialMacs);
  auto e = cache().get<ConvInt8>(key, [&] {
    const memory::desc bias = b.defined() ? memory::desc({K}, dt::f32, tag::x) : memory::desc();
    dnnl::convolution_forward::desc d(prop_kind::forward_inference, algorithm::convolution_direct,
                                      memory::desc(src, dt::s8, tag::nhwc), memory::desc(wdims, dt::s8, tag::any),
                                      bias, memory::desc(dst, dt::f32, tag::nhwc), {p.stride_h, p.stride_w},
                                      {p.dilation_h - 1, p.dilation_w - 1}, {p.pad_top, p.pad_left},
                                      {p.pad_bottom, p.pad_right});
    dnnl::convolution_forward::primitive_desc pd(d, scaled_attr(1 << 1, sc), engine());
    return ConvInt8{pd, dnnl::convolution_forward(pd), Reorder(user_w, pd.weights_desc())};
  });
  Tensor y = empty_as(Shape(dst), tag::nhwc);
  const Tensor ws = raw::contiguous(wq);  // alive until the weights are reordered (or used as they are)
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), in_format(xq, MemoryFormat::channels_last))
      .add(DNNL_ARG_WEIGHTS, e->weights.apply(wrap(user_w, ws)))
      .add(DNNL_ARG_DST, e->pd.dst_desc(), y);
  if (b.defined()) args.add(DNNL_ARG_BIAS, e->pd.bias_desc(), unscaled_bias(b, sc));
  args.run(e->prim);
  return y;
}

Tensor OneDnnBackend::linear_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b) {
  const int64_t N = xq.size(0), I = xq.size(1), O = wq.size(0);
  const memory::desc user_w({O, I}, dt::s8, tag::ab);
  const SerialScope serial(N * O * I < SerialScope::kSerialMacs);
  const std::vector<float> sc = values_of(scales);
  auto e = cache().get<LinearInt8>(fmt::format("ip_s8|{}|{}|{}|b{}|{}", N, I, O, b.defined(), scales_key(sc)), [&] {
    const memory::desc bias = b.defined() ? memory::desc({O}, dt::f32, tag::x) : memory::desc();
    dnnl::inner_product_forward::desc d(prop_kind::forward_inference, memory::desc({N, I}, dt::s8, tag::ab),
                                        memory::desc({O, I}, dt::s8, tag::any), bias,
                                        memory::desc({N, O}, dt::f32, tag::ab));
    dnnl::inner_product_forward::primitive_desc pd(d, scaled_attr(1 << 1, sc), engine());
    return LinearInt8{pd, dnnl::inner_product_forward(pd), Reorder(user_w, pd.weights_desc())};
  });
  Tensor y = Tensor::empty({N, O});
  const Tensor ws = raw::contiguous(wq);
  Bindings args;
  args.add(DNNL_ARG_SRC, e->pd.src_desc(), raw::contiguous(xq))
      .add(DNNL_ARG_WEIGHTS, e->weights.apply(wrap(user_w, ws)))
      .add(DNNL_ARG_DST, e->pd.dst_desc(), y);
  if (b.defined()) args.add(DNNL_ARG_BIAS, e->pd.bias_desc(), unscaled_bias(b, sc));
  args.run(e->prim);
  return y;
}

}  // namespace cnn

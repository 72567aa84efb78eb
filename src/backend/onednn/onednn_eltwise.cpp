// oneDNN elementwise forward/backward on the flat buffer of dense tensors (any memory format; outputs keep
// the input's strides), and a threaded fast path for same-shape, same-layout binary ops.
// Broadcasting binary ops and the cases oneDNN defines differently from PyTorch fall back to RefBackend.
#include <cmath>

#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {

// oneDNN's algorithm and (alpha, beta) for a kind; `use_dst` picks the variant whose backward reads y.
struct Algo {
  algorithm alg;
  float alpha, beta;
};

bool to_algo(const EltwiseParams& p, bool use_dst, Algo* a) {
  switch (p.kind) {
    case EltwiseKind::relu: *a = {algorithm::eltwise_relu, p.alpha, 0.f}; return true;
    case EltwiseKind::clip: *a = {algorithm::eltwise_clip_v2, p.alpha, p.beta}; return true;
    case EltwiseKind::sigmoid:
      *a = {use_dst ? algorithm::eltwise_logistic_use_dst_for_bwd : algorithm::eltwise_logistic, 0.f, 0.f};
      return true;
    case EltwiseKind::tanh:
      *a = {use_dst ? algorithm::eltwise_tanh_use_dst_for_bwd : algorithm::eltwise_tanh, 0.f, 0.f};
      return true;
    case EltwiseKind::exp:
      *a = {use_dst ? algorithm::eltwise_exp_use_dst_for_bwd : algorithm::eltwise_exp, 0.f, 0.f};
      return true;
    case EltwiseKind::log: *a = {algorithm::eltwise_log, 0.f, 0.f}; return true;
    case EltwiseKind::sqrt:
      *a = {use_dst ? algorithm::eltwise_sqrt_use_dst_for_bwd : algorithm::eltwise_sqrt, 0.f, 0.f};
      return true;
    // oneDNN's pow is alpha * x^beta; x^0 would give 0 * x^-1 = NaN gradients at 0, so leave it to the reference.
    case EltwiseKind::pow: *a = {algorithm::eltwise_pow, 1.f, p.alpha}; return p.alpha != 0.f;
    case EltwiseKind::linear: *a = {algorithm::eltwise_linear, p.alpha, p.beta}; return true;
    case EltwiseKind::abs: *a = {algorithm::eltwise_abs, 0.f, 0.f}; return true;
    case EltwiseKind::gelu_erf: *a = {algorithm::eltwise_gelu_erf, 0.f, 0.f}; return true;
    case EltwiseKind::gelu_tanh: *a = {algorithm::eltwise_gelu_tanh, 0.f, 0.f}; return true;
    case EltwiseKind::swish: *a = {algorithm::eltwise_swish, p.alpha, 0.f}; return true;
    case EltwiseKind::hardswish: *a = {algorithm::eltwise_hardswish, 0.f, 0.f}; return true;
    case EltwiseKind::hardsigmoid: return false;  // oneDNN 2.6 has none (2.7 adds eltwise_hardsigmoid)
    // From x in both directions: PyTorch's elu backward reads the input (the _use_dst variant wants alpha >= 0).
    case EltwiseKind::elu: *a = {algorithm::eltwise_elu, p.alpha, 0.f}; return true;
    case EltwiseKind::selu: return false;  // no single algorithm: the backend chains elu and linear (see below)
    case EltwiseKind::mish: *a = {algorithm::eltwise_mish, 0.f, 0.f}; return true;
  }
  return false;
}

bool uses_dst(algorithm alg) {
  return alg == algorithm::eltwise_logistic_use_dst_for_bwd || alg == algorithm::eltwise_tanh_use_dst_for_bwd ||
         alg == algorithm::eltwise_exp_use_dst_for_bwd || alg == algorithm::eltwise_sqrt_use_dst_for_bwd;
}

memory::desc flat(int64_t n) { return memory::desc({n}, dt::f32, tag::a); }

dnnl::eltwise_forward::primitive_desc forward_pd(const Algo& a, int64_t n) {
  return {dnnl::eltwise_forward::desc(prop_kind::forward_training, a.alg, flat(n), a.alpha, a.beta), scratchpad_attr(), engine()};
}

struct Forward {
  dnnl::eltwise_forward prim;
};
struct Backward {
  dnnl::eltwise_backward prim;
};

std::string key_of(const char* name, const Algo& a, int64_t n) {
  return fmt::format("{}|{}|{}|{}|{}", name, static_cast<int>(a.alg), a.alpha, a.beta, n);
}

// Same strides in every dimension that has more than one element.
bool same_layout(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape()) return false;
  for (int64_t d = 0; d < a.dim(); ++d)
    if (a.size(d) != 1 && a.stride(d) != b.stride(d)) return false;
  return true;
}

// `t` laid out exactly as the dense tensor `like`.
Tensor in_layout_of(const Tensor& t, const Tensor& like) {
  if (same_layout(t, like)) return t;
  Tensor out = empty_strided_like(like);
  out.copy_(t);
  return out;
}

Tensor dense(const Tensor& t) { return t.is_non_overlapping_and_dense() ? t : raw::contiguous(t); }

template <class Op>
void zip(const float* a, const float* b, float* out, int64_t n, Op op) {
#pragma omp parallel for simd if (n >= SerialScope::kSerialElements)
  for (int64_t i = 0; i < n; ++i) out[i] = op(a[i], b[i]);
}

// y = f(x) over the flat buffer of the dense `xs`, into `out` (xs itself runs in place) or a fresh tensor with
// xs's strides.
Tensor run_forward(const Algo& a, const Tensor& xs, Tensor out = {}) {
  const int64_t n = xs.numel();
  auto e = cache().get<Forward>(key_of("eltwise_fwd", a, n), [&] { return Forward{{forward_pd(a, n)}}; });
  if (!out.defined()) out = empty_strided_like(xs);
  Bindings().add(DNNL_ARG_SRC, flat(n), xs).add(DNNL_ARG_DST, flat(n), out).run(e->prim);
  return out;
}

// dx = g * f'(ref) over flat buffers laid out alike; ref is x, or y for a _use_dst algorithm.
Tensor run_backward(const Algo& a, const Tensor& ref, const Tensor& g) {
  const int64_t n = ref.numel();
  auto e = cache().get<Backward>(key_of("eltwise_bwd", a, n), [&] {
    dnnl::eltwise_backward::desc d(a.alg, flat(n), flat(n), a.alpha, a.beta);
    return Backward{{dnnl::eltwise_backward::primitive_desc(d, scratchpad_attr(), engine(), forward_pd(a, n))}};
  });
  Tensor dx = empty_strided_like(ref);
  Bindings()
      .add(uses_dst(a.alg) ? DNNL_ARG_DST : DNNL_ARG_SRC, flat(n), ref)
      .add(DNNL_ARG_DIFF_DST, flat(n), g)
      .add(DNNL_ARG_DIFF_SRC, flat(n), dx)
      .run(e->prim);
  return dx;
}

// SELU as oneDNN's elu (alpha) and linear (scale beta): y = beta elu(x); dx = elu'(x) (beta dy).
Algo selu_elu(const EltwiseParams& p) { return {algorithm::eltwise_elu, p.alpha, 0.f}; }
Algo selu_scale(const EltwiseParams& p) { return {algorithm::eltwise_linear, p.beta, 0.f}; }

}  // namespace

Tensor OneDnnBackend::eltwise_forward(const Tensor& x, const EltwiseParams& p) {
  Algo a;
  const bool selu = p.kind == EltwiseKind::selu;
  if (x.dtype() != DType::f32 || x.numel() == 0 || (!selu && !to_algo(p, true, &a)))
    return RefBackend::eltwise_forward(x, p);
  const Tensor xs = dense(x);
  const SerialScope serial(xs.numel() < SerialScope::kSerialElements);
  if (!selu) return run_forward(a, xs);
  const Tensor e = run_forward(selu_elu(p), xs);
  return run_forward(selu_scale(p), e, e);
}

// dx = dy * f'(x), from x or from y = f(x), whichever oneDNN's algorithm reads; dx takes that tensor's strides.
Tensor OneDnnBackend::eltwise_backward(const Tensor& dy, const Tensor& x, const Tensor& y, const EltwiseParams& p) {
  Algo a;
  const bool selu = p.kind == EltwiseKind::selu;
  // oneDNN's hardswish slope at -3 is 0, PyTorch's -1/2: the reference keeps PyTorch's.
  if (dy.dtype() != DType::f32 || dy.numel() == 0 || p.kind == EltwiseKind::hardswish ||
      (selu ? !x.defined() : !to_algo(p, y.defined(), &a) || (!uses_dst(a.alg) && !x.defined())))
    return RefBackend::eltwise_backward(dy, x, y, p);
  const Tensor ref = dense(selu || !uses_dst(a.alg) ? x : y);
  const Tensor g = in_layout_of(dy, ref);
  const SerialScope serial(ref.numel() < SerialScope::kSerialElements);
  if (!selu) return run_backward(a, ref, g);
  return run_backward(selu_elu(p), ref, run_forward(selu_scale(p), g));
}

// Same-shape operands that share a dense layout run as one threaded loop over the flat buffers.
Tensor OneDnnBackend::binary(BinaryKind kind, const Tensor& a, const Tensor& b) {
  if (a.dtype() != DType::f32 || b.dtype() != DType::f32 || !same_layout(a, b) || !a.is_non_overlapping_and_dense())
    return RefBackend::binary(kind, a, b);
  Tensor out = empty_strided_like(a);
  const float *pa = a.data<float>(), *pb = b.data<float>();
  float* po = out.data<float>();
  const int64_t n = a.numel();
  switch (kind) {
    case BinaryKind::add: zip(pa, pb, po, n, [](float u, float v) { return u + v; }); break;
    case BinaryKind::sub: zip(pa, pb, po, n, [](float u, float v) { return u - v; }); break;
    case BinaryKind::mul: zip(pa, pb, po, n, [](float u, float v) { return u * v; }); break;
    case BinaryKind::div: zip(pa, pb, po, n, [](float u, float v) { return u / v; }); break;
    case BinaryKind::max: zip(pa, pb, po, n, [](float u, float v) { return std::isnan(u) || u > v ? u : v; }); break;
    case BinaryKind::min: zip(pa, pb, po, n, [](float u, float v) { return std::isnan(u) || u < v ? u : v; }); break;
  }
  return out;
}

}  // namespace cnn

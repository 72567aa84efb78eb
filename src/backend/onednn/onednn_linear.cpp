// oneDNN linear (forward as a matmul; backward data and backward weights + bias as inner products) and batched
// matmul. Everything stays in plain row-major layouts (strides describe transposes): no weight reorders.
// Under autocast the operands arrive as bf16 (x and w, dy and w, dy and x; a and b); results stay f32.
#include "backend/onednn/onednn_backend.h"
#include "backend/onednn/onednn_context.h"
#include "tensor/raw.h"

namespace cnn {

using namespace onednn;
using dnnl::prop_kind;

namespace {

memory::desc plain2d(int64_t rows, int64_t cols, dt type = dt::f32) { return memory::desc({rows, cols}, type, tag::ab); }
dt data_type(DType t) { return t == DType::bf16 ? dt::bf16 : dt::f32; }
memory::desc vec(int64_t n) { return memory::desc({n}, dt::f32, tag::x); }

// The forward inner product the backward primitives take as their hint.
dnnl::inner_product_forward::primitive_desc forward_pd(int64_t N, int64_t I, int64_t O, bool with_bias, dt type) {
  dnnl::inner_product_forward::desc d(prop_kind::forward_training, plain2d(N, I, type), plain2d(O, I, type),
                                      with_bias ? vec(O) : memory::desc(), plain2d(N, O));
  return {d, scratchpad_attr(), engine()};
}

struct BackwardData {
  dnnl::inner_product_backward_data::primitive_desc pd;
  dnnl::inner_product_backward_data prim;
};
struct BackwardWeights {
  dnnl::inner_product_backward_weights::primitive_desc pd;
  dnnl::inner_product_backward_weights prim;
};
struct Matmul {
  dnnl::matmul::primitive_desc pd;
  dnnl::matmul prim;
};

// A logical [B, R, C] matmul operand (t itself, or t's last two dims swapped when trans) read in place when
// it is row- or column-major in its last two dims with packed batches, else from a row-major copy.
struct Operand {
  Tensor data;  // the logical [B, R, C] view
  memory::desc desc;
  memory::dims strides;
};

Operand operand(const Tensor& t, bool trans) {
  Tensor v = trans ? raw::transpose(t, 1, 2) : t;
  const int64_t B = v.size(0), R = v.size(1), C = v.size(2);
  const bool rows = (C == 1 || v.stride(2) == 1) && (R == 1 || v.stride(1) == C);
  const bool cols = (R == 1 || v.stride(1) == 1) && (C == 1 || v.stride(2) == R);
  const bool packed = B == 1 || v.stride(0) == R * C;
  if (!packed || (!rows && !cols)) v = raw::contiguous(v);
  const bool col_major = packed && !rows && cols;
  const memory::dims strides = col_major ? memory::dims{R * C, 1, R} : memory::dims{R * C, C, 1};
  return {v, memory::desc({B, R, C}, data_type(t.dtype()), strides), strides};
}

}  // namespace

// x [N, I], w [O, I], b [O] or undefined -> y [N, O] = x w^T + b. A matmul reading w's buffer as w^T [I, O]
// (column-major): oneDNN's brgemm runs it about twice as fast as the inner product's gemm, with no reorder.
Tensor OneDnnBackend::linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  if (x.numel() == 0 || w.numel() == 0) return RefBackend::linear_forward(x, w, b);
  const int64_t N = x.size(0), I = x.size(1), O = w.size(0);
  const SerialScope serial(N * I * O < SerialScope::kSerialMacs);
  const dt type = data_type(x.dtype());
  const memory::desc src = plain2d(N, I, type), wt({I, O}, type, memory::dims{1, I}), bias = plain2d(1, O);
  auto e = cache().get<Matmul>(fmt::format("linear_fwd|{}|{}|{}|b{}|{}", N, I, O, b.defined(), dtype_name(x.dtype())), [&] {
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(src, wt, b.defined() ? bias : memory::desc(),
                                                       plain2d(N, O)),
                                    scratchpad_attr(), engine());
    return Matmul{pd, dnnl::matmul(pd)};
  });
  Tensor y = Tensor::empty(Shape{N, O});
  Bindings args;
  args.add(DNNL_ARG_SRC, src, raw::contiguous(x))
      .add(DNNL_ARG_WEIGHTS, wt, raw::contiguous(w))
      .add(DNNL_ARG_DST, plain2d(N, O), y);
  if (b.defined()) args.add(DNNL_ARG_BIAS, bias, raw::contiguous(b));
  args.run(e->prim);
  return y;
}

// dy [N, O], w [O, I] -> dx [N, I] = dy w.
Tensor OneDnnBackend::linear_backward_data(const Tensor& dy, const Tensor& w) {
  if (dy.numel() == 0 || w.numel() == 0) return RefBackend::linear_backward_data(dy, w);
  const int64_t N = dy.size(0), O = w.size(0), I = w.size(1);
  const SerialScope serial(N * I * O < SerialScope::kSerialMacs);
  const dt type = data_type(dy.dtype());
  auto e = cache().get<BackwardData>(fmt::format("ip_bwd_data|{}|{}|{}|{}", N, I, O, dtype_name(dy.dtype())), [&] {
    dnnl::inner_product_backward_data::desc d(plain2d(N, I), plain2d(O, I, type), plain2d(N, O, type));
    dnnl::inner_product_backward_data::primitive_desc pd(d, scratchpad_attr(), engine(),
                                                         forward_pd(N, I, O, false, type));
    return BackwardData{pd, dnnl::inner_product_backward_data(pd)};
  });
  Tensor dx = Tensor::empty(Shape{N, I});
  Bindings()
      .add(DNNL_ARG_DIFF_DST, plain2d(N, O, type), raw::contiguous(dy))
      .add(DNNL_ARG_WEIGHTS, plain2d(O, I, type), raw::contiguous(w))
      .add(DNNL_ARG_DIFF_SRC, plain2d(N, I), dx)
      .run(e->prim);
  return dx;
}

// dy [N, O], x [N, I] -> {dw [O, I] = dy^T x, db [O] = sum over N of dy when with_bias}.
std::pair<Tensor, Tensor> OneDnnBackend::linear_backward_weights(const Tensor& dy, const Tensor& x, bool with_bias) {
  if (dy.numel() == 0 || x.numel() == 0) return RefBackend::linear_backward_weights(dy, x, with_bias);
  const int64_t N = x.size(0), I = x.size(1), O = dy.size(1);
  const SerialScope serial(N * I * O < SerialScope::kSerialMacs);
  const dt type = data_type(x.dtype());
  auto e = cache().get<BackwardWeights>(
      fmt::format("ip_bwd_weights|{}|{}|{}|b{}|{}", N, I, O, with_bias, dtype_name(x.dtype())), [&] {
        dnnl::inner_product_backward_weights::desc d(plain2d(N, I, type), plain2d(O, I),
                                                     with_bias ? vec(O) : memory::desc(), plain2d(N, O, type));
        dnnl::inner_product_backward_weights::primitive_desc pd(d, scratchpad_attr(), engine(),
                                                                forward_pd(N, I, O, with_bias, type));
        return BackwardWeights{pd, dnnl::inner_product_backward_weights(pd)};
      });
  Tensor dw = Tensor::empty(Shape{O, I}), db;
  Bindings args;
  args.add(DNNL_ARG_SRC, plain2d(N, I, type), raw::contiguous(x))
      .add(DNNL_ARG_DIFF_DST, plain2d(N, O, type), raw::contiguous(dy))
      .add(DNNL_ARG_DIFF_WEIGHTS, plain2d(O, I), dw);
  if (with_bias) {
    db = Tensor::empty(Shape{O});
    args.add(DNNL_ARG_DIFF_BIAS, vec(O), db);
  }
  args.run(e->prim);
  return {dw, db};
}

// a [B, M, K] (or [B, K, M] when trans_a), b [B, K, N] (or [B, N, K] when trans_b) -> [B, M, N].
Tensor OneDnnBackend::matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) {
  if (a.dtype() != b.dtype() || !is_floating_point(a.dtype()) || a.numel() == 0 || b.numel() == 0)
    return RefBackend::matmul(a, b, trans_a, trans_b);
  const Operand A = operand(a, trans_a), B = operand(b, trans_b);
  const int64_t batch = a.size(0), M = A.data.size(1), N = B.data.size(2);
  const memory::desc cd({batch, M, N}, dt::f32, tag::abc);
  const SerialScope serial(batch * M * N * A.data.size(2) < SerialScope::kSerialMacs);
  auto e = cache().get<Matmul>(fmt::format("matmul|{}|{}|{}|{}|{}", A.desc.dims(), A.strides, B.desc.dims(), B.strides,
                                           dtype_name(a.dtype())),
                               [&] {
                                 dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(A.desc, B.desc, cd), scratchpad_attr(), engine());
                                 return Matmul{pd, dnnl::matmul(pd)};
                               });
  Tensor c = Tensor::empty(Shape{batch, M, N});
  Bindings()
      .add(DNNL_ARG_SRC, A.desc, A.data)
      .add(DNNL_ARG_WEIGHTS, B.desc, B.data)
      .add(DNNL_ARG_DST, cd, c)
      .run(e->prim);
  return c;
}

}  // namespace cnn

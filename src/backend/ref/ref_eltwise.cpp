// Reference elementwise kernels: unary activations and math (forward and backward) and broadcasting binary ops.
// Clean, minimal, plain loops; dense inputs of any dimension order are walked as flat buffers.
#include <cmath>

#include "backend/ref/ref_backend.h"
#include "backend/ref/strided_loop.h"

namespace cnn {

namespace {

float eltwise_value(const EltwiseParams& p, float x) {
  switch (p.kind) {
    case EltwiseKind::relu: return x > 0 ? x : p.alpha * x;
    case EltwiseKind::clip: return std::min(std::max(x, p.alpha), p.beta);
    case EltwiseKind::sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case EltwiseKind::tanh: return std::tanh(x);
    case EltwiseKind::exp: return std::exp(x);
    case EltwiseKind::log: return std::log(x);
    case EltwiseKind::sqrt: return std::sqrt(x);
    case EltwiseKind::pow: return std::pow(x, p.alpha);
    case EltwiseKind::linear: return p.alpha * x + p.beta;
    case EltwiseKind::abs: return std::abs(x);
  }
  return 0.0f;
}

// d f(x) / dx, from the input x and the output y.
float eltwise_derivative(const EltwiseParams& p, float x, float y) {
  switch (p.kind) {
    case EltwiseKind::relu: return x > 0 ? 1.0f : p.alpha;
    case EltwiseKind::clip: return x > p.alpha && x < p.beta ? 1.0f : 0.0f;  // PyTorch: 0 at the bounds
    case EltwiseKind::sigmoid: return y * (1.0f - y);
    case EltwiseKind::tanh: return 1.0f - y * y;
    case EltwiseKind::exp: return y;
    case EltwiseKind::log: return 1.0f / x;
    case EltwiseKind::sqrt: return 0.5f / y;
    case EltwiseKind::pow: return p.alpha == 0.0f ? 0.0f : p.alpha * std::pow(x, p.alpha - 1.0f);
    case EltwiseKind::linear: return p.alpha;
    case EltwiseKind::abs: return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f);
  }
  return 0.0f;
}

float binary_value(BinaryKind kind, float a, float b) {
  switch (kind) {
    case BinaryKind::add: return a + b;
    case BinaryKind::sub: return a - b;
    case BinaryKind::mul: return a * b;
    case BinaryKind::div: return a / b;
    case BinaryKind::max: return std::isnan(a) || a > b ? a : b;
    case BinaryKind::min: return std::isnan(a) || a < b ? a : b;
  }
  return 0.0f;
}

// A dense tensor as is, anything else as a contiguous copy.
Tensor dense(const Tensor& t) { return t.is_non_overlapping_and_dense() ? t : t.contiguous(); }

}  // namespace

Tensor RefBackend::eltwise_forward(const Tensor& x_in, const EltwiseParams& p) {
  const Tensor x = dense(x_in);
  Tensor y = Tensor::empty(x.shape());
  y.impl()->strides = x.strides();  // same dimension order as x
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) yp[i] = eltwise_value(p, xp[i]);
  return y;
}

Tensor RefBackend::eltwise_backward(const Tensor& dy_in, const Tensor& x_in, const Tensor& y_in,
                                    const EltwiseParams& p) {
  // Walk the three buffers flat when they share one dense layout, else as contiguous copies.
  const bool shared = x_in.is_non_overlapping_and_dense() && dy_in.strides() == x_in.strides() &&
                      y_in.strides() == x_in.strides();
  const Tensor x = shared ? x_in : x_in.contiguous();
  const Tensor y = shared ? y_in : y_in.contiguous();
  const Tensor dy = shared ? dy_in : dy_in.contiguous();
  Tensor dx = Tensor::empty(x.shape());
  dx.impl()->strides = x.strides();
  const float *xp = x.data<float>(), *yp = y.data<float>(), *dyp = dy.data<float>();
  float* dxp = dx.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) dxp[i] = dyp[i] * eltwise_derivative(p, xp[i], yp[i]);
  return dx;
}

Tensor RefBackend::binary(BinaryKind kind, const Tensor& a, const Tensor& b) {
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), "binary");
  if (a.shape() == b.shape() && a.strides() == b.strides() && a.is_non_overlapping_and_dense()) {
    Tensor out = Tensor::empty(out_shape);
    out.impl()->strides = a.strides();
    const float *ap = a.data<float>(), *bp = b.data<float>();
    float* op = out.data<float>();
    for (int64_t i = 0; i < out.numel(); ++i) op[i] = binary_value(kind, ap[i], bp[i]);
    return out;
  }
  Tensor out = Tensor::empty(out_shape);
  const Tensor ae = a.shape() == out_shape ? a : a.detach().expand(out_shape);
  const Tensor be = b.shape() == out_shape ? b : b.detach().expand(out_shape);
  const float *ap = ae.data<float>(), *bp = be.data<float>();
  float* op = out.data<float>();
  for_each_row3(out_shape, out.strides(), ae.strides(), be.strides(),
                [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t so, int64_t sa, int64_t sb) {
                  for (int64_t i = 0; i < n; ++i) op[o + i * so] = binary_value(kind, ap[ia + i * sa], bp[ib + i * sb]);
                });
  return out;
}

}  // namespace cnn

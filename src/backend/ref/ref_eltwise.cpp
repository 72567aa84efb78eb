// Reference elementwise kernels: unary activations and math (forward and backward) and broadcasting binary ops.
// Clean, minimal, plain loops; dense inputs of any dimension order are walked as flat buffers.
#include <algorithm>
#include <cmath>

#include "backend/ref/ref_backend.h"
#include "backend/ref/strided_loop.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

constexpr float kSqrtHalf = 0.70710678118654752f;       // 1/sqrt(2)
constexpr float kInvSqrt2Pi = 0.39894228040143268f;     // 1/sqrt(2 pi)
constexpr float kSqrt2OverPi = 0.79788456080286536f;    // sqrt(2/pi)
constexpr float kGeluCubic = 0.044715f;

float relu6_shifted(float x) { return std::min(std::max(x + 3.0f, 0.0f), 6.0f); }
float gelu_tanh_inner(float x) { return kSqrt2OverPi * (x + kGeluCubic * x * x * x); }
float sigmoid_of(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float elu_of(float x, float alpha) { return x > 0 ? x : alpha * std::expm1(x); }
float tanh_softplus(float x) { return std::tanh(std::log1p(std::exp(x))); }

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
    case EltwiseKind::gelu_erf: return 0.5f * x * (1.0f + std::erf(x * kSqrtHalf));
    case EltwiseKind::gelu_tanh: return 0.5f * x * (1.0f + std::tanh(gelu_tanh_inner(x)));
    case EltwiseKind::swish: return x * sigmoid_of(p.alpha * x);
    case EltwiseKind::hardswish: return x * relu6_shifted(x) / 6.0f;
    case EltwiseKind::hardsigmoid: return relu6_shifted(x) / 6.0f;
    case EltwiseKind::elu: return elu_of(x, p.alpha);
    case EltwiseKind::selu: return p.beta * elu_of(x, p.alpha);
    case EltwiseKind::mish: return x * tanh_softplus(x);
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
    case EltwiseKind::gelu_erf:
      return 0.5f * (1.0f + std::erf(x * kSqrtHalf)) + x * kInvSqrt2Pi * std::exp(-0.5f * x * x);
    case EltwiseKind::gelu_tanh: {
      const float t = std::tanh(gelu_tanh_inner(x));
      return 0.5f * (1.0f + t) + 0.5f * x * (1.0f - t * t) * kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * x * x);
    }
    case EltwiseKind::swish: {
      const float s = sigmoid_of(p.alpha * x);
      return s * (1.0f + p.alpha * x * (1.0f - s));
    }
    // PyTorch's boundaries: hardswish has slope x/3 + 1/2 on [-3, 3) and 1 from 3 on (its vectorised CPU kernel,
    // which every tensor but the scalar tail of a short one goes through); hardsigmoid 1/6 on (-3, 3) only.
    case EltwiseKind::hardswish: return x < -3.0f ? 0.0f : (x < 3.0f ? x / 3.0f + 0.5f : 1.0f);
    case EltwiseKind::hardsigmoid: return x > -3.0f && x < 3.0f ? 1.0f / 6.0f : 0.0f;
    // PyTorch's elu_backward from the input: the negative branch (alpha e^x) includes 0.
    case EltwiseKind::elu: return x > 0 ? 1.0f : p.alpha * std::exp(x);
    case EltwiseKind::selu: return p.beta * (x > 0 ? 1.0f : p.alpha * std::exp(x));
    case EltwiseKind::mish: {
      const float t = tanh_softplus(x);
      return t + x * sigmoid_of(x) * (1.0f - t * t);
    }
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
Tensor dense(const Tensor& t) { return t.is_non_overlapping_and_dense() ? t : raw::contiguous(t); }

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
  const Tensor x = shared ? x_in : raw::contiguous(x_in);
  const Tensor y = shared ? y_in : raw::contiguous(y_in);
  const Tensor dy = shared ? dy_in : raw::contiguous(dy_in);
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
  const Tensor ae = a.shape() == out_shape ? a : raw::expand(a, out_shape);
  const Tensor be = b.shape() == out_shape ? b : raw::expand(b, out_shape);
  const float *ap = ae.data<float>(), *bp = be.data<float>();
  float* op = out.data<float>();
  for_each_row3(out_shape, out.strides(), ae.strides(), be.strides(),
                [&](int64_t o, int64_t ia, int64_t ib, int64_t n, int64_t so, int64_t sa, int64_t sb) {
                  for (int64_t i = 0; i < n; ++i) op[o + i * so] = binary_value(kind, ap[ia + i * sa], bp[ib + i * sb]);
                });
  return out;
}

}  // namespace cnn

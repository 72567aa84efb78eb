// Elementwise math and activations: neg, pow, exp, log, sqrt, abs, clamp, relu, relu6, leaky_relu,
// sigmoid, tanh, gelu, silu, hardswish, hardsigmoid, elu, selu, mish, and prelu with its per-channel slopes.
// Each dispatches one backend kernel and records its backward kernel.
#include <cnn/ops.h>
#include <cnn/relu_rule.h>
#include <cnn/trace.h>

#include <limits>

namespace cnn {

namespace {

// torch.nn.functional.selu's constants.
constexpr float kSeluAlpha = 1.6732632423543772848f;
constexpr float kSeluScale = 1.0507009873554804934f;

thread_local ReluBackwardRule t_relu_rule = ReluBackwardRule::standard;

// relu's backward under the rule in force (relu_rule.h): the positive part of dy, then the forward mask unless
// the rule is the deconvnet's.
Tensor relu_backward(const Tensor& dy, const Tensor& x, const Tensor& y, const EltwiseParams& p) {
  if (t_relu_rule == ReluBackwardRule::standard) return backend().eltwise_backward(dy, x, y, p);
  const Tensor positive = backend().eltwise_forward(dy, {EltwiseKind::relu, 0.0f, 0.0f});
  return t_relu_rule == ReluBackwardRule::deconvnet ? positive : backend().eltwise_backward(positive, x, y, p);
}

Tensor eltwise(const char* op, const char* node, const Tensor& x, EltwiseParams p) {
  CNN_CHECK(x.defined(), "{}: input is undefined", op);
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected a float32 tensor, got {} of shape {}", op, dtype_name(x.dtype()),
            x.shape());
  Tensor y = backend().eltwise_forward(x, p);
  // ReLU (and leaky ReLU with a non-negative slope) keeps only its output for backward: y > 0 exactly where x > 0,
  // so y stands in for x in the derivative and the input's memory is freed as soon as nothing else holds it.
  const bool output_only = p.kind == EltwiseKind::relu && p.alpha >= 0.0f;
  const Tensor saved_x = output_only ? y.detach() : x.detach();
  const bool plain_relu = p.kind == EltwiseKind::relu && p.alpha == 0.0f;
  y = record(node, y, {x}, [x = saved_x, y = y.detach(), p, plain_relu](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{plain_relu ? relu_backward(dy, x, y, p) : backend().eltwise_backward(dy, x, y, p)};
  });
  return trace_attributes(y, {.floats = {{"alpha", p.alpha}, {"beta", p.beta}}});
}

}  // namespace

ReluBackwardRule relu_backward_rule() { return t_relu_rule; }
ReluBackwardGuard::ReluBackwardGuard(ReluBackwardRule rule) : previous_(t_relu_rule) { t_relu_rule = rule; }
ReluBackwardGuard::~ReluBackwardGuard() { t_relu_rule = previous_; }

Tensor neg(const Tensor& x) { return eltwise("neg", "NegBackward", x, {EltwiseKind::linear, -1.0f, 0.0f}); }
Tensor pow(const Tensor& x, double exponent) {
  return eltwise("pow", "PowBackward", x, {EltwiseKind::pow, static_cast<float>(exponent), 0.0f});
}
Tensor exp(const Tensor& x) { return eltwise("exp", "ExpBackward", x, {EltwiseKind::exp}); }
Tensor log(const Tensor& x) { return eltwise("log", "LogBackward", x, {EltwiseKind::log}); }
Tensor sqrt(const Tensor& x) { return eltwise("sqrt", "SqrtBackward", x, {EltwiseKind::sqrt}); }
Tensor abs(const Tensor& x) { return eltwise("abs", "AbsBackward", x, {EltwiseKind::abs}); }

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  CNN_CHECK(min || max, "clamp: at least one of min and max must be given");
  const float lo = min ? static_cast<float>(*min) : -std::numeric_limits<float>::infinity();
  const float hi = max ? static_cast<float>(*max) : std::numeric_limits<float>::infinity();
  CNN_CHECK(lo <= hi, "clamp: min {} is greater than max {}", lo, hi);
  return eltwise("clamp", "ClampBackward", x, {EltwiseKind::clip, lo, hi});
}

Tensor relu(const Tensor& x) { return eltwise("relu", "ReluBackward", x, {EltwiseKind::relu, 0.0f, 0.0f}); }
Tensor relu6(const Tensor& x) { return eltwise("relu6", "Relu6Backward", x, {EltwiseKind::clip, 0.0f, 6.0f}); }
Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return eltwise("leaky_relu", "LeakyReluBackward", x, {EltwiseKind::relu, static_cast<float>(negative_slope), 0.0f});
}
Tensor sigmoid(const Tensor& x) { return eltwise("sigmoid", "SigmoidBackward", x, {EltwiseKind::sigmoid}); }
Tensor tanh(const Tensor& x) { return eltwise("tanh", "TanhBackward", x, {EltwiseKind::tanh}); }

Tensor gelu(const Tensor& x, const std::string& approximate) {
  CNN_CHECK(approximate == "none" || approximate == "tanh",
            "gelu: approximate must be \"none\" or \"tanh\", got \"{}\"", approximate);
  const EltwiseKind kind = approximate == "none" ? EltwiseKind::gelu_erf : EltwiseKind::gelu_tanh;
  return eltwise("gelu", "GeluBackward", x, {kind});
}
Tensor silu(const Tensor& x) { return eltwise("silu", "SiluBackward", x, {EltwiseKind::swish, 1.0f, 0.0f}); }
Tensor hardswish(const Tensor& x) { return eltwise("hardswish", "HardswishBackward", x, {EltwiseKind::hardswish}); }
Tensor hardsigmoid(const Tensor& x) {
  return eltwise("hardsigmoid", "HardsigmoidBackward", x, {EltwiseKind::hardsigmoid});
}
Tensor elu(const Tensor& x, double alpha) {
  return eltwise("elu", "EluBackward", x, {EltwiseKind::elu, static_cast<float>(alpha), 0.0f});
}
Tensor selu(const Tensor& x) { return eltwise("selu", "SeluBackward", x, {EltwiseKind::selu, kSeluAlpha, kSeluScale}); }
Tensor mish(const Tensor& x) { return eltwise("mish", "MishBackward", x, {EltwiseKind::mish}); }

Tensor prelu(const Tensor& x, const Tensor& weight) {
  CNN_CHECK(x.defined() && weight.defined(), "prelu: input or weight is undefined");
  CNN_CHECK(x.dtype() == DType::f32 && weight.dtype() == DType::f32,
            "prelu: expected float32 input and weight, got {} input {} and {} weight {}", dtype_name(x.dtype()),
            x.shape(), dtype_name(weight.dtype()), weight.shape());
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  CNN_CHECK(weight.dim() == 1 && (weight.numel() == 1 || weight.numel() == channels),
            "prelu: expected weight with {} for input {}, got {}",
            channels == 1 ? std::string("1 element") : fmt::format("1 or {} elements", channels), x.shape(),
            weight.shape());
  Tensor y = backend().prelu_forward(x.detach(), weight.detach());
  return record("PreluBackward", y, {x, weight},
                [x = x.detach(), w = weight.detach()](const Tensor& dy, const NeedsGrad& needs) {
                  Backend::PreluGrads g = backend().prelu_backward(dy, x, w, needs[0], needs[1]);
                  return std::vector<Tensor>{g.dx, g.dw};
                });
}

}  // namespace cnn

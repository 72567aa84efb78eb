// QuantizedConv2d and QuantizedLinear (see layers_quantized.h): quantise the input, then the int8 op.
#include <cnn/layers_quantized.h>
#include <cnn/ops.h>

#include <cmath>

namespace cnn {

std::pair<Tensor, Tensor> quantize_weight_per_channel(const Tensor& w) {
  const Tensor wc = w.detach().contiguous();
  const int64_t K = w.size(0), per = K > 0 ? w.numel() / K : 0;
  Tensor q = Tensor::empty(w.shape(), DType::i8), scale = Tensor::empty({K});
  const float* src = wc.data<float>();
  for (int64_t k = 0; k < K; ++k) {
    float m = 0.0f;
    for (int64_t i = 0; i < per; ++i)
      if (std::isfinite(src[k * per + i])) m = std::max(m, std::abs(src[k * per + i]));
    const float s = m > 0.0f ? m / 127.0f : 1.0f;
    scale.data<float>()[k] = s;
    for (int64_t i = 0; i < per; ++i)
      q.data<int8_t>()[k * per + i] =
          std::isfinite(src[k * per + i])
              ? static_cast<int8_t>(std::clamp(std::nearbyint(src[k * per + i] / s), -127.0f, 127.0f))
              : int8_t{0};
  }
  return {q, scale};
}

namespace {

Tensor scale_buffer(double input_scale, const std::string& layer) {
  CNN_CHECK(input_scale > 0 && std::isfinite(input_scale), "{}: input_scale must be a positive number, got {}", layer,
            input_scale);
  return scalar_tensor(input_scale);
}

}  // namespace

QuantizedConv2d::QuantizedConv2d(const Conv2d& conv, double input_scale)
    : options_(conv.conv_options()), conv_repr_(conv.extra_repr()) {
  auto [q, s] = quantize_weight_per_channel(conv.weight);
  weight = register_buffer("weight", q);
  weight_scale = register_buffer("weight_scale", s);
  if (conv.bias.defined()) bias = register_buffer("bias", conv.bias.detach().clone());
  input_scale_ = register_buffer("input_scale", scale_buffer(input_scale, "QuantizedConv2d"));
}

Tensor QuantizedConv2d::forward(const Tensor& x) {
  const double s = input_scale();
  return conv2d_int8(quantize_per_tensor(x, s), s, weight, weight_scale, bias, options_);
}

std::string QuantizedConv2d::extra_repr() const { return fmt::format("{}, input_scale={:.6g}", conv_repr_, input_scale()); }

Shape QuantizedConv2d::output_shape(const Shape& in) const { return conv2d_output_shape(in, weight.shape(), options_); }

int64_t QuantizedConv2d::macs(const Shape& in) const {
  return output_shape(in).numel() * weight.size(1) * weight.size(2) * weight.size(3);
}

std::optional<WindowGeometry> QuantizedConv2d::geometry() const {
  const Pair2 pad = options_.padding.mode == Padding::Mode::explicit_ ? options_.padding.amount : Pair2{0, 0};
  return WindowGeometry{.kernel_size = {weight.size(2), weight.size(3)}, .stride = options_.stride, .padding = pad,
                        .dilation = options_.dilation};
}

QuantizedLinear::QuantizedLinear(const Linear& linear, double input_scale) {
  auto [q, s] = quantize_weight_per_channel(linear.weight);
  weight = register_buffer("weight", q);
  weight_scale = register_buffer("weight_scale", s);
  if (linear.bias.defined()) bias = register_buffer("bias", linear.bias.detach().clone());
  input_scale_ = register_buffer("input_scale", scale_buffer(input_scale, "QuantizedLinear"));
}

Tensor QuantizedLinear::forward(const Tensor& x) {
  const int64_t I = weight.size(1);
  CNN_CHECK(x.dim() >= 1 && x.size(-1) == I, "QuantizedLinear: expected input [*, {}] for weight {}, got input {}", I,
            weight.shape(), x.shape());
  const Tensor x2 = x.dim() == 2 ? x : x.reshape({-1, I});
  const double s = input_scale();
  Tensor y = linear_int8(quantize_per_tensor(x2, s), s, weight, weight_scale, bias);
  if (x.dim() == 2) return y;
  std::vector<int64_t> out = x.shape().dims();
  out.back() = weight.size(0);
  return y.reshape(Shape(out));
}

std::string QuantizedLinear::extra_repr() const {
  return fmt::format("in_features={}, out_features={}, bias={}, input_scale={:.6g}", weight.size(1), weight.size(0),
                     bias.defined() ? "True" : "False", input_scale());
}

Shape QuantizedLinear::output_shape(const Shape& in) const {
  std::vector<int64_t> out = in.dims();
  out.back() = weight.size(0);
  return Shape(out);
}

int64_t QuantizedLinear::macs(const Shape& in) const { return in.numel() / in[-1] * weight.size(0) * weight.size(1); }

}  // namespace cnn

// int8 inference ops: symmetric per-tensor quantisation and the int8 convolution and linear layers of
// post-training quantisation (layers_quantized.h). They record a node without a backward (int8 is inference
// only), so a graph through them fails loudly in backward and in ONNX export instead of skipping them.
#include <cnn/ops.h>

namespace cnn {

namespace {

BackwardFn no_backward(const char* op) {
  return [op](const Tensor&, const NeedsGrad&) -> std::vector<Tensor> {
    throw Error(fmt::format("{}: int8 ops are inference only and have no backward", op));
  };
}

void check_int8(const char* op, const Tensor& xq, const Tensor& wq, const Tensor& weight_scale, const Tensor& b,
                double input_scale) {
  CNN_CHECK(xq.defined() && wq.defined() && weight_scale.defined(), "{}: input, weight and weight_scale must be defined",
            op);
  CNN_CHECK(xq.dtype() == DType::i8 && wq.dtype() == DType::i8,
            "{}: expected int8 input and weight, got input {} {} and weight {} {}", op, dtype_name(xq.dtype()),
            xq.shape(), dtype_name(wq.dtype()), wq.shape());
  CNN_CHECK(weight_scale.dtype() == DType::f32 && weight_scale.dim() == 1 && weight_scale.size(0) == wq.size(0),
            "{}: expected a float32 weight_scale of shape [{}] for weight {}, got {} {}", op, wq.size(0), wq.shape(),
            dtype_name(weight_scale.dtype()), weight_scale.shape());
  CNN_CHECK(!b.defined() || (b.dtype() == DType::f32 && b.dim() == 1 && b.size(0) == wq.size(0)),
            "{}: expected a float32 bias of shape [{}] for weight {}, got bias {}", op, wq.size(0), wq.shape(),
            b.shape());
  CNN_CHECK(input_scale > 0 && std::isfinite(input_scale), "{}: input_scale must be a positive number, got {}", op,
            input_scale);
}

}  // namespace

Tensor quantize_per_tensor(const Tensor& x, double scale) {
  CNN_CHECK(x.defined() && x.dtype() == DType::f32, "quantize_per_tensor: expected a float32 tensor, got {} {}",
            x.defined() ? dtype_name(x.dtype()) : "undefined", x.defined() ? x.shape() : Shape{});
  CNN_CHECK(scale > 0 && std::isfinite(scale), "quantize_per_tensor: scale must be a positive number, got {}", scale);
  return record("QuantizePerTensor", backend().quantize_int8(x.detach(), static_cast<float>(scale)), {x},
                no_backward("quantize_per_tensor"));
}

Tensor conv2d_int8(const Tensor& xq, double input_scale, const Tensor& wq, const Tensor& weight_scale, const Tensor& b,
                   const Conv2dOptions& options) {
  check_int8("conv2d_int8", xq, wq, weight_scale, b, input_scale);
  conv2d_output_shape(xq.shape(), wq.shape(), options);  // the conv2d checks: ranks, channels, groups, sizes
  const Tensor scales = weight_scale * input_scale;
  const Tensor y = backend().conv2d_int8_forward(xq, wq, scales.contiguous(), b, conv2d_params(xq.shape(), wq.shape(),
                                                                                                  options));
  return record("QuantizedConv2d", y, {xq, wq, b}, no_backward("conv2d_int8"));
}

Tensor linear_int8(const Tensor& xq, double input_scale, const Tensor& wq, const Tensor& weight_scale, const Tensor& b) {
  check_int8("linear_int8", xq, wq, weight_scale, b, input_scale);
  CNN_CHECK(xq.dim() == 2 && wq.dim() == 2 && xq.size(1) == wq.size(1),
            "linear_int8: expected input [N, {}] for weight {}, got input {}", wq.size(1), wq.shape(), xq.shape());
  const Tensor scales = weight_scale * input_scale;
  return record("QuantizedLinear", backend().linear_int8_forward(xq, wq, scales.contiguous(), b), {xq, wq, b},
                no_backward("linear_int8"));
}

}  // namespace cnn

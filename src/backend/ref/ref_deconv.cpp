// RefBackend transposed convolution: a transposed convolution's forward is a convolution's backward-data, and
// its backward-data a convolution's forward, with the same [C_in, C_out/groups, R, S] weights read as that
// convolution's [K, C/groups, R, S]. So these kernels call the reference convolution (ref_conv.cpp); no new loops.
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

// The output [N, C_out, OH, OW] of a transposed convolution of x [N, C_in, H, W] by w [C_in, C_out/g, R, S].
Shape deconv_output_shape(const Shape& x, const Shape& w, const ConvParams& p) {
  const int64_t oh = (x[2] - 1) * p.stride_h - p.pad_top - p.pad_bottom + p.dilation_h * (w[2] - 1) + 1;
  const int64_t ow = (x[3] - 1) * p.stride_w - p.pad_left - p.pad_right + p.dilation_w * (w[3] - 1) + 1;
  return {x[0], w[1] * p.groups, oh, ow};
}

// db[c] = sum of dy[:, c] over the batch and both spatial dimensions.
Tensor bias_gradient(const Tensor& dy) {
  const Tensor dyc = raw::contiguous(raw::cast(dy, DType::f32));
  const int64_t N = dy.size(0), C = dy.size(1), L = dy.size(2) * dy.size(3);
  Tensor db = zeros({C});
  const float* DY = dyc.data<float>();
  float* DB = db.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < L; ++i) DB[c] += DY[(n * C + c) * L + i];
  return db;
}

}  // namespace

// x [N, C_in, H, W], w [C_in, C_out/groups, R, S], b [C_out] or undefined -> y [N, C_out, OH, OW].
// y is the gradient a convolution with weights w would send to its input for the output gradient x, plus the bias.
Tensor RefBackend::deconv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  Tensor y = RefBackend::conv2d_backward_data(x, w, deconv_output_shape(x.shape(), w.shape(), p), p);
  if (!b.defined()) return y;
  const Tensor bc = raw::contiguous(b);
  const int64_t N = y.size(0), C = y.size(1), L = y.size(2) * y.size(3);
  float* Y = y.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < L; ++i) Y[(n * C + c) * L + i] += bc.data<float>()[c];
  return y;
}

// dy [N, C_out, OH, OW], w [C_in, C_out/groups, R, S] -> dx [N, C_in, H, W]: the convolution of dy by w.
Tensor RefBackend::deconv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                                          const ConvParams& p) {
  Tensor dx = RefBackend::conv2d_forward(dy, w, Tensor(), p);
  CNN_CHECK(dx.shape() == x_shape, "deconv2d_backward_data: geometry gives {}, expected {}", dx.shape(), x_shape);
  return dx;
}

// dy [N, C_out, OH, OW], x [N, C_in, H, W] -> {dw [C_in, C_out/groups, R, S], db [C_out] when with_bias}:
// the weight gradient of the convolution whose input is dy and whose output gradient is x.
std::pair<Tensor, Tensor> RefBackend::deconv2d_backward_weights(const Tensor& dy, const Tensor& x,
                                                                const Shape& w_shape, bool with_bias,
                                                                const ConvParams& p) {
  Tensor dw = RefBackend::conv2d_backward_weights(x, dy, w_shape, false, p).first;
  return {dw, with_bias ? bias_gradient(dy) : Tensor()};
}

}  // namespace cnn

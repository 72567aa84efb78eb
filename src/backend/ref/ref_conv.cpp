// RefBackend convolution: clean, minimal reference kernels written as im2col + matrix product, exactly the
// "convolution as matrix multiplication" of the course notes (002 §3.5). No intrinsics, no threads.
#include <cnn/window_size.h>

#include <vector>

#include "backend/ref/gemm.h"
#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

// Every size a convolution loop needs, read from x [N, C, H, W] and w [K, C/groups, R, S].
struct ConvDims {
  int64_t N, C, H, W;  // input
  int64_t K, R, S;     // output channels, kernel height and width
  int64_t P, Q;        // output height and width
  int64_t C_g, K_g;    // input and output channels per group
  int64_t rows() const { return C_g * R * S; }  // im2col rows: one per (c, r, s) tap of a group
  int64_t cols() const { return P * Q; }        // im2col columns: one per output position
};

ConvDims conv_dims(const Shape& x, const Shape& w, const ConvParams& p) {
  ConvDims d{};
  d.N = x[0], d.C = x[1], d.H = x[2], d.W = x[3];
  d.K = w[0], d.R = w[2], d.S = w[3];
  d.P = window_output_size(d.H, d.R, p.stride_h, p.pad_top, p.pad_bottom, p.dilation_h);
  d.Q = window_output_size(d.W, d.S, p.stride_w, p.pad_left, p.pad_right, p.dilation_w);
  d.C_g = d.C / p.groups;
  d.K_g = d.K / p.groups;
  return d;
}

// col[(c, r, s), (p, q)] = x[c, p*stride - pad + r*dil, q*stride - pad + s*dil] (0 in the padding), for the
// C_g channels of one group of one image (x points at that group's first channel plane).
void im2col(const float* x, float* col, const ConvDims& d, const ConvParams& p) {
  for (int64_t c = 0; c < d.C_g; ++c)
    for (int64_t r = 0; r < d.R; ++r)
      for (int64_t s = 0; s < d.S; ++s, col += d.cols())
        for (int64_t oh = 0; oh < d.P; ++oh) {
          const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
          for (int64_t ow = 0; ow < d.Q; ++ow) {
            const int64_t iw = ow * p.stride_w - p.pad_left + s * p.dilation_w;
            const bool inside = ih >= 0 && ih < d.H && iw >= 0 && iw < d.W;
            col[oh * d.Q + ow] = inside ? x[(c * d.H + ih) * d.W + iw] : 0.0f;
          }
        }
}

// The transpose of im2col: adds each column entry back into the input position it was read from.
void col2im(const float* col, float* x, const ConvDims& d, const ConvParams& p) {
  for (int64_t c = 0; c < d.C_g; ++c)
    for (int64_t r = 0; r < d.R; ++r)
      for (int64_t s = 0; s < d.S; ++s, col += d.cols())
        for (int64_t oh = 0; oh < d.P; ++oh) {
          const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
          if (ih < 0 || ih >= d.H) continue;
          for (int64_t ow = 0; ow < d.Q; ++ow) {
            const int64_t iw = ow * p.stride_w - p.pad_left + s * p.dilation_w;
            if (iw >= 0 && iw < d.W) x[(c * d.H + ih) * d.W + iw] += col[oh * d.Q + ow];
          }
        }
}

// Row-major f32: bf16 operands (autocast) widen exactly, so the f32 loops compute bf16 products accumulated in f32.
Tensor dense(const Tensor& t) { return raw::contiguous(raw::cast(t, DType::f32)); }

}  // namespace

// x [N, C, H, W], w [K, C/groups, R, S], b [K] or undefined -> y [N, K, P, Q].
// Per image and group: y_g [K_g, P*Q] = w_g [K_g, C_g*R*S] . col [C_g*R*S, P*Q], plus the bias.
Tensor RefBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const ConvDims d = conv_dims(x.shape(), w.shape(), p);
  const Tensor xc = dense(x), wc = dense(w);
  Tensor y = zeros({d.N, d.K, d.P, d.Q});
  std::vector<float> col(static_cast<size_t>(d.rows() * d.cols()));
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < p.groups; ++g) {
      im2col(xc.data<float>() + (n * d.C + g * d.C_g) * d.H * d.W, col.data(), d, p);
      float* yg = y.data<float>() + (n * d.K + g * d.K_g) * d.cols();
      ref::gemm_nn(wc.data<float>() + g * d.K_g * d.rows(), col.data(), yg, d.K_g, d.rows(), d.cols());
    }
  if (b.defined()) {
    const Tensor bc = dense(b);
    float* Y = y.data<float>();
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t k = 0; k < d.K; ++k)
        for (int64_t i = 0; i < d.cols(); ++i) Y[(n * d.K + k) * d.cols() + i] += bc.data<float>()[k];
  }
  return y;
}

// dy [N, K, P, Q], w [K, C/groups, R, S] -> dx of x_shape [N, C, H, W].
// Per image and group: col = w_g^T [C_g*R*S, K_g] . dy_g [K_g, P*Q], then col2im scatters it back.
Tensor RefBackend::conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                                        const ConvParams& p) {
  const ConvDims d = conv_dims(x_shape, w.shape(), p);
  const Tensor dyc = dense(dy), wc = dense(w);
  Tensor dx = zeros(x_shape);
  std::vector<float> col(static_cast<size_t>(d.rows() * d.cols()));
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < p.groups; ++g) {
      std::fill(col.begin(), col.end(), 0.0f);
      const float* dyg = dyc.data<float>() + (n * d.K + g * d.K_g) * d.cols();
      ref::gemm_tn(wc.data<float>() + g * d.K_g * d.rows(), dyg, col.data(), d.rows(), d.K_g, d.cols());
      col2im(col.data(), dx.data<float>() + (n * d.C + g * d.C_g) * d.H * d.W, d, p);
    }
  return dx;
}

// dy [N, K, P, Q], x [N, C, H, W] -> {dw of w_shape [K, C/groups, R, S], db [K] (undefined unless with_bias)}.
// Per image and group: dw_g [K_g, C_g*R*S] += dy_g [K_g, P*Q] . col^T; db[k] = sum of dy[:, k].
std::pair<Tensor, Tensor> RefBackend::conv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                              bool with_bias, const ConvParams& p) {
  const ConvDims d = conv_dims(x.shape(), w_shape, p);
  const Tensor dyc = dense(dy), xc = dense(x);
  Tensor dw = zeros(w_shape);
  std::vector<float> col(static_cast<size_t>(d.rows() * d.cols()));
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t g = 0; g < p.groups; ++g) {
      im2col(xc.data<float>() + (n * d.C + g * d.C_g) * d.H * d.W, col.data(), d, p);
      const float* dyg = dyc.data<float>() + (n * d.K + g * d.K_g) * d.cols();
      ref::gemm_nt(dyg, col.data(), dw.data<float>() + g * d.K_g * d.rows(), d.K_g, d.cols(), d.rows());
    }
  Tensor db;
  if (with_bias) {
    db = zeros({d.K});
    for (int64_t n = 0; n < d.N; ++n)
      for (int64_t k = 0; k < d.K; ++k)
        for (int64_t i = 0; i < d.cols(); ++i) db.data<float>()[k] += dyc.data<float>()[(n * d.K + k) * d.cols() + i];
  }
  return {dw, db};
}

}  // namespace cnn

// RefBackend convolution: clean, minimal reference loops (direct convolution, double accumulators).
// No intrinsics, no threads, no im2col: the specification the oneDNN kernels are tested against.
#include "backend/ref/ref_backend.h"

#include <vector>

namespace cnn {

namespace {

// Every size a convolution loop needs, read from x [N, C, H, W] and w [K, C/groups, R, S].
struct ConvDims {
  int64_t N, C, H, W;  // input
  int64_t K, R, S;     // output channels, kernel height and width
  int64_t P, Q;        // output height and width
  int64_t C_g, K_g;    // input and output channels per group
};

ConvDims conv_dims(const Shape& x, const Shape& w, const ConvParams& p) {
  ConvDims d{};
  d.N = x[0], d.C = x[1], d.H = x[2], d.W = x[3];
  d.K = w[0], d.R = w[2], d.S = w[3];
  d.P = (d.H + p.pad_top + p.pad_bottom - p.dilation_h * (d.R - 1) - 1) / p.stride_h + 1;
  d.Q = (d.W + p.pad_left + p.pad_right - p.dilation_w * (d.S - 1) - 1) / p.stride_w + 1;
  d.C_g = d.C / p.groups;
  d.K_g = d.K / p.groups;
  return d;
}

// A dense NCHW copy of a kernel input (or the input itself when already so).
Tensor dense(const Tensor& t) { return t.detach().contiguous(); }

}  // namespace

// x [N, C, H, W], w [K, C/groups, R, S], b [K] or undefined -> y [N, K, P, Q].
// y[n, k, p, q] = b[k] + sum_{c, r, s} x[n, g*C_g + c, p*stride - pad + r*dil, q*stride - pad + s*dil] * w[k, c, r, s]
Tensor RefBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) {
  const ConvDims d = conv_dims(x.shape(), w.shape(), p);
  const Tensor xc = dense(x), wc = dense(w);
  const float* X = xc.data<float>();
  const float* Wt = wc.data<float>();
  const Tensor bc = b.defined() ? dense(b) : Tensor();
  const float* B = bc.defined() ? bc.data<float>() : nullptr;
  Tensor y = Tensor::empty({d.N, d.K, d.P, d.Q});
  float* Y = y.data<float>();
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t k = 0; k < d.K; ++k) {
      const int64_t g = k / d.K_g;
      for (int64_t oh = 0; oh < d.P; ++oh)
        for (int64_t ow = 0; ow < d.Q; ++ow) {
          double acc = B ? B[k] : 0.0;
          for (int64_t c = 0; c < d.C_g; ++c)
            for (int64_t r = 0; r < d.R; ++r) {
              const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
              if (ih < 0 || ih >= d.H) continue;
              for (int64_t s = 0; s < d.S; ++s) {
                const int64_t iw = ow * p.stride_w - p.pad_left + s * p.dilation_w;
                if (iw < 0 || iw >= d.W) continue;
                const float xv = X[((n * d.C + g * d.C_g + c) * d.H + ih) * d.W + iw];
                const float wv = Wt[((k * d.C_g + c) * d.R + r) * d.S + s];
                acc += static_cast<double>(xv) * wv;
              }
            }
          Y[((n * d.K + k) * d.P + oh) * d.Q + ow] = static_cast<float>(acc);
        }
    }
  return y;
}

// dy [N, K, P, Q], w [K, C/groups, R, S] -> dx of x_shape [N, C, H, W].
// Scatters each output gradient back along the taps that produced it (the transpose of the forward loop).
Tensor RefBackend::conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                                        const ConvParams& p) {
  const ConvDims d = conv_dims(x_shape, w.shape(), p);
  const Tensor dyc = dense(dy), wc = dense(w);
  const float* DY = dyc.data<float>();
  const float* Wt = wc.data<float>();
  std::vector<double> acc(static_cast<size_t>(x_shape.numel()), 0.0);
  for (int64_t n = 0; n < d.N; ++n)
    for (int64_t k = 0; k < d.K; ++k) {
      const int64_t g = k / d.K_g;
      for (int64_t oh = 0; oh < d.P; ++oh)
        for (int64_t ow = 0; ow < d.Q; ++ow) {
          const double gy = DY[((n * d.K + k) * d.P + oh) * d.Q + ow];
          for (int64_t c = 0; c < d.C_g; ++c)
            for (int64_t r = 0; r < d.R; ++r) {
              const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
              if (ih < 0 || ih >= d.H) continue;
              for (int64_t s = 0; s < d.S; ++s) {
                const int64_t iw = ow * p.stride_w - p.pad_left + s * p.dilation_w;
                if (iw < 0 || iw >= d.W) continue;
                const size_t xi = static_cast<size_t>(((n * d.C + g * d.C_g + c) * d.H + ih) * d.W + iw);
                acc[xi] += gy * Wt[((k * d.C_g + c) * d.R + r) * d.S + s];
              }
            }
        }
    }
  Tensor dx = Tensor::empty(x_shape);
  float* DX = dx.data<float>();
  for (size_t i = 0; i < acc.size(); ++i) DX[i] = static_cast<float>(acc[i]);
  return dx;
}

// dy [N, K, P, Q], x [N, C, H, W] -> {dw of w_shape [K, C/groups, R, S], db [K] (undefined unless with_bias)}.
// dw[k, c, r, s] = sum_{n, p, q} dy[n, k, p, q] * x[n, g*C_g + c, p*stride - pad + r*dil, ...]; db[k] = sum dy[:, k].
std::pair<Tensor, Tensor> RefBackend::conv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                              bool with_bias, const ConvParams& p) {
  const ConvDims d = conv_dims(x.shape(), w_shape, p);
  const Tensor dyc = dense(dy), xc = dense(x);
  const float* DY = dyc.data<float>();
  const float* X = xc.data<float>();
  Tensor dw = Tensor::empty(w_shape);
  float* DW = dw.data<float>();
  for (int64_t k = 0; k < d.K; ++k) {
    const int64_t g = k / d.K_g;
    for (int64_t c = 0; c < d.C_g; ++c)
      for (int64_t r = 0; r < d.R; ++r)
        for (int64_t s = 0; s < d.S; ++s) {
          double acc = 0.0;
          for (int64_t n = 0; n < d.N; ++n)
            for (int64_t oh = 0; oh < d.P; ++oh) {
              const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
              if (ih < 0 || ih >= d.H) continue;
              for (int64_t ow = 0; ow < d.Q; ++ow) {
                const int64_t iw = ow * p.stride_w - p.pad_left + s * p.dilation_w;
                if (iw < 0 || iw >= d.W) continue;
                acc += static_cast<double>(DY[((n * d.K + k) * d.P + oh) * d.Q + ow]) *
                       X[((n * d.C + g * d.C_g + c) * d.H + ih) * d.W + iw];
              }
            }
          DW[((k * d.C_g + c) * d.R + r) * d.S + s] = static_cast<float>(acc);
        }
  }
  Tensor db;
  if (with_bias) {
    db = Tensor::empty({d.K});
    float* DB = db.data<float>();
    for (int64_t k = 0; k < d.K; ++k) {
      double acc = 0.0;
      for (int64_t n = 0; n < d.N; ++n)
        for (int64_t i = 0; i < d.P * d.Q; ++i) acc += DY[(n * d.K + k) * d.P * d.Q + i];
      DB[k] = static_cast<float>(acc);
    }
  }
  return {dw, db};
}

}  // namespace cnn

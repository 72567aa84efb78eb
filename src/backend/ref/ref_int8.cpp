// RefBackend int8 inference: quantisation to int8 and the int8 convolution and linear layers as direct loops with
// int32 sums. The specification the oneDNN int8 kernels are tested against; no intrinsics, no threads.
#include <cnn/window_size.h>

#include <algorithm>
#include <cmath>

#include "backend/ref/ref_backend.h"
#include "tensor/raw.h"

namespace cnn {

namespace {

int8_t saturate(float v) { return static_cast<int8_t>(std::clamp(std::nearbyint(v), -128.0f, 127.0f)); }

}  // namespace

Tensor RefBackend::quantize_int8(const Tensor& x, float scale) {
  const Tensor xc = raw::contiguous(x);
  Tensor q = Tensor::empty(x.shape(), DType::i8);
  const float inv = 1.0f / scale;
  const float* src = xc.data<float>();
  int8_t* dst = q.data<int8_t>();
  for (int64_t i = 0; i < x.numel(); ++i) dst[i] = saturate(src[i] * inv);
  return q;
}

Tensor RefBackend::conv2d_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b,
                                       const ConvParams& p) {
  const Tensor x = raw::contiguous(xq), w = raw::contiguous(wq);
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t K = w.size(0), Cg = w.size(1), R = w.size(2), S = w.size(3), Kg = K / p.groups;
  const int64_t P = window_output_size(H, R, p.stride_h, p.pad_top, p.pad_bottom, p.dilation_h);
  const int64_t Q = window_output_size(W, S, p.stride_w, p.pad_left, p.pad_right, p.dilation_w);
  Tensor y = Tensor::empty({N, K, P, Q});
  const int8_t* xs = x.data<int8_t>();
  const int8_t* ws = w.data<int8_t>();
  const Tensor sct = raw::contiguous(scales);
  const float* sc = sct.data<float>();
  const Tensor bc = b.defined() ? raw::contiguous(b) : Tensor();
  const float* bias = b.defined() ? bc.data<float>() : nullptr;
  float* ys = y.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k) {
      const int64_t g = k / Kg;
      for (int64_t oh = 0; oh < P; ++oh)
        for (int64_t ow = 0; ow < Q; ++ow) {
          int32_t acc = 0;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t r = 0; r < R; ++r) {
              const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
              if (ih < 0 || ih >= H) continue;
              for (int64_t s = 0; s < S; ++s) {
                const int64_t iw = ow * p.stride_w - p.pad_left + s * p.dilation_w;
                if (iw < 0 || iw >= W) continue;
                acc += static_cast<int32_t>(xs[((n * C + g * Cg + c) * H + ih) * W + iw]) *
                       static_cast<int32_t>(ws[((k * Cg + c) * R + r) * S + s]);
              }
            }
          ys[((n * K + k) * P + oh) * Q + ow] = sc[k] * static_cast<float>(acc) + (bias ? bias[k] : 0.0f);
        }
    }
  return y;
}

Tensor RefBackend::linear_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b) {
  const Tensor x = raw::contiguous(xq), w = raw::contiguous(wq);
  const int64_t N = x.size(0), I = x.size(1), O = w.size(0);
  Tensor y = Tensor::empty({N, O});
  const int8_t* xs = x.data<int8_t>();
  const int8_t* ws = w.data<int8_t>();
  const Tensor sct = raw::contiguous(scales);
  const float* sc = sct.data<float>();
  const Tensor bc = b.defined() ? raw::contiguous(b) : Tensor();
  const float* bias = b.defined() ? bc.data<float>() : nullptr;
  float* ys = y.data<float>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t o = 0; o < O; ++o) {
      int32_t acc = 0;
      for (int64_t i = 0; i < I; ++i)
        acc += static_cast<int32_t>(xs[n * I + i]) * static_cast<int32_t>(ws[o * I + i]);
      ys[n * O + o] = sc[o] * static_cast<float>(acc) + (bias ? bias[o] : 0.0f);
    }
  return y;
}

}  // namespace cnn

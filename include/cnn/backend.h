// Backend: the kernel interface every op dispatches to, one method per oneDNN-style primitive.
// Not autograd and not validation: ops check shapes and record gradients; backends only compute.
// Methods take and return plain data tensors (strides tell the memory format); see docs/design.md, Note [Backends].
#pragma once

#include <cnn/tensor.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace cnn {

/// Convolution geometry, already resolved by the op (asymmetric padding allowed, as "same" needs).
struct ConvParams {
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t groups = 1;
};

enum class PoolKind { max, avg_include_pad, avg_exclude_pad };

/// Pooling geometry with the output size already resolved by the op (ceil_mode is folded into out_h/out_w).
/// A window starts at o*stride - pad; average divisors follow PyTorch (include_pad: the window clipped to the
/// padded input; exclude_pad: the in-bounds elements).
struct PoolParams {
  PoolKind kind = PoolKind::max;
  int64_t kernel_h = 1, kernel_w = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t out_h = 0, out_w = 0;
};

enum class EltwiseKind {
  relu, clip, sigmoid, tanh, exp, log, sqrt, pow, linear, abs,
  gelu_erf, gelu_tanh, swish, hardswish, hardsigmoid, elu, selu, mish
};
/// relu: x>0 ? x : alpha*x (leaky slope alpha); clip: min(max(x, alpha), beta); pow: x^alpha;
/// linear: alpha*x + beta; gelu_erf: x/2 (1 + erf(x/sqrt 2)); gelu_tanh: x/2 (1 + tanh(sqrt(2/pi)(x + 0.044715x^3)));
/// swish: x sigmoid(alpha*x) (silu is alpha 1); hardswish: x relu6(x+3)/6; hardsigmoid: relu6(x+3)/6;
/// elu: x>0 ? x : alpha*(e^x - 1); selu: beta * elu (SELU: alpha 1.6733, beta 1.0507); mish: x tanh(ln(1 + e^x)).
struct EltwiseParams {
  EltwiseKind kind = EltwiseKind::relu;
  float alpha = 0.0f;
  float beta = 0.0f;
};

/// Local response normalisation across channels, PyTorch's formula: y = x / (k + alpha/size * s)^beta, s the sum
/// of x^2 over channels [c - size/2, c + (size-1)/2] (zero outside).
struct LrnParams {
  int64_t size = 5;
  double alpha = 1e-4, beta = 0.75, k = 1.0;
};

enum class ResamplingKind { nearest, bilinear };
/// Interpolation with the output size resolved by the op. scale_h/scale_w are the user's scale factors, 0 when a
/// size was given; PyTorch's index rules then use in/out instead of 1/scale (see ref_resampling.cpp).
struct ResamplingParams {
  ResamplingKind kind = ResamplingKind::nearest;
  bool align_corners = false;
  int64_t out_h = 0, out_w = 0;
  double scale_h = 0.0, scale_w = 0.0;
};

/// Whether this CPU has bfloat16 instructions (avx512_bf16 or AMX-BF16), read at run time through oneDNN
/// (DNNL_MAX_CPU_ISA lowers it, as for oneDNN itself).
bool cpu_has_native_bf16();
/// The instruction set oneDNN dispatches to on this CPU ("avx512_core_amx", "avx512_core_bf16", "avx2", ...).
std::string cpu_isa_name();

/// What a backend did since its counters were last reset: the figures the benchmark and the layout tests read
/// (a training step of a channels-last model should copy no activation and create no primitive once warm).
struct BackendCounters {
  int64_t primitives_created = 0;   // primitive cache misses: kernels built (oneDNN JIT)
  int64_t primitives_reused = 0;    // primitive cache hits
  int64_t activation_reorders = 0;  // activations or their gradients copied into another memory format
  int64_t weight_reorders = 0;      // weights (or weight gradients) reordered to or from a kernel's layout
};

enum class BinaryKind { add, sub, mul, div, max, min };
enum class ReduceKind { sum, mean, max, min };

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  /// Whether conv2d, deconv2d, linear and matmul accept bf16 operands here at full speed (autocast; see
  /// autocast.h). Those methods then take x/w (forward), dy/w (backward data) and dy/x (backward weights) as
  /// bf16 or all f32, accumulate in f32, and return f32. The reference computes bf16 exactly by widening.
  virtual bool supports_bf16() const { return true; }
  /// This backend's counters (all zero for the reference, which has no primitives and no layouts of its own).
  virtual BackendCounters counters() const { return {}; }
  virtual void reset_counters() {}

  // ---- Convolution ----
  // x [N, C, H, W], w [K, C/groups, R, S], b [K] or undefined -> y [N, K, P, Q].
  virtual Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) = 0;
  // dy [N, K, P, Q], w [K, C/groups, R, S] -> dx of x_shape [N, C, H, W].
  virtual Tensor conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                                      const ConvParams& p) = 0;
  // dy [N, K, P, Q], x [N, C, H, W] -> {dw of w_shape [K, C/groups, R, S], db [K] (undefined unless with_bias)}.
  virtual std::pair<Tensor, Tensor> conv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                            bool with_bias, const ConvParams& p) = 0;

  // ---- Transposed convolution (deconvolution), weights laid out as PyTorch's ConvTranspose2d ----
  // p is the geometry of the convolution being transposed (x plays its output, y its input), with
  // pad_bottom = padding_h - output_padding_h and pad_right = padding_w - output_padding_w (either may be negative):
  // OH = (H - 1) * stride_h - pad_top - pad_bottom + dilation_h * (R - 1) + 1, and OW likewise.
  // x [N, C_in, H, W], w [C_in, C_out/groups, R, S], b [C_out] or undefined -> y [N, C_out, OH, OW].
  virtual Tensor deconv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) = 0;
  // dy [N, C_out, OH, OW], w [C_in, C_out/groups, R, S] -> dx of x_shape [N, C_in, H, W].
  virtual Tensor deconv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape,
                                        const ConvParams& p) = 0;
  // dy [N, C_out, OH, OW], x [N, C_in, H, W] -> {dw of w_shape [C_in, C_out/groups, R, S], db [C_out] (undefined
  // unless with_bias)}.
  virtual std::pair<Tensor, Tensor> deconv2d_backward_weights(const Tensor& dy, const Tensor& x,
                                                              const Shape& w_shape, bool with_bias,
                                                              const ConvParams& p) = 0;

  // ---- Fully connected (inner product) ----
  // x [N, I], w [O, I], b [O] or undefined -> y [N, O] = x w^T + b.
  virtual Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) = 0;
  // dy [N, O], w [O, I] -> dx [N, I].
  virtual Tensor linear_backward_data(const Tensor& dy, const Tensor& w) = 0;
  // dy [N, O], x [N, I] -> {dw [O, I], db [O] (undefined unless with_bias)}.
  virtual std::pair<Tensor, Tensor> linear_backward_weights(const Tensor& dy, const Tensor& x, bool with_bias) = 0;

  // ---- int8 inference (post-training quantisation; no backward) ----
  // x f32 [N, C, H, W] or [N, I] -> i8 of x's shape (memory format: the backend's), saturate(nearbyint(x / scale))
  // computed as x * (1 / scale) in float, as oneDNN's scaled reorder does.
  virtual Tensor quantize_int8(const Tensor& x, float scale) = 0;
  // xq i8 [N, C, H, W], wq i8 [K, C/groups, R, S], scales f32 [K] (the input's scale times each output channel's
  // weight scale), b f32 [K] or undefined -> y f32 [N, K, P, Q] = scales[k] * sum(xq * wq) + b[k] (sums in int32).
  virtual Tensor conv2d_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b,
                                     const ConvParams& p) = 0;
  // xq i8 [N, I], wq i8 [O, I], scales f32 [O], b f32 [O] or undefined -> y f32 [N, O], as conv2d_int8_forward.
  virtual Tensor linear_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b) = 0;

  // ---- Matrix multiply ----
  // a [B, M, K] (or [B, K, M] when trans_a), b [B, K, N] (or [B, N, K] when trans_b) -> [B, M, N].
  virtual Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) = 0;

  // ---- Pooling ----
  // x [N, C, H, W] -> {y [N, C, out_h, out_w], indices i64 of y's shape (max only: flat h*W+w per plane)}.
  virtual std::pair<Tensor, Tensor> pool2d_forward(const Tensor& x, const PoolParams& p) = 0;
  // dy [N, C, out_h, out_w], indices (max) -> dx of x_shape.
  virtual Tensor pool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape,
                                 const PoolParams& p) = 0;
  // Adaptive pooling (PyTorch's start = floor(i*H/out), end = ceil((i+1)*H/out)); max returns indices as above.
  virtual std::pair<Tensor, Tensor> adaptive_pool2d_forward(const Tensor& x, bool is_max, int64_t out_h,
                                                            int64_t out_w) = 0;
  virtual Tensor adaptive_pool2d_backward(const Tensor& dy, const Tensor& indices, bool is_max,
                                          const Shape& x_shape) = 0;

  // ---- Max unpooling (no oneDNN primitive) ----
  // x [N, C, H, W], indices i64 [N, C, H, W] (flat oh*out_w+ow per plane, checked by the op)
  // -> y [N, C, out_h, out_w]: y[idx] = x, zeros elsewhere; of repeated indices the last in row-major order wins.
  virtual Tensor max_unpool2d_forward(const Tensor& x, const Tensor& indices, int64_t out_h, int64_t out_w) = 0;
  // dy [N, C, out_h, out_w], indices [N, C, H, W] -> dx [N, C, H, W] = dy gathered at the indices.
  virtual Tensor max_unpool2d_backward(const Tensor& dy, const Tensor& indices) = 0;

  // ---- Batch normalisation (channel is dim 1; x is [N, C] or [N, C, *]) ----
  struct BatchNormStats {
    Tensor y;        // like x
    Tensor mean;     // [C] batch mean
    Tensor var;      // [C] biased batch variance
    Tensor invstd;   // [C] 1 / sqrt(var + eps)
  };
  // gamma, beta [C] or undefined (affine=false).
  virtual BatchNormStats batchnorm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                                    double eps) = 0;
  virtual Tensor batchnorm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                             const Tensor& mean, const Tensor& var, double eps) = 0;
  struct BatchNormGrads {
    Tensor dx, dgamma, dbeta;
  };
  // Training-mode backward through the batch statistics.
  virtual BatchNormGrads batchnorm_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                                            const Tensor& mean, const Tensor& invstd, bool need_dx,
                                            bool need_affine) = 0;

  // ---- Local response normalisation across channels (see LrnParams) ----
  // x [N, C, *] -> y like x.
  virtual Tensor lrn_forward(const Tensor& x, const LrnParams& p) = 0;
  // dy, x [N, C, *] -> dx like x.
  virtual Tensor lrn_backward(const Tensor& dy, const Tensor& x, const LrnParams& p) = 0;

  // ---- Resampling (interpolate; see ResamplingParams) ----
  // x [N, C, H, W] -> y [N, C, out_h, out_w].
  virtual Tensor resampling_forward(const Tensor& x, const ResamplingParams& p) = 0;
  // dy [N, C, out_h, out_w] -> dx of x_shape [N, C, H, W].
  virtual Tensor resampling_backward(const Tensor& dy, const Shape& x_shape, const ResamplingParams& p) = 0;

  // ---- Elementwise ----
  virtual Tensor eltwise_forward(const Tensor& x, const EltwiseParams& p) = 0;
  // dx = dy * f'(x); x is the input, y the forward output (either may be used).
  virtual Tensor eltwise_backward(const Tensor& dy, const Tensor& x, const Tensor& y, const EltwiseParams& p) = 0;
  // a, b broadcastable -> out of the broadcast shape.
  virtual Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b) = 0;

  // ---- PReLU (channel is dim 1) ----
  // x [N, C, *] (any shape when w has one element), w [1] or [C] -> y like x: x > 0 ? x : w[c] x.
  virtual Tensor prelu_forward(const Tensor& x, const Tensor& w) = 0;
  struct PreluGrads {
    Tensor dx, dw;  // undefined unless asked for
  };
  // dy like x -> dx like x (x > 0 ? dy : w[c] dy) and dw like w (the sum of x dy over x <= 0, per channel).
  virtual PreluGrads prelu_backward(const Tensor& dy, const Tensor& x, const Tensor& w, bool need_dx,
                                    bool need_dw) = 0;

  // ---- Reductions ----
  // Reduces x over `dims` (sorted, distinct); keepdim keeps them as size 1.
  virtual Tensor reduce(ReduceKind kind, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) = 0;
  // Max or min along one dim -> {values, i64 indices}.
  virtual std::pair<Tensor, Tensor> arg_reduce(bool is_max, const Tensor& x, int64_t dim, bool keepdim) = 0;
  // Scatters src (of the indices' shape) into zeros of out_shape along dim (the backward of arg_reduce, gather).
  virtual Tensor scatter_add(const Tensor& src, const Tensor& indices, int64_t dim, const Shape& out_shape) = 0;

  // ---- Softmax ----
  // Softmax (or log-softmax) along dim.
  virtual Tensor softmax_forward(const Tensor& x, int64_t dim, bool log) = 0;
  // y is the forward output; dx = y*(dy - sum(dy*y)) or dy - exp(y)*sum(dy).
  virtual Tensor softmax_backward(const Tensor& dy, const Tensor& y, int64_t dim, bool log) = 0;

  // ---- Losses (rows of [N, C] log-probabilities) ----
  // logp [N, C], target i64 [N] -> per-sample loss [N] = -(1-eps) logp[t] - eps/C sum_c logp[c]; ignore_index rows 0.
  virtual Tensor nll_forward(const Tensor& logp, const Tensor& target, double label_smoothing,
                             int64_t ignore_index) = 0;
  // dloss [N] (per-sample upstream gradient) -> dlogp [N, C].
  virtual Tensor nll_backward(const Tensor& dloss, const Tensor& target, int64_t num_classes,
                              double label_smoothing, int64_t ignore_index) = 0;
};

/// The backend ops dispatch to (default "onednn", or $CNN_BACKEND).
Backend& backend();
/// Switches the backend: "ref" or "onednn". Throws on any other name.
void set_backend(const std::string& name);
/// The reference backend, whatever is selected (for parity tests).
Backend& ref_backend();
/// Names of the available backends.
std::vector<std::string> available_backends();

/// Threads used by backends (OpenMP and oneDNN); as torch.set_num_threads.
void set_num_threads(int threads);
int get_num_threads();

/// RAII: selects a backend for a scope, restoring the previous one after.
class BackendGuard {
 public:
  explicit BackendGuard(const std::string& name);
  ~BackendGuard();
  BackendGuard(const BackendGuard&) = delete;
  BackendGuard& operator=(const BackendGuard&) = delete;

 private:
  std::string previous_;
};

}  // namespace cnn

// The functional API, like torch.nn.functional: every differentiable op in one table of contents.
// Not the kernels (backend.h) and not the layers that hold parameters (nn.h).
#pragma once

#include <cnn/autograd.h>
#include <cnn/backend.h>
#include <cnn/options.h>
#include <cnn/tensor.h>

#include <optional>
#include <string>
#include <vector>

namespace cnn {

// ---- Arithmetic with broadcasting (ops/binary.cpp) ----
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor sub(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor div(const Tensor& a, double b);
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, double b);
Tensor operator-(const Tensor& a, double b);
Tensor operator*(const Tensor& a, double b);
Tensor operator/(const Tensor& a, double b);
Tensor operator+(double a, const Tensor& b);
Tensor operator-(double a, const Tensor& b);
Tensor operator*(double a, const Tensor& b);
Tensor operator/(double a, const Tensor& b);
Tensor operator-(const Tensor& a);

// ---- Elementwise math and activations (ops/eltwise.cpp) ----
Tensor neg(const Tensor& x);
Tensor pow(const Tensor& x, double exponent);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor abs(const Tensor& x);
/// Clamps to [min, max]; std::nullopt leaves that side open.
Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max);
Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);

// ---- Reductions (ops/reduce.cpp) ----
Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<int64_t>& dims, bool keepdim = false);
/// Maximum over all elements.
Tensor max(const Tensor& x);
/// Maximum along dim: {values, indices}, as torch.max(x, dim).
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
Tensor min(const Tensor& x);
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
/// Index of the maximum along dim (i64, not differentiable).
Tensor argmax(const Tensor& x, int64_t dim, bool keepdim = false);
/// Sums `x` down to `shape` over broadcast dimensions (the backward of broadcasting).
Tensor sum_to(const Tensor& x, const Shape& shape);

// ---- Linear algebra (ops/linalg.cpp) ----
/// torch.matmul semantics: 1-D, 2-D and batched N-D with broadcasting of batch dims.
Tensor matmul(const Tensor& a, const Tensor& b);
/// y = x w^T + b, as F.linear. x [*, in], w [out, in], b [out] or undefined.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b = Tensor());

// ---- Shape (ops/shape.cpp; the Tensor methods view/reshape/permute/... forward here) ----
Tensor view(const Tensor& x, const Shape& shape);
Tensor reshape(const Tensor& x, const Shape& shape);
Tensor permute(const Tensor& x, const std::vector<int64_t>& dims);
Tensor flatten(const Tensor& x, int64_t start_dim = 1, int64_t end_dim = -1);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);

// ---- Convolution (ops/conv.cpp) ----
/// x [N, C, H, W], w [K, C/groups, R, S], b [K] or undefined.
Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& b = Tensor(), const Conv2dOptions& options = {});
/// The resolved geometry conv2d would use (for analysis and for layers).
ConvParams conv2d_params(const Shape& x, const Shape& w, const Conv2dOptions& options);
Shape conv2d_output_shape(const Shape& x, const Shape& w, const Conv2dOptions& options);

// ---- Pooling (ops/pool.cpp) ----
Tensor max_pool2d(const Tensor& x, const MaxPool2dOptions& options = {});
/// Also returns the flat indices of the maxima (h*W + w in each plane), as return_indices=True.
std::pair<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const MaxPool2dOptions& options = {});
Tensor avg_pool2d(const Tensor& x, const AvgPool2dOptions& options = {});
Tensor adaptive_avg_pool2d(const Tensor& x, Pair2 output_size);
Tensor adaptive_max_pool2d(const Tensor& x, Pair2 output_size);
std::pair<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& x, Pair2 output_size);
/// PyTorch's pooling output size: floor or ceil((in + 2p - d(k-1) - 1)/s) + 1, the last window starting inside.
int64_t pool_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation, bool ceil_mode);

// ---- Normalisation and regularisation (ops/norm.cpp, ops/dropout.cpp) ----
/// x [N, C] or [N, C, *]. In training, uses batch statistics and updates running_mean/var in place
/// (momentum; unbiased variance), when they are defined. gamma/beta undefined means affine=false.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& gamma,
                  const Tensor& beta, bool training, const BatchNormOptions& options = {});
/// Zeroes each element with probability p and scales the rest by 1/(1-p) when training; identity otherwise.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true);

// ---- int8 inference (ops/quantized.cpp; inference only, no backward) ----
/// x f32 -> int8 saturate(round(x / scale)): symmetric, per tensor.
Tensor quantize_per_tensor(const Tensor& x, double scale);
/// xq int8 [N, C, H, W] (quantised with input_scale), wq int8 [K, C/groups, R, S] with per-channel weight_scale
/// [K], bias f32 [K] or undefined -> f32 input_scale * weight_scale[k] * sum(xq * wq) + bias[k]; options as conv2d.
Tensor conv2d_int8(const Tensor& xq, double input_scale, const Tensor& wq, const Tensor& weight_scale, const Tensor& b,
                   const Conv2dOptions& options = {});
/// xq int8 [N, I], wq int8 [O, I], weight_scale [O], bias [O] or undefined -> f32 [N, O], as conv2d_int8.
Tensor linear_int8(const Tensor& xq, double input_scale, const Tensor& wq, const Tensor& weight_scale, const Tensor& b);

// ---- Softmax and losses (ops/softmax.cpp, ops/loss.cpp) ----
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
/// logits [N, C], target i64 [N] of class indices. Fused log-softmax + NLL.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});
/// logits [N, C], target f32 [N, C] of class probabilities (mixup's soft targets): sum over C of -target *
/// log_softmax(logits), reduced over N, as timm's SoftTargetCrossEntropy (mean) and F.cross_entropy with
/// probability targets.
Tensor soft_target_cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::mean);
/// logp [N, C] log-probabilities, target i64 [N].
Tensor nll_loss(const Tensor& logp, const Tensor& target, const NllLossOptions& options = {});
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

// ---- Transposed and 1-D convolution (ops/conv_transpose.cpp, ops/conv.cpp) ----
/// x [N, C_in, H, W], w [C_in, C_out/groups, kH, kW] (PyTorch's layout), b [C_out] or undefined.
/// Output size: (H - 1)*stride - 2*padding + dilation*(kH - 1) + output_padding + 1, likewise for W.
/// Usage: conv_transpose2d(x, w, b, {.stride = 2, .padding = 1})
Tensor conv_transpose2d(const Tensor& x, const Tensor& w, const Tensor& b = Tensor(),
                        const ConvTranspose2dOptions& options = {});
/// The backend geometry conv_transpose2d uses (see Backend::deconv2d_forward).
ConvParams conv_transpose2d_params(const Shape& x, const Shape& w, const ConvTranspose2dOptions& options);
Shape conv_transpose2d_output_shape(const Shape& x, const Shape& w, const ConvTranspose2dOptions& options);
/// The output_padding that makes conv_transpose2d produce spatial size `output_size`, as ConvTranspose2d's
/// forward(input, output_size); throws when no output_padding in [0, stride) reaches it.
Pair2 conv_transpose2d_output_padding(const Shape& x, const Shape& w, const ConvTranspose2dOptions& options,
                                      Pair2 output_size);
/// x [N, C, L], w [K, C/groups, k], b [K] or undefined: conv2d on x.unsqueeze(2).
Tensor conv1d(const Tensor& x, const Tensor& w, const Tensor& b = Tensor(), const Conv1dOptions& options = {});

// ---- Unpooling (ops/unpool.cpp) ----
/// Puts each x element at its max_pool2d_with_indices index in a zero [N, C, out_h, out_w] (or [C, ...]) output;
/// out = (in - 1)*stride - 2*padding + kernel_size unless options.output_size says otherwise.
Tensor max_unpool2d(const Tensor& x, const Tensor& indices, const MaxUnpool2dOptions& options = {});
/// The [out_h, out_w] max_unpool2d produces for spatial input size `in` (checks output_size as PyTorch).
Pair2 max_unpool2d_output_size(Pair2 in, const MaxUnpool2dOptions& options);

// ---- More normalisation (ops/normalization.cpp, ops/lrn.cpp, ops/dropout.cpp) ----
/// x [N, C, *]: statistics over each group of C/num_groups channels and *, per sample; weight/bias [C] or undefined.
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                  double eps = 1e-5);
/// Statistics over the last normalized_shape.dim() dimensions, which must equal normalized_shape;
/// weight/bias of normalized_shape or undefined.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);
/// x [N, C, *]: statistics per sample and channel when use_input_stats (updating running_mean/var in place when
/// defined, averaged over the batch), else the running statistics; weight/bias [C] or undefined.
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = Tensor(), const Tensor& running_var = Tensor(),
                     const Tensor& weight = Tensor(), const Tensor& bias = Tensor(),
                     const InstanceNormOptions& options = {});
/// x [N, C, *]: x / (k + alpha/size * sum of x^2 over `size` neighbouring channels)^beta (AlexNet's LRN).
Tensor local_response_norm(const Tensor& x, int64_t size, const LocalResponseNormOptions& options = {});
/// Zeroes whole channels of x [N, C, H, W] (or [C, H, W]) with probability p, scaling the rest by 1/(1-p).
/// 3-D input is [C, H, W] as PyTorch documents it (torch 1.13 itself still reads it as [N, C, L], with a warning).
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true);

// ---- More activations (ops/eltwise.cpp) ----
/// approximate "none" (exact, with erf) or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
/// x * sigmoid(x), also called swish.
Tensor silu(const Tensor& x);
/// x * relu6(x + 3) / 6.
Tensor hardswish(const Tensor& x);
/// relu6(x + 3) / 6.
Tensor hardsigmoid(const Tensor& x);
/// x > 0 ? x : alpha * (exp(x) - 1).
Tensor elu(const Tensor& x, double alpha = 1.0);
/// scale * elu(x, alpha) with SELU's fixed alpha 1.6732632423543772 and scale 1.0507009873554805.
Tensor selu(const Tensor& x);
/// x * tanh(softplus(x)).
Tensor mish(const Tensor& x);
/// x > 0 ? x : weight[c] * x, c the channel (dim 1); weight [1] (one slope shared) or [C]. Usage: prelu(x, w)
Tensor prelu(const Tensor& x, const Tensor& weight);

// ---- Resampling and rearranging (ops/interpolate.cpp, ops/rearrange.cpp) ----
/// x [N, C, H, W] resized by "nearest" or "bilinear" with PyTorch's index rules. Usage:
/// interpolate(x, {.scale_factor = 2, .mode = "bilinear", .align_corners = false})
Tensor interpolate(const Tensor& x, const InterpolateOptions& options);
/// The (H, W) interpolate produces for input spatial size `in`: size, or floor(in * scale_factor).
Pair2 interpolate_output_size(Pair2 in, const InterpolateOptions& options);
/// Pads the last two dimensions with zeros: (left, right, top, bottom); negative amounts crop, as F.pad.
Tensor zero_pad2d(const Tensor& x, Pad4 padding);
/// x [N, C, *] -> channels regrouped as (C/groups, groups): the shuffle of ShuffleNet.
Tensor channel_shuffle(const Tensor& x, int64_t groups);

}  // namespace cnn

// The functional API, like torch.nn.functional: every differentiable op in one table of contents.
// Not the kernels (backend.h) and not the layers that hold parameters (nn.h).
#pragma once

#include <cnn/autograd.h>
#include <cnn/backend.h>
#include <cnn/options.h>
#include <cnn/tensor.h>

#include <optional>
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

// ---- Softmax and losses (ops/softmax.cpp, ops/loss.cpp) ----
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);
/// logits [N, C], target i64 [N] of class indices. Fused log-softmax + NLL.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options = {});
/// logp [N, C] log-probabilities, target i64 [N].
Tensor nll_loss(const Tensor& logp, const Tensor& target, const NllLossOptions& options = {});
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);

}  // namespace cnn

// group_norm, layer_norm and instance_norm: shape checks, running statistics (instance_norm) and autograd.
// Each standardises rows of x seen as [1, R, L] with the batch-norm kernels (one sample, R channels: PyTorch's own
// formulation), then applies the affine weight and bias with broadcasting ops. Not batch_norm itself (norm.cpp).
#include <cnn/ops.h>

#include <string>

namespace cnn {

namespace {

// x seen as [1, rows, L]: each row minus its mean, over sqrt(its biased variance + eps). Returns y of x's shape and
// the per-row mean and biased variance [rows].
struct Standardized {
  Tensor y, mean, var;
};
Standardized standardize_rows(const Tensor& x, int64_t rows, double eps, const char* node) {
  const Tensor x3 = x.reshape({1, rows, x.numel() / rows});
  Backend::BatchNormStats s = backend().batchnorm_forward_training(x3.detach(), Tensor(), Tensor(), eps);
  const Tensor x_data = x3.detach(), mean = s.mean, invstd = s.invstd;
  const Tensor y = record(node, s.y, {x3}, [x_data, mean, invstd](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().batchnorm_backward(dy, x_data, Tensor(), mean, invstd, true, false).dx};
  });
  return {y.reshape(x.shape()), s.mean, s.var};
}

// y * weight + bias with weight/bias [C] broadcast along dim 1 of y [N, C, *]; either may be undefined.
Tensor channel_affine(Tensor y, const Tensor& weight, const Tensor& bias) {
  Shape s(std::vector<int64_t>(static_cast<size_t>(y.dim()), 1));
  s[1] = y.size(1);
  if (weight.defined()) y = y * weight.reshape(s);
  if (bias.defined()) y = y + bias.reshape(s);
  return y;
}

void check_input(const char* op, const Tensor& x, int64_t min_dim, const char* layout) {
  CNN_CHECK(x.defined(), "{}: input is undefined", op);
  CNN_CHECK(x.dim() >= min_dim, "{}: expected input {}, got input of shape {}", op, layout, x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected float32 input, got {}", op, dtype_name(x.dtype()));
}

void check_param(const char* op, const char* name, const Tensor& t, const Shape& want, const Tensor& x) {
  if (!t.defined()) return;
  CNN_CHECK(t.shape() == want && t.dtype() == DType::f32, "{}: expected {} of shape {} for input {}, got {} {}", op,
            name, want, x.shape(), name, t.shape());
}

int64_t spatial_numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d = 2; d < s.dim(); ++d) n *= s[d];
  return n;
}

}  // namespace

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias, double eps) {
  check_input("group_norm", x, 2, "[N, C, *]");
  const int64_t N = x.size(0), C = x.size(1);
  CNN_CHECK(num_groups > 0 && C % num_groups == 0,
            "group_norm: expected the number of channels to be divisible by num_groups, got input of shape {} and "
            "num_groups={}",
            x.shape(), num_groups);
  check_param("group_norm", "weight", weight, {C}, x);
  check_param("group_norm", "bias", bias, {C}, x);
  if (x.numel() == 0) return channel_affine(x, weight, bias);
  return channel_affine(standardize_rows(x, N * num_groups, eps, "NativeGroupNormBackward").y, weight, bias);
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight, const Tensor& bias,
                  double eps) {
  CNN_CHECK(x.defined(), "layer_norm: input is undefined");
  const int64_t k = normalized_shape.dim();
  bool fits = k >= 1 && x.dim() >= k;
  for (int64_t d = 0; fits && d < k; ++d) fits = x.size(x.dim() - k + d) == normalized_shape[d];
  std::string trailing;
  for (int64_t v : normalized_shape) trailing += ", " + std::to_string(v);
  CNN_CHECK(fits, "layer_norm: given normalized_shape={}, expected input with shape [*{}], but got input of shape {}",
            normalized_shape, trailing, x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "layer_norm: expected float32 input, got {}", dtype_name(x.dtype()));
  check_param("layer_norm", "weight", weight, normalized_shape, x);
  check_param("layer_norm", "bias", bias, normalized_shape, x);
  Tensor y = x;
  if (x.numel() > 0)
    y = standardize_rows(x, x.numel() / normalized_shape.numel(), eps, "NativeLayerNormBackward").y;
  if (weight.defined()) y = y * weight;
  if (bias.defined()) y = y + bias;
  return y;
}

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& weight,
                     const Tensor& bias, const InstanceNormOptions& o) {
  check_input("instance_norm", x, 3, "[N, C, *] with at least one spatial dimension");
  const int64_t N = x.size(0), C = x.size(1), L = spatial_numel(x.shape());
  check_param("instance_norm", "running_mean", running_mean, {C}, x);
  check_param("instance_norm", "running_var", running_var, {C}, x);
  check_param("instance_norm", "weight", weight, {C}, x);
  check_param("instance_norm", "bias", bias, {C}, x);
  CNN_CHECK(o.eps >= 0.0, "instance_norm: eps must be non-negative, got {}", o.eps);
  if (!o.use_input_stats) {
    CNN_CHECK(running_mean.defined() && running_var.defined(),
              "instance_norm: running_mean and running_var must be defined when use_input_stats is false (input {})",
              x.shape());
    return batch_norm(x, running_mean, running_var, weight, bias, false, {.momentum = o.momentum, .eps = o.eps});
  }
  CNN_CHECK(L > 1, "instance_norm: expected more than 1 spatial element when training, got input of shape {}",
            x.shape());
  const Standardized s = standardize_rows(x, N * C, o.eps, "NativeInstanceNormBackward");
  if (running_mean.defined() || running_var.defined()) {
    // Each sample updates its own copy of the running statistics; the copies are then averaged (PyTorch's rule).
    NoGradGuard no_grad;
    const double m = o.momentum, unbias = static_cast<double>(L) / static_cast<double>(L - 1);
    Tensor rm = running_mean, rv = running_var;
    if (rm.defined()) rm.copy_(rm * (1.0 - m) + mean(s.mean.reshape({N, C}), {0}) * m);
    if (rv.defined()) rv.copy_(rv * (1.0 - m) + mean(s.var.reshape({N, C}), {0}) * (m * unbias));
  }
  return channel_affine(s.y, weight, bias);
}

}  // namespace cnn

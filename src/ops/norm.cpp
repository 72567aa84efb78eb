// batch_norm: shape checks, running-statistics update and autograd for training and evaluation mode.
// Not the arithmetic: backend().batchnorm_* computes; channel is dim 1 and x is [N, C] or [N, C, *].
#include <cnn/ops.h>
#include <cnn/trace.h>

namespace cnn {

namespace {

void check_channels(const Tensor& t, const char* name, const Tensor& x) {
  if (!t.defined()) return;
  CNN_CHECK(t.dim() == 1 && t.size(0) == x.size(1), "batch_norm: expected {} of shape [{}] for input {}, got {} {}",
            name, x.size(1), x.shape(), name, t.shape());
  CNN_CHECK(t.dtype() == DType::f32, "batch_norm: expected float32 {}, got {}", name, dtype_name(t.dtype()));
}

int64_t values_per_channel(const Shape& s) {
  int64_t n = s[0];
  for (int64_t i = 2; i < s.dim(); ++i) n *= s[i];
  return n;
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& gamma,
                  const Tensor& beta, bool training, const BatchNormOptions& options) {
  CNN_CHECK(x.defined() && x.dim() >= 2, "batch_norm: expected input [N, C] or [N, C, *], got input of shape {}",
            x.defined() ? x.shape() : Shape{});
  CNN_CHECK(x.dtype() == DType::f32, "batch_norm: expected float32 input, got {}", dtype_name(x.dtype()));
  check_channels(running_mean, "running_mean", x);
  check_channels(running_var, "running_var", x);
  check_channels(gamma, "weight", x);
  check_channels(beta, "bias", x);
  CNN_CHECK(options.eps >= 0.0, "batch_norm: eps must be non-negative, got {}", options.eps);
  const int64_t count = values_per_channel(x.shape());
  const double eps = options.eps;

  // The backend sees both affine parameters or neither: weight-only or bias-only gets the identity for the other.
  const int64_t C = x.size(1);
  Tensor g = gamma.defined() ? gamma.detach() : Tensor(), b = beta.defined() ? beta.detach() : Tensor();
  if (g.defined() && !b.defined()) b = zeros({C});
  if (b.defined() && !g.defined()) g = ones({C});
  const Tensor x_data = x.detach();

  if (training) {
    CNN_CHECK(count > 1, "batch_norm: expected more than 1 value per channel when training, got input of shape {}",
              x.shape());
    Backend::BatchNormStats stats = backend().batchnorm_forward_training(x_data, g, b, eps);
    {
      // running = (1 - momentum) * running + momentum * batch statistic (variance unbiased), as PyTorch.
      NoGradGuard no_grad;
      const double m = options.momentum, unbias = static_cast<double>(count) / static_cast<double>(count - 1);
      Tensor rm = running_mean, rv = running_var;  // handles: copy_ writes the caller's buffers
      if (rm.defined()) rm.copy_(rm * (1.0 - m) + stats.mean * m);
      if (rv.defined()) rv.copy_(rv * (1.0 - m) + stats.var * (m * unbias));
    }
    const Tensor mean = stats.mean, invstd = stats.invstd;
    return record("NativeBatchNormBackward", stats.y, {x, gamma, beta},
                  [x_data, g, mean, invstd](const Tensor& dy, const NeedsGrad& needs) {
                    const Backend::BatchNormGrads r =
                        backend().batchnorm_backward(dy, x_data, g, mean, invstd, needs[0], needs[1] || needs[2]);
                    return std::vector<Tensor>{needs[0] ? r.dx : Tensor(), needs[1] ? r.dgamma : Tensor(),
                                               needs[2] ? r.dbeta : Tensor()};
                  });
  }

  CNN_CHECK(running_mean.defined() && running_var.defined(),
            "batch_norm: running_mean and running_var must be defined in evaluation mode (input {})", x.shape());
  // Snapshots, so that a later update of the running statistics cannot change this graph's gradient.
  const Tensor mean = running_mean.detach().clone(), var = running_var.detach().clone();
  Tensor y = backend().batchnorm_forward_inference(x_data, g, b, mean, var, eps);
  y = record("NativeBatchNormBackward", y, {x, gamma, beta},
                [x_data, g, mean, var, eps, C](const Tensor& dy, const NeedsGrad& needs) {
                  std::vector<Tensor> grads(3);
                  // With fixed statistics y is affine in x: dx = dy * gamma * invstd, which is batch norm
                  // inference of dy with zero mean and zero shift.
                  if (needs[0])
                    grads[0] = backend().batchnorm_forward_inference(dy, g, g.defined() ? zeros({C}) : Tensor(),
                                                                     zeros({C}), var, eps);
                  if (needs[1] || needs[2]) {
                    const Tensor invstd = 1.0 / sqrt(var + eps);
                    const Backend::BatchNormGrads r = backend().batchnorm_backward(dy, x_data, g, mean, invstd,
                                                                                  false, true);
                    if (needs[1]) grads[1] = r.dgamma;
                    if (needs[2]) grads[2] = r.dbeta;
                  }
                  return grads;
                });
  return trace_attributes(y, {.floats = {{"epsilon", eps}}, .tensors = {running_mean, running_var}});
}

}  // namespace cnn

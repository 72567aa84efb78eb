// Gradient clipping by total norm: torch.nn.utils.clip_grad_norm_ (1.13). Not value clipping.
#include <cnn/autograd.h>
#include <cnn/optim_utils.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cnn {

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type, bool error_if_nonfinite) {
  const bool inf_norm = std::isinf(norm_type) && norm_type > 0;
  CNN_CHECK(inf_norm || norm_type == 2.0, "clip_grad_norm_: norm_type must be 2 or inf, got {}", norm_type);
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  // Per-tensor norms in double, combined as torch.norm(torch.stack(norms)), then rounded to float as torch's is.
  double total = 0.0;
  for (const Tensor& g : grads) {
    const std::vector<float> v = g.to_vector<float>();
    double acc = 0.0;
    for (float x : v) acc = inf_norm ? std::max(acc, double(std::fabs(x))) : acc + double(x) * double(x);
    const auto norm = static_cast<float>(inf_norm ? acc : std::sqrt(acc));
    total = inf_norm ? std::max(total, double(norm)) : total + double(norm) * double(norm);
  }
  const auto total_norm = static_cast<float>(inf_norm ? total : std::sqrt(total));
  CNN_CHECK(!error_if_nonfinite || std::isfinite(total_norm),
            "clip_grad_norm_: the total norm of order {} for gradients is non-finite ({}), so it cannot be clipped"
            "\nHINT: lower the learning rate, or pass error_if_nonfinite=false to scale by it anyway",
            norm_type, total_norm);
  const float coef = std::min(static_cast<float>(max_norm) / (total_norm + 1e-6f), 1.0f);
  for (const Tensor& g : grads) {
    if (g.is_non_overlapping_and_dense()) {
      float* d = g.data<float>();
      const int64_t n = g.numel();
      for (int64_t i = 0; i < n; ++i) d[i] *= coef;
    } else {
      Tensor scaled = from_vector(g.to_vector<float>(), g.shape());
      float* d = scaled.data<float>();
      for (int64_t i = 0; i < scaled.numel(); ++i) d[i] *= coef;
      Tensor(g).copy_(scaled);
    }
  }
  return total_norm;
}

}  // namespace cnn

// Losses: cross_entropy (log-softmax fused with NLL, label smoothing), soft_target_cross_entropy, nll_loss and
// mse_loss, with PyTorch's reductions (mean divides by the number of targets not equal to ignore_index).
#include <cnn/ops.h>

namespace cnn {

namespace {

void check_targets(const char* op, const Tensor& input, const Tensor& target, int64_t ignore_index) {
  CNN_CHECK(input.dim() == 2, "{}: expected input [N, C], got {}", op, input.shape());
  CNN_CHECK(target.dtype() == DType::i64, "{}: expected int64 class indices as target, got {} of shape {}", op,
            dtype_name(target.dtype()), target.shape());
  CNN_CHECK(target.dim() == 1 && target.shape()[0] == input.shape()[0],
            "{}: expected target [{}] for input {}, got target {}", op, input.shape()[0], input.shape(),
            target.shape());
  const Tensor t = target.contiguous();
  const int64_t C = input.shape()[1];
  for (int64_t n = 0; n < t.numel(); ++n) {
    const int64_t v = t.data<int64_t>()[n];
    CNN_CHECK(v == ignore_index || (v >= 0 && v < C), "{}: target {} out of range for {} classes at index {}", op, v,
              C, n);
  }
}

int64_t count_valid(const Tensor& target, int64_t ignore_index) {
  const Tensor t = target.contiguous();
  int64_t n = 0;
  for (int64_t i = 0; i < t.numel(); ++i) n += t.data<int64_t>()[i] != ignore_index;
  return n;
}

// Per-sample losses -> the reduced loss, with the scale each sample's gradient gets.
Tensor reduce_loss(const Tensor& per_sample, Reduction reduction, int64_t valid) {
  switch (reduction) {
    case Reduction::none: return per_sample;
    case Reduction::sum: return sum(per_sample);
    case Reduction::mean: return div(sum(per_sample), static_cast<double>(valid));
  }
  return per_sample;
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& o) {
  check_targets("cross_entropy", logits, target, o.ignore_index);
  CNN_CHECK(o.label_smoothing >= 0.0 && o.label_smoothing <= 1.0,
            "cross_entropy: label_smoothing must be in [0, 1], got {}", o.label_smoothing);
  const Tensor logp = backend().softmax_forward(logits, 1, true);
  const Tensor per = backend().nll_forward(logp, target, o.label_smoothing, o.ignore_index);
  const int64_t C = logits.shape()[1];
  Tensor per_sample = record("CrossEntropyBackward", per, {logits},
                             [logp, target, C, o](const Tensor& dloss, const NeedsGrad&) {
                               Tensor dlogp = backend().nll_backward(dloss, target, C, o.label_smoothing, o.ignore_index);
                               return std::vector<Tensor>{backend().softmax_backward(dlogp, logp, 1, true)};
                             });
  return reduce_loss(per_sample, o.reduction, count_valid(target, o.ignore_index));
}

Tensor soft_target_cross_entropy(const Tensor& logits, const Tensor& target, Reduction reduction) {
  CNN_CHECK(logits.dim() == 2, "soft_target_cross_entropy: expected logits [N, C], got {}", logits.shape());
  CNN_CHECK(target.dtype() == DType::f32 && target.shape() == logits.shape(),
            "soft_target_cross_entropy: expected float target probabilities {} like the logits, got {} of shape {}",
            logits.shape(), dtype_name(target.dtype()), target.shape());
  const Tensor per_sample = neg(sum(mul(target, log_softmax(logits, 1)), {1}));
  return reduce_loss(per_sample, reduction, logits.shape()[0]);
}

Tensor nll_loss(const Tensor& logp, const Tensor& target, const NllLossOptions& o) {
  check_targets("nll_loss", logp, target, o.ignore_index);
  const Tensor per = backend().nll_forward(logp, target, 0.0, o.ignore_index);
  const int64_t C = logp.shape()[1];
  Tensor per_sample = record("NllLossBackward", per, {logp}, [target, C, o](const Tensor& dloss, const NeedsGrad&) {
    return std::vector<Tensor>{backend().nll_backward(dloss, target, C, 0.0, o.ignore_index)};
  });
  return reduce_loss(per_sample, o.reduction, count_valid(target, o.ignore_index));
}

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  CNN_CHECK(input.shape() == target.shape(), "mse_loss: input {} and target {} must have the same shape",
            input.shape(), target.shape());
  Tensor d = sub(input, target);
  Tensor sq = mul(d, d);
  return reduction == Reduction::none ? sq : reduction == Reduction::sum ? sum(sq) : mean(sq);
}

}  // namespace cnn

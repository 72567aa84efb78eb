// The L1 penalty lambda * sum |w| as a differentiable scalar (Keras' kernel_regularizer=l1). Not which weights get
// it (split_weight_decay, param_groups.cpp) nor the training loop that adds it to the loss (train/train.cpp).
#include <cnn/ops.h>
#include <cnn/optim_utils.h>

namespace cnn {

Tensor l1_penalty(const std::vector<Tensor>& params, double lambda) {
  CNN_CHECK(lambda >= 0.0, "l1_penalty: lambda must be >= 0, got {}", lambda);
  Tensor total;
  for (const Tensor& p : params) total = total.defined() ? add(total, sum(abs(p))) : sum(abs(p));
  return total.defined() ? mul(total, lambda) : zeros(Shape{});
}

}  // namespace cnn

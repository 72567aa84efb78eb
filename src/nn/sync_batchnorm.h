// The op behind a synchronised BatchNorm (BatchNorm::set_sync): batch statistics over every rank's batch.
#pragma once

#include <cnn/tensor.h>

namespace cnn {

/// x [N, C, *] f32 in training: mean and biased variance per channel over the global batch (sums in double,
/// reduced across ranks), y = (x - mean) / sqrt(var + eps) * gamma + beta, running statistics updated with the
/// unbiased variance and `momentum`, as nn.SyncBatchNorm. Backward reduces sum(dy) and sum(dy * xhat) across ranks
/// (torch's batch_norm_backward_reduce + elemt). gamma/beta undefined: affine=false; running stats undefined: none.
Tensor sync_batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var, const Tensor& gamma,
                       const Tensor& beta, double momentum, double eps);

}  // namespace cnn

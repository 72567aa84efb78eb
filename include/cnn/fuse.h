// Inference-time fusion: batch norm folded into the convolution before it, as PyTorch's
// torch.nn.utils.fusion.fuse_conv_bn_eval (and timm's fusing). Not training: the model must be in eval mode.
#pragma once

#include <cnn/module.h>
#include <cnn/shape.h>

namespace cnn {

/// Folds every BatchNorm2d that directly follows a Conv2d (the conv's output feeds that batch norm and nothing
/// else) into the conv: w' = w * gamma / sqrt(var + eps) per output channel, b' = (b - mean) * gamma /
/// sqrt(var + eps) + beta, and marks the batch norm folded (BatchNorm::mark_folded: it passes its input through).
/// The pairs are found by tracing one forward
/// pass on zeros of `input` ([N, C, H, W]), so residual blocks, branches and Sequentials are all covered; a conv
/// called twice is left alone. Returns the number of pairs fused; outputs agree with the unfused model to float
/// rounding. Usage: model->eval(); fuse_conv_bn(*model, {1, 3, 224, 224});
int64_t fuse_conv_bn(Module& model, const Shape& input);

}  // namespace cnn

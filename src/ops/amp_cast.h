// The autocast policy's one rule for the matrix-product ops (conv2d, conv_transpose2d, linear, matmul): their
// operands go to the backend in bfloat16 when the op runs inside an enabled AutocastGuard (see autocast.h).
#pragma once

#include <cnn/autocast.h>

#include "tensor/raw.h"

namespace cnn {

/// `data` (no autograd state) as the operand dtype: bf16 when `amp`, else unchanged.
inline Tensor amp_operand(const Tensor& data, bool amp) { return amp ? raw::cast(data, autocast_dtype()) : data; }

}  // namespace cnn

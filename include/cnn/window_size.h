// PyTorch's size rules for sliding windows along one axis, written once: convolution and pooling output sizes,
// transposed-convolution output sizes and padding="same". Ops, layers, backends and `cnn shape` all call these.
// Not validation: callers check that their options are legal before asking; but no rule overflows: sizes whose
// arithmetic does not fit in 64 bits throw cnn::Error.
#pragma once

#include <cstdint>
#include <utility>

namespace cnn {

/// a + b and a * b, throwing cnn::Error naming `what` and both values when the result does not fit in int64.
/// Usage: const int64_t padded = checked_add(in, 2 * padding, "in + 2*padding");
int64_t checked_add(int64_t a, int64_t b, const char* what);
int64_t checked_mul(int64_t a, int64_t b, const char* what);

/// floor((in + pad_before + pad_after - dilation*(kernel-1) - 1) / stride) + 1, or with ceil_mode the ceiling,
/// dropping a last window that would start past the input and its left padding (PyTorch's pooling rule).
/// Usage: window_output_size(32, 3, 2, 1, 1) == 16
int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                           int64_t dilation = 1, bool ceil_mode = false);

/// (in - 1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1 (ConvTranspose2d's output size).
int64_t transposed_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation = 1,
                               int64_t output_padding = 0);

/// padding="same" (stride 1): dilation*(kernel-1) in all, the odd element after, as PyTorch. Returns {before, after}.
std::pair<int64_t, int64_t> same_padding(int64_t kernel, int64_t dilation = 1);

}  // namespace cnn

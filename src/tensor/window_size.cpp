// PyTorch's window size rules along one axis (see window_size.h).
#include <cnn/window_size.h>

namespace cnn {

namespace {

// floor(a / b) for b > 0 and any sign of a.
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                           int64_t dilation, bool ceil_mode) {
  const int64_t room = in + pad_before + pad_after - dilation * (kernel - 1) - 1;
  if (!ceil_mode) return floor_div(room, stride) + 1;
  int64_t out = floor_div(room + stride - 1, stride) + 1;
  if ((out - 1) * stride >= in + pad_before) --out;  // the last window must start inside the input or left padding
  return out;
}

int64_t transposed_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                               int64_t output_padding) {
  return (in - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1;
}

std::pair<int64_t, int64_t> same_padding(int64_t kernel, int64_t dilation) {
  const int64_t total = dilation * (kernel - 1);
  return {total / 2, total - total / 2};
}

}  // namespace cnn

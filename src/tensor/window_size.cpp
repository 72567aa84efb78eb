// PyTorch's window size rules along one axis (see window_size.h).
#include <cnn/error.h>
#include <cnn/window_size.h>

#include <limits>

namespace cnn {

namespace {

// floor(a / b) for b > 0 and any sign of a.
int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

[[noreturn]] void overflow(int64_t a, char op, int64_t b, const char* what) {
  throw Error(fmt::format("{} = {} {} {} overflows 64-bit integers (the limit is {})", what, a, op, b,
                          std::numeric_limits<int64_t>::max()));
}

}  // namespace

int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) overflow(a, '+', b, what);
  return out;
}

int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t out = 0;
  if (__builtin_mul_overflow(a, b, &out)) overflow(a, '*', b, what);
  return out;
}

int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad_before, int64_t pad_after,
                           int64_t dilation, bool ceil_mode) {
  const int64_t padded = checked_add(checked_add(in, pad_before, "in + padding"), pad_after, "in + padding");
  const int64_t span = checked_mul(dilation, kernel - 1, "dilation*(kernel-1)");
  const int64_t room = checked_add(padded, -span, "in + padding - dilation*(kernel-1)") - 1;
  if (!ceil_mode) return floor_div(room, stride) + 1;
  const int64_t whole = floor_div(room, stride);
  int64_t out = whole + (room - whole * stride > 0 ? 1 : 0) + 1;  // ceil(room / stride) + 1, without room + stride
  // The last window must start inside the input or left padding.
  if (checked_mul(out - 1, stride, "(out - 1)*stride") >= in + pad_before) --out;
  return out;
}

int64_t transposed_output_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                               int64_t output_padding) {
  const int64_t grown = checked_mul(in - 1, stride, "(in - 1)*stride");
  const int64_t span = checked_mul(dilation, kernel - 1, "dilation*(kernel-1)");
  const int64_t cut = checked_mul(2, padding, "2*padding");
  const int64_t out = checked_add(checked_add(grown, span, "(in - 1)*stride + dilation*(kernel-1)"),
                                  checked_add(output_padding, 1, "output_padding + 1"), "the transposed size");
  return checked_add(out, -cut, "the transposed size - 2*padding");
}

std::pair<int64_t, int64_t> same_padding(int64_t kernel, int64_t dilation) {
  const int64_t total = dilation * (kernel - 1);
  return {total / 2, total - total / 2};
}

}  // namespace cnn

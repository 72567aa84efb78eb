// zero_pad2d and channel_shuffle: ops that move elements without arithmetic, with their checks and autograd.
// Not general padding modes (reflect, replicate): only zeros, as nn.ZeroPad2d.
#include <cnn/ops.h>
#include <cnn/trace.h>

#include <algorithm>
#include <string>

namespace cnn {

namespace {

// The overlap of x and the padded output along one dimension: `count` elements from x[from] land at y[to].
struct Span {
  int64_t from, to, count;
};
Span overlap(int64_t in, int64_t before, int64_t after) {
  const int64_t from = std::max<int64_t>(-before, 0), to = std::max<int64_t>(before, 0);
  return {from, to, std::max<int64_t>(in - from - std::max<int64_t>(-after, 0), 0)};
}

// The window of `count` rows and columns starting at (h, w) of t's last two dimensions (a view).
Tensor window(const Tensor& t, int64_t h, int64_t w, const Span& rows, const Span& cols) {
  return t.slice(-2, h, h + rows.count).slice(-1, w, w + cols.count);
}

}  // namespace

Tensor zero_pad2d(const Tensor& x, Pad4 pad) {
  CNN_CHECK(x.defined(), "zero_pad2d: input is undefined");
  CNN_CHECK(x.dim() >= 2, "zero_pad2d: expected an input with at least 2 dimensions, got input of shape {}",
            x.shape());
  Shape out = x.shape();
  out[-2] += pad.top + pad.bottom;
  out[-1] += pad.left + pad.right;
  CNN_CHECK(out[-2] > 0 && out[-1] > 0,
            "zero_pad2d: padding (left={}, right={}, top={}, bottom={}) gives output of shape {} for input {}; "
            "expected positive sizes",
            pad.left, pad.right, pad.top, pad.bottom, out, x.shape());
  const bool cl = x.dim() == 4 && x.suggest_memory_format() == MemoryFormat::channels_last;
  Tensor y = Tensor::empty(out, x.dtype(), cl ? MemoryFormat::channels_last : MemoryFormat::contiguous);
  y.zero_();
  const Span h = overlap(x.size(-2), pad.top, pad.bottom), w = overlap(x.size(-1), pad.left, pad.right);
  const bool empty = h.count == 0 || w.count == 0;
  if (!empty) window(y, h.to, w.to, h, w).copy_(window(x.detach(), h.from, w.from, h, w));
  y = record("ConstantPadNdBackward", y, {x}, [x_shape = x.shape(), h, w, empty](const Tensor& dy,
                                                                                const NeedsGrad&) {
    Tensor dx = zeros(x_shape);
    if (!empty) window(dx, h.from, w.from, h, w).copy_(window(dy.detach(), h.to, w.to, h, w));
    return std::vector<Tensor>{dx};
  });
  return trace_attributes(y, {.ints = {{"pad_hw", {pad.top, pad.left, pad.bottom, pad.right}}}});
}

Tensor channel_shuffle(const Tensor& x, int64_t groups) {
  CNN_CHECK(x.defined(), "channel_shuffle: input is undefined");
  CNN_CHECK(x.dim() >= 3, "channel_shuffle: expected input [N, C, *] with at least 3 dimensions, got input of shape {}",
            x.shape());
  CNN_CHECK(groups > 0, "channel_shuffle: groups must be positive, got {}", groups);
  const int64_t C = x.size(1);
  CNN_CHECK(C % groups == 0, "channel_shuffle: number of channels must be divisible by groups, got {} channels and {} "
            "groups (input {})", C, groups, x.shape());
  std::vector<int64_t> split = x.shape().dims();
  split[1] = C / groups;
  split.insert(split.begin() + 1, groups);
  Tensor y = x.reshape(Shape(split)).transpose(1, 2).reshape(x.shape());
  const bool cl = x.dim() == 4 && x.suggest_memory_format() == MemoryFormat::channels_last;
  return cl ? y.contiguous(MemoryFormat::channels_last) : y;
}

}  // namespace cnn

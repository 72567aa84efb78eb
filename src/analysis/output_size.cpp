// The `cnn shape` calculator: PyTorch's output-size rule for conv, pool and transposed conv along one axis,
// filled in and explained (dropped rows, invalid combinations, how to reach a target size). Not the ops' checks.
#include <cnn/analysis.h>
#include <cnn/window_size.h>

#include <algorithm>

namespace cnn {

namespace {

// Output size of conv/pool along one axis with PyTorch's rule (ceil_mode for pooling only).
int64_t window_out(const OutputSizeQuery& q, int64_t padding) {
  return window_output_size(q.in, q.kernel, q.stride, padding, padding, q.dilation, q.ceil_mode);
}

int64_t transpose_out(const OutputSizeQuery& q, int64_t padding, int64_t output_padding) {
  return transposed_output_size(q.in, q.kernel, q.stride, padding, q.dilation, output_padding);
}

void explain_window(const OutputSizeQuery& q, OutputSizeReport& r) {
  const bool pool = q.op == WindowOp::pool;
  const int64_t span = checked_add(checked_mul(q.dilation, q.kernel - 1, "shape: dilation*(kernel-1)"), 1,
                                   "shape: dilation*(kernel-1) + 1");
  const int64_t padded = checked_add(q.in, checked_mul(2, q.padding, "shape: 2*padding"), "shape: in + 2*padding");
  const int64_t room = padded - span;
  const char* round = q.ceil_mode ? "ceil" : "floor";
  r.formula = fmt::format("out = {}((in + 2*padding - dilation*(kernel-1) - 1) / stride) + 1", round);
  r.computation = fmt::format("out = {}(({} + 2*{} - {}*({}-1) - 1) / {}) + 1", round, q.in, q.padding, q.dilation,
                              q.kernel, q.stride);
  if (pool && q.padding > q.kernel / 2) {
    r.error = fmt::format("{}: padding {} is more than half the kernel size {} (at most {}); PyTorch refuses it: "
                          "\"pad should be at most half of kernel size\"",
                          "pool", q.padding, q.kernel, q.kernel / 2);
    return;
  }
  if (room < 0) {
    r.error = fmt::format("{}: the dilated kernel {}*({}-1)+1 = {} is larger than the padded input {} + 2*{} = {}, "
                          "so no window fits; use a smaller kernel or dilation, or pad by at least {}",
                          pool ? "pool" : "conv", q.dilation, q.kernel, span, q.in, q.padding, padded,
                          (span - q.in + 1) / 2);
    return;
  }
  r.out = window_out(q, q.padding);
  r.computation += fmt::format(" = {}", r.out);
  if (q.dilation > 1) r.notes.push_back(fmt::format("dilation {} spreads the {} taps over {} rows", q.dilation,
                                                    q.kernel, span));
  const int64_t left_over = room % q.stride;
  if (q.ceil_mode && left_over > 0) {
    OutputSizeQuery floor_mode = q;
    floor_mode.ceil_mode = false;
    const bool dropped = window_out(floor_mode, q.padding) == r.out;
    r.notes.push_back(dropped ? "ceil_mode: the extra window would start in the right padding, so PyTorch drops it"
                              : fmt::format("ceil_mode: a last, partial window covers the {} row(s) that floor "
                                            "would drop",
                                            left_over));
  } else if (left_over > 0) {
    const int64_t input_rows = std::max<int64_t>(0, left_over - q.padding);
    r.notes.push_back(fmt::format(
        "stride {} does not divide {} + 2*{} - {} = {} evenly (remainder {}): the last {} row(s) of the padded input "
        "are never covered by a window; {}",
        q.stride, q.in, q.padding, span, room, left_over, left_over,
        input_rows == 0 ? std::string("they are padding, so no input row is ignored")
                        : fmt::format("{} of them are input rows ({} to {} of 0..{}), ignored", input_rows,
                                      q.in - input_rows, q.in - 1, q.in - 1)));
  } else if (q.stride > 1) {
    r.notes.push_back(fmt::format("stride {} divides {} evenly: every row is covered", q.stride, room));
  }
  if (!pool && q.padding >= span)
    r.notes.push_back(fmt::format("padding {} >= dilated kernel {}: the first and last outputs see only padding",
                                  q.padding, span));
  if (q.stride == 1 && r.out == q.in) r.notes.push_back("padding keeps the size (\"same\")");

  if (!q.target) return;
  const int64_t max_pad = pool ? q.kernel / 2 : span;
  int64_t low = 0, high = max_pad;  // out grows with padding: find the smallest padding reaching the target
  while (low < high) {
    const int64_t mid = low + (high - low) / 2;
    if (window_out(q, mid) >= *q.target) high = mid;
    else low = mid + 1;
  }
  if (const int64_t p = low; window_out(q, p) == *q.target) {
    r.notes.push_back(p == q.padding ? fmt::format("target {}: reached with padding={}", *q.target, p)
                                     : fmt::format("target {}: use padding={} (out = {}(({} + 2*{} - {} - 1) / {}) "
                                                   "+ 1 = {})",
                                                   *q.target, p, round, q.in, p, span - 1, q.stride, *q.target));
    return;
  }
  r.notes.push_back(fmt::format("target {}: no padding from 0 to {} reaches it with kernel {}, stride {}, dilation {}",
                                *q.target, max_pad, q.kernel, q.stride, q.dilation));
}

void explain_transpose(const OutputSizeQuery& q, OutputSizeReport& r) {
  const int64_t limit = std::max(q.stride, q.dilation);
  r.formula = "out = (in - 1)*stride - 2*padding + dilation*(kernel-1) + output_padding + 1";
  r.computation = fmt::format("out = ({} - 1)*{} - 2*{} + {}*({}-1) + {} + 1", q.in, q.stride, q.padding, q.dilation,
                              q.kernel, q.output_padding);
  if (q.output_padding >= limit) {
    r.error = fmt::format("convtranspose: output_padding {} must be smaller than either stride {} or dilation {} "
                          "(so at most {}); it only picks among the {} sizes that a stride-{} convolution maps to "
                          "the same size",
                          q.output_padding, q.stride, q.dilation, limit - 1, q.stride, q.stride);
    return;
  }
  r.out = transpose_out(q, q.padding, q.output_padding);
  if (r.out < 1) {
    r.error = fmt::format("convtranspose: the output size {} is not positive: padding {} removes more than the "
                          "{} rows the layer produces",
                          r.out, q.padding, r.out + 2 * q.padding);
    return;
  }
  r.computation += fmt::format(" = {}", r.out);
  const int64_t base = transpose_out(q, q.padding, 0);
  if (q.stride > 1)
    r.notes.push_back(fmt::format(
        "a convolution with kernel {}, stride {}, padding {}, dilation {} maps every size from {} to {} down to {}; "
        "the transposed one gives {} + output_padding, output_padding choosing among them (0 to {})",
        q.kernel, q.stride, q.padding, q.dilation, base, base + q.stride - 1, q.in, base, limit - 1));
  if (!q.target) return;
  const int64_t t = *q.target, needed = t - base;
  if (needed >= 0 && needed < limit) {
    const int64_t back = window_output_size(t, q.kernel, q.stride, q.padding, q.padding, q.dilation);
    r.notes.push_back(fmt::format(
        "target {}: use output_padding={} ({} + {} = {}); check: the convolution takes {} back to "
        "floor(({} + 2*{} - {}*({}-1) - 1) / {}) + 1 = {}",
        t, needed, base, needed, t, t, t, q.padding, q.dilation, q.kernel, q.stride, back));
    return;
  }
  // Each unit of padding takes 2 off the size: the smallest padding whose output_padding is not negative.
  const int64_t base0 = transpose_out(q, 0, 0);
  const int64_t p = std::max<int64_t>(0, base0 > t ? (base0 - t) / 2 + (base0 - t) % 2 : 0);
  const int64_t op = p <= base0 / 2 ? t - transpose_out(q, p, 0) : -1;
  if (op >= 0 && op < limit) {
    r.notes.push_back(fmt::format("target {}: output_padding can only add 0 to {} to {}; use padding={} and "
                                  "output_padding={} instead",
                                  t, limit - 1, base, p, op));
    return;
  }
  r.notes.push_back(fmt::format("target {}: output_padding can only add 0 to {} to {}, and no padding reaches it; "
                                "change the kernel or stride",
                                t, limit - 1, base));
}

}  // namespace

WindowOp parse_window_op(const std::string& name) {
  if (name == "conv") return WindowOp::conv;
  if (name == "pool") return WindowOp::pool;
  if (name == "convtranspose" || name == "conv_transpose") return WindowOp::conv_transpose;
  CNN_CHECK(false, "shape: unknown op '{}'; the ops are conv, pool and convtranspose", name);
  return WindowOp::conv;
}

OutputSizeReport explain_output_size(const OutputSizeQuery& q) {
  CNN_CHECK(q.in >= 1 && q.kernel >= 1 && q.stride >= 1 && q.dilation >= 1,
            "shape: in, kernel, stride and dilation must be at least 1, got in {}, kernel {}, stride {}, dilation {}",
            q.in, q.kernel, q.stride, q.dilation);
  CNN_CHECK(q.padding >= 0 && q.output_padding >= 0, "shape: padding and output_padding must be non-negative, got {} "
            "and {}", q.padding, q.output_padding);
  CNN_CHECK(q.op == WindowOp::conv_transpose || q.output_padding == 0,
            "shape: output_padding is for convtranspose only, got output_padding {} with another op", q.output_padding);
  CNN_CHECK(q.op == WindowOp::pool || !q.ceil_mode, "shape: ceil_mode is for pool only");
  CNN_CHECK(!q.target || *q.target >= 1, "shape: the target size must be at least 1, got {}", q.target.value_or(0));
  OutputSizeReport r;
  if (q.op == WindowOp::conv_transpose) explain_transpose(q, r);
  else explain_window(q, r);
  return r;
}

}  // namespace cnn

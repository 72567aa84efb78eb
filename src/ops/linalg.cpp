// matmul (torch.matmul semantics: 1-D, 2-D, batched with broadcast batch dims) and linear (F.linear).
#include <cnn/ops.h>

#include "ops/amp_cast.h"

namespace cnn {

namespace {

// [*, M, K] @ [*, K, N] with equal, already broadcast batch dims; bf16 operands when `amp` (the backward's
// products too: they run after the autocast scope has closed).
Tensor batched_matmul(const Tensor& a, const Tensor& b, bool amp) {
  const Shape& sa = a.shape();
  const Shape& sb = b.shape();
  int64_t batch = 1;
  std::vector<int64_t> out_dims;
  for (int64_t d = 0; d < sa.dim() - 2; ++d) {
    batch *= sa[d];
    out_dims.push_back(sa[d]);
  }
  out_dims.push_back(sa[-2]);
  out_dims.push_back(sb[-1]);
  Tensor a3 = amp_operand(a.detach().reshape({batch, sa[-2], sa[-1]}), amp);
  Tensor b3 = amp_operand(b.detach().reshape({batch, sb[-2], sb[-1]}), amp);
  Tensor y = backend().matmul(a3, b3, false, false).view(Shape(out_dims));
  return record("MmBackward", y, {a, b}, [a = a.detach(), b = b.detach(), amp](const Tensor& dy, const NeedsGrad& needs) {
    Tensor da, db;
    if (needs[0]) da = batched_matmul(dy, b.transpose(-1, -2), amp);
    if (needs[1]) db = batched_matmul(a.transpose(-1, -2), dy, amp);
    return std::vector<Tensor>{da, db};
  });
}

}  // namespace

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  CNN_CHECK(a_in.dim() >= 1 && b_in.dim() >= 1, "matmul: both arguments need at least 1 dimension, got {} and {}",
            a_in.shape(), b_in.shape());
  CNN_CHECK(a_in.dtype() == DType::f32 && b_in.dtype() == DType::f32, "matmul: expected float32, got {} and {}",
            dtype_name(a_in.dtype()), dtype_name(b_in.dtype()));
  const bool a_vec = a_in.dim() == 1, b_vec = b_in.dim() == 1;
  Tensor a = a_vec ? a_in.unsqueeze(0) : a_in;
  Tensor b = b_vec ? b_in.unsqueeze(1) : b_in;
  CNN_CHECK(a.shape()[-1] == b.shape()[-2], "matmul: shapes {} and {} cannot be multiplied ({} vs {})", a_in.shape(),
            b_in.shape(), a.shape()[-1], b.shape()[-2]);
  // Broadcast the batch dimensions.
  std::vector<int64_t> ba(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
  const Shape batch = broadcast_shapes(Shape(ba), Shape(bb), "matmul");
  std::vector<int64_t> ea = batch.dims(), eb = batch.dims();
  ea.insert(ea.end(), {a.shape()[-2], a.shape()[-1]});
  eb.insert(eb.end(), {b.shape()[-2], b.shape()[-1]});
  if (a.shape() != Shape(ea)) a = a.expand(Shape(ea));
  if (b.shape() != Shape(eb)) b = b.expand(Shape(eb));
  Tensor y = batched_matmul(a, b, is_autocast_enabled());
  if (a_vec) y = y.squeeze(-2);
  if (b_vec) y = y.squeeze(-1);
  return y;
}

Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  CNN_CHECK(x.defined() && w.defined(), "linear: input or weight is undefined");
  CNN_CHECK(w.dim() == 2, "linear: expected a 2-D weight [out_features, in_features], got {}", w.shape());
  CNN_CHECK(x.dim() >= 1 && x.shape()[-1] == w.shape()[1],
            "linear: expected input with {} features (last dimension) for weight {}, got input {}", w.shape()[1],
            w.shape(), x.shape());
  CNN_CHECK(!b.defined() || (b.dim() == 1 && b.shape()[0] == w.shape()[0]),
            "linear: expected bias [{}] for weight {}, got bias {}", w.shape()[0], w.shape(), b.shape());
  const Shape in_shape = x.shape();
  Tensor x2 = x.dim() == 2 ? x : x.reshape({-1, w.shape()[1]});
  const bool amp = is_autocast_enabled();
  const Tensor x_data = amp_operand(x2.detach(), amp), w_data = amp_operand(w.detach(), amp);
  Tensor y = backend().linear_forward(x_data, w_data, b.defined() ? b.detach() : Tensor());
  y = record("LinearBackward", y, {x2, w, b}, [x_data, w_data, amp](const Tensor& dy_in, const NeedsGrad& needs) {
    const Tensor dy = amp_operand(dy_in, amp);
    Tensor dx, dw, db;
    if (needs[0]) dx = backend().linear_backward_data(dy, w_data);
    if (needs[1] || needs[2]) std::tie(dw, db) = backend().linear_backward_weights(dy, x_data, needs[2]);
    return std::vector<Tensor>{dx, dw, db};
  });
  if (x.dim() == 2) return y;
  std::vector<int64_t> out(in_shape.begin(), in_shape.end());
  out.back() = w.shape()[0];
  return y.reshape(Shape(out));
}

}  // namespace cnn

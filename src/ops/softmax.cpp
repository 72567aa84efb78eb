// softmax and log_softmax along a dimension.
#include <cnn/ops.h>
#include <cnn/trace.h>

namespace cnn {

namespace {

Tensor softmax_op(const char* op, const char* node, const Tensor& x, int64_t dim_in, bool log) {
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected a float32 tensor, got {} of shape {}", op, dtype_name(x.dtype()),
            x.shape());
  const int64_t dim = wrap_dim(dim_in, x.dim(), op);
  Tensor y = backend().softmax_forward(x, dim, log);
  y = record(node, y, {x}, [y = y.detach(), dim, log](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().softmax_backward(dy, y, dim, log)};
  });
  return trace_attributes(y, {.ints = {{"axis", {dim}}}});
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) { return softmax_op("softmax", "SoftmaxBackward", x, dim, false); }
Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_op("log_softmax", "LogSoftmaxBackward", x, dim, true);
}

}  // namespace cnn

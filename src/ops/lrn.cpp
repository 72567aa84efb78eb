// local_response_norm: argument checks and autograd for AlexNet's normalisation across channels.
// Not the arithmetic: backend().lrn_* computes with PyTorch's window and scaling (see LrnParams in backend.h).
#include <cnn/ops.h>
#include <cnn/trace.h>

namespace cnn {

Tensor local_response_norm(const Tensor& x, int64_t size, const LocalResponseNormOptions& o) {
  CNN_CHECK(x.defined(), "local_response_norm: input is undefined");
  CNN_CHECK(x.dim() >= 3, "local_response_norm: expected 3-D or higher input [N, C, *], got input of shape {}",
            x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "local_response_norm: expected float32 input, got {}", dtype_name(x.dtype()));
  CNN_CHECK(size > 0, "local_response_norm: size must be positive, got {}", size);
  const LrnParams p{.size = size, .alpha = o.alpha, .beta = o.beta, .k = o.k};
  Tensor y = backend().lrn_forward(x.detach(), p);
  y = record("LocalResponseNormBackward", y, {x}, [x_data = x.detach(), p](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().lrn_backward(dy, x_data, p)};
  });
  return trace_attributes(y, {.ints = {{"size", {size}}}, .floats = {{"alpha", o.alpha}, {"beta", o.beta}, {"bias", o.k}}});
}

}  // namespace cnn

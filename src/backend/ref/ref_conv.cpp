// Placeholder until the conv family lands (owned by the conv/pool/norm work).
#include "backend/ref/ref_backend.h"
namespace cnn {
Tensor RefBackend::conv2d_forward(const Tensor&, const Tensor&, const Tensor&, const ConvParams&) { throw Error("conv2d: not yet implemented"); }
Tensor RefBackend::conv2d_backward_data(const Tensor&, const Tensor&, const Shape&, const ConvParams&) { throw Error("conv2d: not yet implemented"); }
std::pair<Tensor, Tensor> RefBackend::conv2d_backward_weights(const Tensor&, const Tensor&, const Shape&, bool, const ConvParams&) { throw Error("conv2d: not yet implemented"); }
}  // namespace cnn

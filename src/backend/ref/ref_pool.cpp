// Placeholder until the pooling family lands (owned by the conv/pool/norm work).
#include "backend/ref/ref_backend.h"
namespace cnn {
std::pair<Tensor, Tensor> RefBackend::pool2d_forward(const Tensor&, const PoolParams&) { throw Error("pool2d: not yet implemented"); }
Tensor RefBackend::pool2d_backward(const Tensor&, const Tensor&, const Shape&, const PoolParams&) { throw Error("pool2d: not yet implemented"); }
std::pair<Tensor, Tensor> RefBackend::adaptive_pool2d_forward(const Tensor&, bool, int64_t, int64_t) { throw Error("adaptive pool: not yet implemented"); }
Tensor RefBackend::adaptive_pool2d_backward(const Tensor&, const Tensor&, bool, const Shape&) { throw Error("adaptive pool: not yet implemented"); }
}  // namespace cnn

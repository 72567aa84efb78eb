// Placeholder until the batch-norm family lands (owned by the conv/pool/norm work).
#include "backend/ref/ref_backend.h"
namespace cnn {
Backend::BatchNormStats RefBackend::batchnorm_forward_training(const Tensor&, const Tensor&, const Tensor&, double) { throw Error("batch_norm: not yet implemented"); }
Tensor RefBackend::batchnorm_forward_inference(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, double) { throw Error("batch_norm: not yet implemented"); }
Backend::BatchNormGrads RefBackend::batchnorm_backward(const Tensor&, const Tensor&, const Tensor&, const Tensor&, const Tensor&, bool, bool) { throw Error("batch_norm: not yet implemented"); }
}  // namespace cnn

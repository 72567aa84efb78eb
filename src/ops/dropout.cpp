// dropout: a Bernoulli keep-mask from the global generator, scaled by 1/(1-p), applied forward and backward.
// Not PyTorch's random stream: the same seed gives the same mask in cnnkit, not torch's.
#include <cnn/ops.h>
#include <cnn/random.h>

#include <random>

namespace cnn {

Tensor dropout(const Tensor& x, double p, bool training) {
  CNN_CHECK(x.defined(), "dropout: input is undefined");
  CNN_CHECK(p >= 0.0 && p <= 1.0, "dropout: probability has to be between 0 and 1, but got p={} (input {})", p,
            x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "dropout: expected float32 input, got {}", dtype_name(x.dtype()));
  if (!training) return x;

  // mask[i] = 1/(1-p) with probability 1-p, else 0; p = 1 zeroes everything.
  Tensor mask = Tensor::empty(x.shape());
  float* m = mask.data<float>();
  const float scale = p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.0f;
  {
    Generator& gen = default_generator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    std::bernoulli_distribution keep(1.0 - p);
    for (int64_t i = 0; i < mask.numel(); ++i) m[i] = keep(gen.engine()) ? scale : 0.0f;
  }
  Tensor y = backend().binary(BinaryKind::mul, x.detach(), mask);
  return record("DropoutBackward", y, {x}, [mask](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().binary(BinaryKind::mul, dy, mask)};
  });
}

}  // namespace cnn

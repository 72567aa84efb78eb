// dropout and dropout2d: a Bernoulli keep-mask from the global generator, scaled by 1/(1-p), applied forward and
// backward (dropout2d: one mask value per channel). Not PyTorch's random stream: the same seed gives cnnkit's mask.
#include <cnn/ops.h>
#include <cnn/random.h>

#include <random>

namespace cnn {

namespace {

// mask[i] = 1/(1-p) with probability 1-p, else 0; p = 1 zeroes everything.
Tensor keep_mask(const Shape& shape, double p) {
  Tensor mask = Tensor::empty(shape);
  float* m = mask.data<float>();
  const float scale = p < 1.0 ? static_cast<float>(1.0 / (1.0 - p)) : 0.0f;
  Generator& gen = default_generator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  std::bernoulli_distribution keep(1.0 - p);
  for (int64_t i = 0; i < mask.numel(); ++i) m[i] = keep(gen.engine()) ? scale : 0.0f;
  return mask;
}

// x * mask, mask broadcast over x; the backward multiplies by the same mask.
Tensor apply_mask(const char* node, const Tensor& x, const Tensor& mask) {
  Tensor y = backend().binary(BinaryKind::mul, x.detach(), mask);
  return record(node, y, {x}, [mask](const Tensor& dy, const NeedsGrad&) {
    return std::vector<Tensor>{backend().binary(BinaryKind::mul, dy, mask)};
  });
}

void check_dropout(const char* op, const Tensor& x, double p) {
  CNN_CHECK(x.defined(), "{}: input is undefined", op);
  CNN_CHECK(p >= 0.0 && p <= 1.0, "{}: probability has to be between 0 and 1, but got p={} (input {})", op, p,
            x.shape());
  CNN_CHECK(x.dtype() == DType::f32, "{}: expected float32 input, got {}", op, dtype_name(x.dtype()));
}

}  // namespace

Tensor dropout(const Tensor& x, double p, bool training) {
  check_dropout("dropout", x, p);
  if (!training) return x;
  return apply_mask("DropoutBackward", x, keep_mask(x.shape(), p));
}

Tensor dropout2d(const Tensor& x, double p, bool training) {
  check_dropout("dropout2d", x, p);
  CNN_CHECK(x.dim() == 3 || x.dim() == 4,
            "dropout2d: expected 3-D [C, H, W] or 4-D [N, C, H, W] input, got input of shape {}", x.shape());
  if (!training) return x;
  Shape mask_shape = x.shape();
  mask_shape[-1] = 1;
  mask_shape[-2] = 1;
  return apply_mask("Dropout2dBackward", x, keep_mask(mask_shape, p));
}

}  // namespace cnn

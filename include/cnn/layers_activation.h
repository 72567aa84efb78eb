// More parameter-free torch.nn layers: GELU, SiLU, Hardswish, Hardsigmoid, Softmax and Dropout2d.
// Not the math: each forward calls its op from ops.h. The first activations (ReLU, ...) are in activation.h.
// Usage: Sequential(Conv2d(16, 16, {.kernel_size = 3, .padding = 1}), Hardswish(), Dropout2d(0.1))
#pragma once

#include <cnn/activation.h>

namespace cnn {

/// approximate "none" (exact, with erf) or "tanh". Usage: GELU() or GELU("tanh")
class GELU : public ElementwiseModule {
 public:
  explicit GELU(std::string approximate = "none");
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "GELU"; }
  std::string extra_repr() const override;
  const std::string& approximate() const { return approximate_; }

 private:
  std::string approximate_;
};

/// x * sigmoid(x).
class SiLU : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SiLU"; }
};

/// x * relu6(x + 3) / 6 (MobileNetV3).
class Hardswish : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Hardswish"; }
};

/// relu6(x + 3) / 6.
class Hardsigmoid : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Hardsigmoid"; }
};

/// Softmax along `dim` (required: PyTorch's implicit dim is deprecated). Usage: Softmax(1)
class Softmax : public ElementwiseModule {
 public:
  explicit Softmax(int64_t dim) : dim_(dim) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Softmax"; }
  std::string extra_repr() const override;
  int64_t dim() const { return dim_; }

 private:
  int64_t dim_;
};

/// Zeroes whole channels with probability p while training (scaling the rest by 1/(1-p)); identity in eval().
class Dropout2d : public ElementwiseModule {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout2d"; }
  std::string extra_repr() const override;
  double p() const { return p_; }

 private:
  double p_;
};

}  // namespace cnn

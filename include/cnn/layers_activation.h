// More torch.nn activation layers: GELU, SiLU, Hardswish, Hardsigmoid, ELU, SELU, Mish, PReLU (learnable slopes),
// Softmax and Dropout2d. Not the math: each forward calls its op from ops.h. ReLU and the first ones: activation.h.
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

/// x > 0 ? x : alpha * (exp(x) - 1). Usage: ELU() or ELU(0.5)
class ELU : public ElementwiseModule {
 public:
  explicit ELU(double alpha = 1.0) : alpha_(alpha) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ELU"; }
  std::string extra_repr() const override;
  double alpha() const { return alpha_; }

 private:
  double alpha_;
};

/// scale * elu(x, alpha) with the fixed alpha 1.6733 and scale 1.0507 of self-normalising networks.
class SELU : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "SELU"; }
};

/// x * tanh(softplus(x)).
class Mish : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Mish"; }
};

/// x > 0 ? x : weight[c] * x with a learnable `weight` [num_parameters], all `init`: one slope shared by every
/// channel (1) or one per channel of dim 1 (C). Not an in-place activation (summary() counts its output).
/// Usage: PReLU() or PReLU(64, 0.1)
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "PReLU"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override { return in; }
  int64_t num_parameters() const { return num_parameters_; }

  Tensor weight;

 private:
  int64_t num_parameters_;
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

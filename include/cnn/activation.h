// Parameter-free torch.nn layers: ReLU, ReLU6, LeakyReLU, Sigmoid, Tanh, Identity, Dropout, Flatten.
// Not the math: each forward calls its op from ops.h. Usage: Sequential(Linear(4, 8), ReLU(), Dropout(0.2))
#pragma once

#include <cnn/module.h>

namespace cnn {

/// Shape-preserving layers without parameters.
class ElementwiseModule : public Module {
 public:
  Shape output_shape(const Shape& in) const override { return in; }
};

class ReLU : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ReLU"; }
};
class ReLU6 : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ReLU6"; }
};
class LeakyReLU : public ElementwiseModule {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : negative_slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "LeakyReLU"; }
  std::string extra_repr() const override;
  double negative_slope() const { return negative_slope_; }

 private:
  double negative_slope_;
};
class Sigmoid : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sigmoid"; }
};
class Tanh : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Tanh"; }
};
class Identity : public ElementwiseModule {
 public:
  Tensor forward(const Tensor& x) override { return x; }
  std::string type_name() const override { return "Identity"; }
};
/// Zeroes elements with probability p while training (scaling the rest by 1/(1-p)); identity in eval().
class Dropout : public ElementwiseModule {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p() const { return p_; }

 private:
  double p_;
};

struct FlattenOptions {
  int64_t start_dim = 1;
  int64_t end_dim = -1;
};
class Flatten : public Module {
 public:
  explicit Flatten(const FlattenOptions& options = {}) : options_(options) {}
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;

 private:
  FlattenOptions options_;
};

}  // namespace cnn

// What relu's backward does with the incoming gradient: the chain rule, or the modified rules of guided
// backpropagation and the Zeiler-Fergus deconvnet (for pictures, never for training). Not the ops (ops.h).
#pragma once

namespace cnn {

/// How relu's backward maps the gradient g of its output to its input x (y = relu(x)):
/// standard: g * [x > 0], the chain rule;
/// guided: g * [x > 0] * [g > 0], guided backpropagation (Springenberg et al. 2015);
/// deconvnet: g * [g > 0], the deconvnet's rectification of the reconstruction (Zeiler & Fergus 2014), which
/// ignores the forward input. Applies to relu() and so to every ReLU layer; not to relu6, leaky_relu with a
/// non-zero slope, or other activations.
enum class ReluBackwardRule { standard, guided, deconvnet };

/// The rule relu backward passes on this thread use now (standard unless a ReluBackwardGuard is alive).
ReluBackwardRule relu_backward_rule();

/// RAII: relu backward passes that run on this thread inside its scope use `rule`; nests. The rule is read when
/// the backward runs, so the guard must enclose backward() or grad(), not only the forward.
/// Usage: { ReluBackwardGuard guided(ReluBackwardRule::guided); g = grad({score}, {x})[0]; }
class ReluBackwardGuard {
 public:
  explicit ReluBackwardGuard(ReluBackwardRule rule);
  ~ReluBackwardGuard();
  ReluBackwardGuard(const ReluBackwardGuard&) = delete;
  ReluBackwardGuard& operator=(const ReluBackwardGuard&) = delete;

 private:
  ReluBackwardRule previous_;
};

}  // namespace cnn

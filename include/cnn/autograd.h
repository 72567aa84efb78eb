// Define-by-run reverse-mode autograd: graph nodes, the grad-mode switch, and the helper ops use to record.
// Not the ops themselves: each op in src/ops/ records its own backward closure through record().
#pragma once

#include <cnn/options.h>
#include <cnn/tensor.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cnn {

/// Which inputs of a node need a gradient (so a backward closure can skip the others).
using NeedsGrad = std::vector<bool>;
/// Given the gradient of the node's output, returns one gradient per input (undefined where not needed).
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output, const NeedsGrad& needs)>;

/// One recorded op: its inputs and the closure that maps the output's gradient to theirs.
struct Node {
  std::string name;  // e.g. "Conv2dBackward", shown by printing and in errors
  std::vector<Tensor> inputs;
  BackwardFn backward;
  std::weak_ptr<TensorImpl> output;  // to store a retained gradient
  bool released = false;             // closure freed after a backward without retain_graph
  std::optional<WindowGeometry> geometry;  // set by convolution and pooling ops (see with_geometry)
};

/// Runs `fn` on this thread once the backward pass in progress has finished (every leaf's gradient stored), as
/// PyTorch's Variable._execution_engine.queue_callback; for a hook that must act after the whole pass (ddp.h).
void queue_callback(std::function<void()> fn);

/// Whether ops record the graph (on by default; off inside NoGradGuard).
bool grad_enabled();
void set_grad_enabled(bool enabled);

/// RAII: disables graph recording in its scope, as torch.no_grad().
class NoGradGuard {
 public:
  NoGradGuard() : previous_(grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

/// True when grad mode is on and any of `inputs` requires a gradient.
bool any_requires_grad(const std::vector<Tensor>& inputs);

/// Attaches a backward node to `output` when any input requires grad; returns `output` either way.
/// Usage (inside an op): return record("ReluBackward", y, {x}, [x, y](const Tensor& dy, const NeedsGrad&) {...});
Tensor record(const char* name, Tensor output, std::vector<Tensor> inputs, BackwardFn backward);

/// Attaches a window op's geometry to y's node (if y has one) for receptive-field analysis; returns y.
/// Usage (inside an op): return with_geometry(record("Conv2dBackward", y, {x, w, b}, ...), geometry);
inline Tensor with_geometry(Tensor y, const WindowGeometry& geometry) {
  if (y.grad_fn()) y.grad_fn()->geometry = geometry;
  return y;
}

/// Runs the backward pass from `root` (see Tensor::backward).
void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph);

/// Gradients of `outputs` with respect to `inputs` without touching any .grad (torch.autograd.grad).
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, bool retain_graph = false);

}  // namespace cnn

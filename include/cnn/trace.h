// Tracing one forward pass op by op, as torch.jit.trace does, for exporters (ONNX): while a TraceRecorder is
// alive on a thread, every op that records an autograd node also appends itself, with its inputs, its output and
// the attributes it reports, whether or not grad mode is on. Not the graph for backward (autograd.h).
#pragma once

#include <cnn/options.h>
#include <cnn/tensor.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cnn {

/// What an op reports beyond its tensor inputs: integer lists ("pads", "perm"), numbers ("eps", "alpha") and
/// tensors it reads that are not autograd inputs (batch norm's running statistics).
struct TraceAttributes {
  std::map<std::string, std::vector<int64_t>> ints{};
  std::map<std::string, double> floats{};
  std::vector<Tensor> tensors{};
};

/// One op of a trace: the autograd node name ("Conv2dBackward"), its inputs (undefined where optional, e.g. a
/// missing bias) and output, and its attributes.
struct TracedOp {
  std::string name;
  std::vector<Tensor> inputs;
  Tensor output;
  TraceAttributes attributes;
  const void* scope = nullptr;  // the innermost module (Module*) whose forward ran the op; null outside any
};

/// RAII: records the ops run on this thread while it lives (one recorder per thread at a time).
/// Usage: TraceRecorder trace; Tensor y = model(x); for (const TracedOp& op : trace.ops()) ...
class TraceRecorder {
 public:
  TraceRecorder();
  ~TraceRecorder();
  TraceRecorder(const TraceRecorder&) = delete;
  TraceRecorder& operator=(const TraceRecorder&) = delete;
  const std::vector<TracedOp>& ops() const { return ops_; }

 private:
  friend void trace_op(const char*, const Tensor&, const std::vector<Tensor>&);
  friend Tensor trace_attributes(Tensor, TraceAttributes);
  std::vector<TracedOp> ops_;
};

/// RAII: while tracing, ops recorded in its lifetime belong to `scope` (Module::operator() opens one per call).
class TraceScope {
 public:
  explicit TraceScope(const void* scope);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  const void* previous_ = nullptr;
  bool active_ = false;
};

/// Whether a TraceRecorder is alive on this thread.
bool tracing();
/// Appends an op to this thread's trace (autograd's record() calls it); nothing when not tracing.
void trace_op(const char* name, const Tensor& output, const std::vector<Tensor>& inputs);
/// Adds attributes to the traced op that produced `y` (the last one, when tracing); returns y.
/// Usage (inside an op): return trace_attributes(record("CatBackward", out, tensors, ...), {.ints = {{"axis", {d}}}});
Tensor trace_attributes(Tensor y, TraceAttributes attributes);

}  // namespace cnn

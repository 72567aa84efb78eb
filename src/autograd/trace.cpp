// The per-thread op trace (see trace.h).
#include <cnn/error.h>
#include <cnn/trace.h>

namespace cnn {

namespace {
thread_local TraceRecorder* g_recorder = nullptr;
thread_local const void* g_scope = nullptr;
}  // namespace

TraceRecorder::TraceRecorder() {
  CNN_CHECK(g_recorder == nullptr, "TraceRecorder: this thread is already tracing (one recorder at a time)");
  g_recorder = this;
}

TraceRecorder::~TraceRecorder() { g_recorder = nullptr; }

TraceScope::TraceScope(const void* scope) {
  if (g_recorder == nullptr) return;
  active_ = true;
  previous_ = g_scope;
  g_scope = scope;
}

TraceScope::~TraceScope() {
  if (active_) g_scope = previous_;
}

bool tracing() { return g_recorder != nullptr; }

void trace_op(const char* name, const Tensor& output, const std::vector<Tensor>& inputs) {
  if (g_recorder == nullptr) return;
  g_recorder->ops_.push_back(TracedOp{name, inputs, output, {}, g_scope});
}

Tensor trace_attributes(Tensor y, TraceAttributes attributes) {
  if (g_recorder == nullptr) return y;
  auto& ops = g_recorder->ops_;
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    if (!it->output.is_same(y)) continue;
    for (auto& [k, v] : attributes.ints) it->attributes.ints[k] = v;
    for (auto& [k, v] : attributes.floats) it->attributes.floats[k] = v;
    for (Tensor& t : attributes.tensors) it->attributes.tensors.push_back(std::move(t));
    return y;
  }
  return y;
}

}  // namespace cnn

// The backward pass: topological order over recorded nodes, gradient accumulation into leaves and
// retained non-leaf tensors, and the Tensor methods that expose autograd state.
#include <cnn/autograd.h>
#include <cnn/backend.h>
#include <cnn/trace.h>

#include <unordered_map>
#include <unordered_set>

#include "tensor/raw.h"

namespace cnn {

namespace {
thread_local bool g_grad_enabled = true;
thread_local std::vector<std::function<void()>> g_queued_callbacks;

// Runs what hooks queued during this backward pass (queue_callback), in order; a callback may queue more.
void run_queued_callbacks() {
  for (size_t i = 0; i < g_queued_callbacks.size(); ++i) {
    const std::function<void()> fn = g_queued_callbacks[i];
    fn();
  }
  g_queued_callbacks.clear();
}

// Accumulates out-of-place, so a stored gradient never aliases another tensor's storage. Both have the
// tensor's shape (check_grad_shape); the kernel is called directly, as nothing records during backward.
Tensor accumulate(const Tensor& existing, const Tensor& incoming) {
  if (!existing.defined()) return incoming;
  return backend().binary(BinaryKind::add, existing, incoming);
}

// Nodes reachable from root, each after every node that feeds it a gradient (reverse topological order).
std::vector<Node*> topological_order(Node* root) {
  std::vector<Node*> order;
  std::unordered_set<Node*> visited;
  std::vector<std::pair<Node*, size_t>> stack{{root, 0}};
  visited.insert(root);
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Tensor& in = node->inputs[next++];
      Node* child = in.defined() ? in.grad_fn().get() : nullptr;
      if (child && visited.insert(child).second) stack.push_back({child, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }
  return {order.rbegin(), order.rend()};
}

// Passes a gradient through the tensor's hooks in registration order (a copy: a hook may remove itself).
Tensor run_hooks(const TensorImpl& impl, Tensor g) {
  const auto hooks = impl.grad_hooks;
  for (const auto& [id, hook] : hooks) {
    Tensor replaced = hook(g);
    if (replaced.defined()) {
      CNN_CHECK(replaced.shape() == g.shape(), "tensor hook: returned a gradient of shape {} for a tensor of shape {}",
                replaced.shape(), g.shape());
      g = replaced;
    }
  }
  return g;
}

void check_grad_shape(const Node& node, size_t i, const Tensor& g, const Tensor& input) {
  CNN_CHECK(g.shape() == input.shape(), "backward: {} returned a gradient of shape {} for input {} of shape {}",
            node.name, g.shape(), i, input.shape());
}

// Runs the graph; for each tensor in `capture` (by impl) stores its gradient instead of writing .grad when
// `capture_only` (autograd::grad), else accumulates into leaves and retained tensors.
void execute(const std::vector<Tensor>& roots, const std::vector<Tensor>& root_grads, bool retain_graph,
             std::unordered_map<TensorImpl*, Tensor>* captured) {
  NoGradGuard no_grad;
  g_queued_callbacks.clear();  // left by a backward pass that threw
  std::unordered_map<Node*, Tensor> grads;
  // Leaf gradients are summed over all paths first, so each leaf's hooks see the total once.
  std::vector<Tensor> leaves;
  std::unordered_map<TensorImpl*, Tensor> leaf_grads;
  auto add_leaf_grad = [&](const Tensor& leaf, const Tensor& g) {
    auto [it, inserted] = leaf_grads.try_emplace(leaf.impl());
    if (inserted) leaves.push_back(leaf);
    it->second = accumulate(it->second, g);
  };
  std::vector<Node*> order;
  std::unordered_set<Node*> seen;
  for (size_t r = 0; r < roots.size(); ++r) {
    const Tensor& root = roots[r];
    if (!root.grad_fn()) {
      if (root.requires_grad()) add_leaf_grad(root, root_grads[r]);
      continue;
    }
    Node* node = root.grad_fn().get();
    CNN_CHECK(!node->released, "backward: trying to backward through the graph a second time (through {}); "
              "pass retain_graph=true the first time", node->name);
    grads[node] = accumulate(grads[node], root_grads[r]);
    for (Node* n : topological_order(node))
      if (seen.insert(n).second) order.push_back(n);
  }
  // Several roots: re-sort so every node comes after all its consumers (Kahn over the union).
  if (roots.size() > 1) {
    std::unordered_map<Node*, int> consumers;
    for (Node* n : order)
      for (const Tensor& in : n->inputs)
        if (in.defined() && in.grad_fn()) ++consumers[in.grad_fn().get()];
    std::vector<Node*> ready, sorted;
    for (Node* n : order)
      if (!consumers[n]) ready.push_back(n);
    while (!ready.empty()) {
      Node* n = ready.back();
      ready.pop_back();
      sorted.push_back(n);
      for (const Tensor& in : n->inputs)
        if (in.defined() && in.grad_fn() && --consumers[in.grad_fn().get()] == 0) ready.push_back(in.grad_fn().get());
    }
    order = sorted;
  }
  // A leaf's gradient is complete once every node that feeds it has run: its hooks fire then, while the rest of
  // backward goes on (DistributedDataParallel starts reducing there), as PyTorch's AccumulateGrad nodes do.
  std::unordered_map<TensorImpl*, int> pending;
  for (Node* node : order)
    for (const Tensor& in : node->inputs)
      if (in.defined() && in.requires_grad() && !in.grad_fn()) ++pending[in.impl()];
  std::unordered_set<TensorImpl*> finished;
  auto finish_leaf = [&](const Tensor& leaf) {
    if (!finished.insert(leaf.impl()).second) return;
    if (captured && !captured->count(leaf.impl())) return;
    const Tensor g = run_hooks(*leaf.impl(), leaf_grads[leaf.impl()]);
    if (captured) {
      (*captured)[leaf.impl()] = accumulate((*captured)[leaf.impl()], g);
    } else {
      leaf.set_grad(raw::contiguous(accumulate(leaf.grad(), g)));  // dense, for optimisers
    }
  };
  for (Node* node : order) {
    auto it = grads.find(node);
    if (it == grads.end()) continue;
    Tensor g = it->second;
    grads.erase(it);
    CNN_CHECK(!node->released, "backward: trying to backward through the graph a second time (through {}); "
              "pass retain_graph=true the first time", node->name);
    if (auto out = node->output.lock()) {
      Tensor out_t(out);
      g = run_hooks(*out, g);
      if (captured && captured->count(out.get())) (*captured)[out.get()] = accumulate((*captured)[out.get()], g);
      if (!captured && out->retains_grad) out_t.set_grad(accumulate(out_t.grad(), g));
    }
    NeedsGrad needs(node->inputs.size());
    for (size_t i = 0; i < needs.size(); ++i) needs[i] = node->inputs[i].defined() && node->inputs[i].requires_grad();
    std::vector<Tensor> input_grads = node->backward(g, needs);
    for (size_t i = 0; i < node->inputs.size(); ++i) {
      if (!needs[i] || i >= input_grads.size() || !input_grads[i].defined()) continue;
      const Tensor& in = node->inputs[i];
      check_grad_shape(*node, i, input_grads[i], in);
      if (in.grad_fn()) {
        Tensor& slot = grads[in.grad_fn().get()];
        slot = accumulate(slot, input_grads[i]);
      } else {
        add_leaf_grad(in, input_grads[i]);
      }
    }
    for (const Tensor& in : node->inputs)
      if (in.defined() && in.requires_grad() && !in.grad_fn() && --pending[in.impl()] == 0 &&
          leaf_grads.count(in.impl()))
        finish_leaf(in);
    if (!retain_graph) {
      node->backward = nullptr;
      node->released = true;
    }
  }
  for (const Tensor& leaf : leaves) finish_leaf(leaf);  // roots that are leaves, and leaves of skipped nodes
  run_queued_callbacks();
}

}  // namespace

void queue_callback(std::function<void()> fn) { g_queued_callbacks.push_back(std::move(fn)); }

bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!g_grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

Tensor record(const char* name, Tensor output, std::vector<Tensor> inputs, BackwardFn backward) {
  if (tracing()) trace_op(name, output, inputs);
  if (!any_requires_grad(inputs)) return output;
  auto node = std::make_shared<Node>();
  node->name = name;
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  node->output = output.impl_ptr();
  output.impl()->requires_grad = true;
  output.impl()->grad_fn = std::move(node);
  return output;
}

void run_backward(const Tensor& root, const Tensor& gradient, bool retain_graph) {
  CNN_CHECK(root.requires_grad(), "backward: tensor of shape {} does not require grad and has no grad_fn",
            root.shape());
  Tensor g = gradient;
  if (!g.defined()) {
    CNN_CHECK(root.numel() == 1, "backward: grad can be implicitly created only for scalar outputs, got shape {}",
              root.shape());
    g = ones(root.shape());
  }
  CNN_CHECK(g.shape() == root.shape(), "backward: gradient of shape {} does not match the tensor's shape {}",
            g.shape(), root.shape());
  execute({root}, {g}, retain_graph, nullptr);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, bool retain_graph) {
  std::vector<Tensor> gs = grad_outputs;
  if (gs.empty())
    for (const Tensor& o : outputs) {
      CNN_CHECK(o.numel() == 1, "grad: grad_outputs needed for non-scalar output of shape {}", o.shape());
      gs.push_back(ones(o.shape()));
    }
  CNN_CHECK(gs.size() == outputs.size(), "grad: {} outputs but {} grad_outputs", outputs.size(), gs.size());
  std::unordered_map<TensorImpl*, Tensor> captured;
  for (const Tensor& in : inputs) {
    CNN_CHECK(in.requires_grad(), "grad: input of shape {} does not require grad", in.shape());
    captured[in.impl()] = Tensor();
  }
  execute(outputs, gs, retain_graph, &captured);
  std::vector<Tensor> result;
  for (const Tensor& in : inputs) {
    Tensor g = captured[in.impl()];
    result.push_back(g.defined() ? g : zeros(in.shape()));
  }
  return result;
}

// ---- Tensor's autograd methods ----
bool Tensor::requires_grad() const { return defined() && impl_->requires_grad; }
Tensor& Tensor::requires_grad_(bool enabled) {
  CNN_CHECK(is_leaf() || enabled, "requires_grad_: can only change requires_grad of leaf tensors");
  CNN_CHECK(dtype() == DType::f32 || !enabled, "requires_grad_: only float tensors can require gradients");
  impl_->requires_grad = enabled;
  return *this;
}
bool Tensor::is_leaf() const { return !impl_->grad_fn; }
Tensor Tensor::grad() const { return impl_->grad; }
void Tensor::set_grad(const Tensor& g) const { impl_->grad = g; }
void Tensor::zero_grad(bool set_to_none) const {
  if (set_to_none || !impl_->grad.defined())
    impl_->grad = Tensor();
  else
    impl_->grad.zero_();
}
void Tensor::retain_grad() const {
  CNN_CHECK(requires_grad(), "retain_grad: tensor of shape {} does not require grad", shape());
  impl_->retains_grad = true;
}
bool Tensor::retains_grad() const { return impl_->retains_grad; }
TensorHookHandle Tensor::register_hook(TensorHook hook) const {
  CNN_CHECK(requires_grad(), "register_hook: tensor of shape {} does not require grad", shape());
  const int64_t id = impl_->next_hook_id++;
  impl_->grad_hooks.emplace_back(id, std::move(hook));
  return TensorHookHandle(impl_, id);
}
void TensorHookHandle::remove() {
  if (auto impl = tensor_.lock()) std::erase_if(impl->grad_hooks, [this](const auto& h) { return h.first == id_; });
  tensor_.reset();
}
void Tensor::backward(const Tensor& gradient, bool retain_graph) const { run_backward(*this, gradient, retain_graph); }
Tensor Tensor::detach() const { return raw::data_of(*this); }
const std::shared_ptr<Node>& Tensor::grad_fn() const { return impl_->grad_fn; }
std::string Tensor::grad_fn_name() const { return impl_->grad_fn ? impl_->grad_fn->name : std::string(); }
void Tensor::set_grad_fn(std::shared_ptr<Node> node) const { impl_->grad_fn = std::move(node); }

}  // namespace cnn

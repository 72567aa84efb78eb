// Module and Sequential: the containers every layer and model derives from, as torch.nn.Module.
// Not the layers themselves (layers.h) nor the math (ops.h): a module holds named state and calls ops.
#pragma once

#include <cnn/options.h>
#include <cnn/ordered_dict.h>
#include <cnn/tensor.h>

#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cnn {

class Module;
using ModulePtr = std::shared_ptr<Module>;
/// Called after each forward through operator(): (module, input, output).
using ForwardHook = std::function<void(Module& module, const Tensor& input, const Tensor& output)>;

/// Returned by register_forward_hook; remove() detaches the hook (safe after the module is gone).
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<std::vector<std::pair<int64_t, ForwardHook>>> hooks, int64_t id)
      : hooks_(std::move(hooks)), id_(id) {}
  void remove();

 private:
  std::weak_ptr<std::vector<std::pair<int64_t, ForwardHook>>> hooks_;
  int64_t id_ = -1;
};

/// What load_state_dict found when strict=false (PyTorch's _IncompatibleKeys).
struct LoadResult {
  std::vector<std::string> missing_keys;
  std::vector<std::string> unexpected_keys;
};

/// Base of every layer and model. Subclasses register their state in the constructor:
///   struct Net : Module { std::shared_ptr<Linear> fc;
///     Net() { fc = register_module("fc", Linear(4, 2)); }
///     Tensor forward(const Tensor& x) override { return fc->forward(x); } };
class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;

  /// The computation; the base throws (containers without a single-input forward).
  virtual Tensor forward(const Tensor& x);
  /// Runs forward, then the forward hooks. Usage: Tensor y = (*model)(x);
  Tensor operator()(const Tensor& x);

  /// The class name shown by printing (e.g. "Conv2d", "SimpleCNN"): the demangled C++ type by default.
  virtual std::string type_name() const;
  /// One-line details inside the parentheses, exactly PyTorch's extra_repr ("1, 32, kernel_size=(3, 3), ...").
  virtual std::string extra_repr() const { return {}; }
  /// Multi-line text equal to PyTorch's print(model).
  std::string str() const;

  // ---- Registration (returns what was registered; a repeated name replaces in place, as PyTorch) ----
  /// An undefined tensor registers nothing visible (PyTorch's register_parameter("bias", None)).
  Tensor register_parameter(const std::string& name, Tensor t, bool requires_grad = true);
  /// persistent=false keeps the buffer out of state_dict.
  Tensor register_buffer(const std::string& name, Tensor t, bool persistent = true);
  template <class M>
    requires std::derived_from<M, Module>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  /// Takes a module by value: register_module("conv1", Conv2d(1, 32, {.kernel_size = 3})).
  template <class M>
    requires std::derived_from<std::remove_cvref_t<M>, Module> && (!std::is_lvalue_reference_v<M>)
  std::shared_ptr<std::remove_cvref_t<M>> register_module(const std::string& name, M&& module) {
    return register_module(name, std::make_shared<std::remove_cvref_t<M>>(std::move(module)));
  }

  // ---- Traversal (dotted names as PyTorch's; shared tensors appear once in named_parameters) ----
  OrderedDict<Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<Tensor> named_buffers(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<ModulePtr> named_children() const;
  std::vector<ModulePtr> children() const;
  /// This module (name "") and every descendant, depth first, as PyTorch; pointers live as long as the model.
  std::vector<std::pair<std::string, Module*>> named_modules();
  std::vector<std::pair<std::string, const Module*>> named_modules() const;
  /// The child registered as `name` (throws naming the module and its children when absent).
  ModulePtr child(const std::string& name) const;

  // ---- State ----
  /// Parameters then persistent buffers of each module, parents before children, detached (sharing data).
  StateDict state_dict() const;
  /// Copies every tensor in place. Shape mismatches always throw; missing or unexpected keys throw when strict.
  LoadResult load_state_dict(const StateDict& state, bool strict = true);

  // ---- Modes and helpers ----
  Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }
  int64_t num_parameters(bool trainable_only = false) const;
  void zero_grad(bool set_to_none = true);
  /// Calls fn on every descendant, children first, then on this module (PyTorch's apply order).
  Module& apply(const std::function<void(Module&)>& fn);
  HookHandle register_forward_hook(ForwardHook hook);

  // ---- Transfer learning ----
  /// The descendant at a dotted path ("layer4.1.conv2"), as PyTorch's get_submodule; throws naming the missing
  /// part and the children there.
  ModulePtr get_submodule(const std::string& path) const;
  /// Puts `module` in place of the descendant at `path` (it must exist) and returns it; forward then runs the new
  /// one, also inside a Sequential. Usage: model->replace("fc", Linear(512, 10));
  template <class M>
    requires std::derived_from<M, Module>
  std::shared_ptr<M> replace(const std::string& path, std::shared_ptr<M> module) {
    replace_module(path, module);
    return module;
  }
  template <class M>
    requires std::derived_from<std::remove_cvref_t<M>, Module> && (!std::is_lvalue_reference_v<M>)
  std::shared_ptr<std::remove_cvref_t<M>> replace(const std::string& path, M&& module) {
    return replace(path, std::make_shared<std::remove_cvref_t<M>>(std::move(module)));
  }
  /// Stops training the parameters `pattern` selects (requires_grad false): "" selects all; otherwise a
  /// comma-separated list of module paths ("layer1,layer2": everything under them) or globs over parameter names
  /// ("layer*.conv1.*"). freeze_bn_stats: batch-norm layers whose parameters are all frozen also keep their
  /// running statistics (they stay in eval mode when the model trains). Throws when a part selects nothing.
  Module& freeze(const std::string& pattern = "", bool freeze_bn_stats = false);
  /// Trains the selected parameters again (same patterns) and lets their batch-norm statistics update.
  Module& unfreeze(const std::string& pattern = "");
  /// Whether train() leaves this module in eval mode (a frozen batch norm's statistics).
  bool stats_frozen() const { return stats_frozen_; }
  void set_stats_frozen(bool frozen);

  // ---- Geometry for analysis (summary, receptive field) ----
  /// Output shape for input shape `in`; the base throws (models compute shapes by a forward pass with hooks).
  virtual Shape output_shape(const Shape& in) const;
  /// Multiply-accumulates of one forward pass for input `in` (conv, linear: weight elements per output
  /// position; batch norm: one per element; others 0). Containers sum over their children where they can.
  virtual int64_t macs(const Shape& in) const { return 0; }
  /// Kernel, stride, padding and dilation for convolution and pooling layers; nullopt otherwise.
  virtual std::optional<WindowGeometry> geometry() const { return std::nullopt; }

 private:
  void add_child(const std::string& name, ModulePtr module);
  void replace_module(const std::string& path, ModulePtr module);
  Module& set_requires_grad(const std::string& pattern, bool enabled, bool bn_stats);

 protected:
  /// Called after a child is registered or replaced under `name` (Sequential keeps its run order with it).
  virtual void child_registered(const std::string& name, const ModulePtr& module) {}

 private:
  template <class Fn>
  void visit(const std::string& prefix, Fn&& fn) const;

  struct Entry {
    std::string name;
    Tensor tensor;
    bool persistent = true;
  };
  std::vector<Entry> parameters_;
  std::vector<Entry> buffers_;
  OrderedDict<ModulePtr> children_;
  bool training_ = true;
  bool stats_frozen_ = false;
  std::shared_ptr<std::vector<std::pair<int64_t, ForwardHook>>> hooks_;
  int64_t next_hook_id_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Module& m);

}  // namespace cnn

// Module: registration, traversal with dotted names, train/eval, hooks and PyTorch-style printing.
// Not state dict loading (state_dict.cpp) nor any layer (layers/*.cpp).
#include <cnn/module.h>
#include <cnn/trace.h>

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <sstream>
#include <typeinfo>
#include <unordered_set>

namespace cnn {

void HookHandle::remove() {
  if (auto hooks = hooks_.lock()) std::erase_if(*hooks, [this](const auto& h) { return h.first == id_; });
  hooks_.reset();
}

Tensor Module::forward(const Tensor&) {
  CNN_CHECK(false, "{}: forward(const Tensor&) is not implemented; override it in the subclass", type_name());
  return {};
}

Tensor Module::operator()(const Tensor& x) {
  Tensor y;
  {
    const TraceScope scope(this);  // ops traced for export know their module (trace.h)
    y = forward(x);
  }
  if (hooks_) {
    const auto hooks = *hooks_;  // a hook may remove itself
    for (const auto& [id, hook] : hooks) hook(*this, x, y);
  }
  return y;
}

std::string Module::type_name() const {
  const char* mangled = typeid(*this).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(abi::__cxa_demangle(mangled, nullptr, nullptr, &status), std::free);
  std::string name = status == 0 && demangled ? demangled.get() : mangled;
  const size_t colon = name.rfind("::");
  return colon == std::string::npos ? name : name.substr(colon + 2);
}

namespace {

void check_name(const Module& m, const std::string& name, const char* what) {
  CNN_CHECK(!name.empty() && name.find('.') == std::string::npos,
            "{}: {} name \"{}\" must be non-empty and contain no \".\"", m.type_name(), what, name);
}

// PyTorch's _addindent: indents every line but the first.
std::string add_indent(const std::string& s, int spaces) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out.append(static_cast<size_t>(spaces), ' ');
  }
  return out;
}

}  // namespace

Tensor Module::register_parameter(const std::string& name, Tensor t, bool requires_grad) {
  check_name(*this, name, "parameter");
  if (t.defined()) {
    CNN_CHECK(t.is_leaf(), "{}: parameter \"{}\" must be a leaf tensor (use detach())", type_name(), name);
    t.requires_grad_(requires_grad);
  }
  for (auto& e : parameters_)
    if (e.name == name) return e.tensor = t;
  parameters_.push_back({name, t, true});
  return t;
}

Tensor Module::register_buffer(const std::string& name, Tensor t, bool persistent) {
  check_name(*this, name, "buffer");
  for (auto& e : buffers_)
    if (e.name == name) {
      e.persistent = persistent;
      return e.tensor = t;
    }
  buffers_.push_back({name, t, persistent});
  return t;
}

void Module::add_child(const std::string& name, ModulePtr module) {
  check_name(*this, name, "module");
  CNN_CHECK(module != nullptr, "{}: cannot register a null module as \"{}\"", type_name(), name);
  const ModulePtr& stored = children_.insert(name, std::move(module));
  child_registered(name, stored);
}

template <class Fn>
void Module::visit(const std::string& prefix, Fn&& fn) const {
  fn(prefix, *this);
  for (const auto& [name, child] : children_) child->visit(prefix + name + ".", fn);
}

OrderedDict<Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<Tensor> out;
  std::unordered_set<const TensorImpl*> seen;
  auto collect = [&](const std::string& prefix, const Module& m) {
    for (const auto& e : m.parameters_)
      if (e.tensor.defined() && seen.insert(e.tensor.impl()).second) out.insert(prefix + e.name, e.tensor);
  };
  if (recurse)
    visit("", collect);
  else
    collect("", *this);
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<Tensor> out;
  std::unordered_set<const TensorImpl*> seen;
  auto collect = [&](const std::string& prefix, const Module& m) {
    for (const auto& e : m.buffers_)
      if (e.tensor.defined() && seen.insert(e.tensor.impl()).second) out.insert(prefix + e.name, e.tensor);
  };
  if (recurse)
    visit("", collect);
  else
    collect("", *this);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<ModulePtr> Module::named_children() const { return children_; }
std::vector<ModulePtr> Module::children() const { return children_.values(); }

std::vector<std::pair<std::string, const Module*>> Module::named_modules() const {
  std::vector<std::pair<std::string, const Module*>> out;
  std::unordered_set<const Module*> seen;
  visit("", [&](const std::string& prefix, const Module& m) {
    if (seen.insert(&m).second) out.emplace_back(prefix.empty() ? prefix : prefix.substr(0, prefix.size() - 1), &m);
  });
  return out;
}

std::vector<std::pair<std::string, Module*>> Module::named_modules() {
  std::vector<std::pair<std::string, Module*>> out;
  for (const auto& [name, m] : std::as_const(*this).named_modules()) out.emplace_back(name, const_cast<Module*>(m));
  return out;
}

ModulePtr Module::child(const std::string& name) const {
  const ModulePtr* m = children_.find(name);
  if (m == nullptr) {
    std::string names;
    for (const auto& key : children_.keys()) names += (names.empty() ? "" : ", ") + key;
    CNN_CHECK(false, "{}: no child module \"{}\" (children: {})", type_name(), name, names.empty() ? "none" : names);
  }
  return *m;
}

StateDict Module::state_dict() const {
  StateDict out;
  visit("", [&](const std::string& prefix, const Module& m) {
    for (const auto& e : m.parameters_)
      if (e.tensor.defined()) out.insert(prefix + e.name, e.tensor.detach());
    for (const auto& e : m.buffers_)
      if (e.tensor.defined() && e.persistent) out.insert(prefix + e.name, e.tensor.detach());
  });
  return out;
}

Module& Module::train(bool on) {
  training_ = on && !stats_frozen_;
  for (const auto& [name, child] : children_) child->train(on);
  return *this;
}

int64_t Module::num_parameters(bool trainable_only) const {
  int64_t n = 0;
  for (const Tensor& p : parameters())
    if (!trainable_only || p.requires_grad()) n += p.numel();
  return n;
}

void Module::zero_grad(bool set_to_none) {
  for (const Tensor& p : parameters()) p.zero_grad(set_to_none);
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (const auto& [name, child] : children_) child->apply(fn);
  fn(*this);
  return *this;
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
  if (!hooks_) hooks_ = std::make_shared<std::vector<std::pair<int64_t, ForwardHook>>>();
  const int64_t id = next_hook_id_++;
  hooks_->emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

Shape Module::output_shape(const Shape& in) const {
  CNN_CHECK(false, "{}: output_shape is not known without running it; run a forward pass (e.g. with hooks) for "
            "input {}", type_name(), in);
  return in;
}

std::string Module::str() const {
  std::vector<std::string> lines;
  const std::string extra = extra_repr();
  size_t extra_lines = 0;
  if (!extra.empty()) {
    std::istringstream in(extra);
    for (std::string line; std::getline(in, line);) lines.push_back(line), ++extra_lines;
  }
  for (const auto& [name, child] : children_) lines.push_back("(" + name + "): " + add_indent(child->str(), 2));
  std::string s = type_name() + "(";
  if (extra_lines == 1 && children_.empty()) {
    s += lines[0];
  } else if (!lines.empty()) {
    s += "\n";
    for (const auto& line : lines) s += "  " + line + "\n";
  }
  return s + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& m) { return os << m.str(); }

}  // namespace cnn

// The transfer-learning members of Module: reaching and replacing a descendant by its dotted path, and freezing
// parameters (and batch-norm statistics) by module path or name glob. Not the optimiser's parameter groups
// (optim_utils.h) nor the CLI's `cnn finetune`.
#include <cnn/batchnorm.h>
#include <cnn/module.h>
#include <fmt/format.h>
#include <fnmatch.h>

#include <set>

namespace cnn {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(sep, start), text.size());
    std::string part = text.substr(start, end - start);
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

/// A part of a freeze pattern selects a parameter by its dotted module path or by a glob over its name.
bool selects(const std::string& part, const std::string& name) {
  if (name == part || name.rfind(part + ".", 0) == 0) return true;
  return fnmatch(part.c_str(), name.c_str(), 0) == 0;
}

std::string children_list(const Module& m) {
  const std::vector<std::string> names = m.named_children().keys();
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

ModulePtr Module::get_submodule(const std::string& path) const {
  CNN_CHECK(!path.empty(), "get_submodule: the path is empty");
  const Module* at = this;
  ModulePtr found;
  std::string walked;
  for (const std::string& part : split(path, '.')) {
    const ModulePtr* next = at->children_.find(part);
    CNN_CHECK(next != nullptr, "get_submodule: {} has no child \"{}\" (path \"{}\"; children of {}: {})",
              walked.empty() ? type_name() : walked, part, path, walked.empty() ? type_name() : walked,
              children_list(*at));
    found = *next;
    at = found.get();
    walked += (walked.empty() ? "" : ".") + part;
  }
  return found;
}

void Module::replace_module(const std::string& path, ModulePtr module) {
  CNN_CHECK(module != nullptr, "replace: cannot put a null module at \"{}\"", path);
  const size_t dot = path.rfind('.');
  const std::string name = dot == std::string::npos ? path : path.substr(dot + 1);
  Module* parent = this;
  ModulePtr parent_holder;
  if (dot != std::string::npos) {
    parent_holder = get_submodule(path.substr(0, dot));
    parent = parent_holder.get();
  }
  CNN_CHECK(parent->children_.contains(name), "replace: {} has no child \"{}\" to replace (path \"{}\"; children: {})",
            parent->type_name(), name, path, children_list(*parent));
  parent->add_child(name, std::move(module));
}

void Module::set_stats_frozen(bool frozen) {
  stats_frozen_ = frozen;
  if (frozen) training_ = false;
}

Module& Module::set_requires_grad(const std::string& pattern, bool enabled, bool bn_stats) {
  const char* what = enabled ? "unfreeze" : "freeze";
  const std::vector<std::string> parts = pattern.empty() ? std::vector<std::string>{} : split(pattern, ',');
  std::set<std::string> chosen;
  const OrderedDict<Tensor> params = named_parameters();
  for (const std::string& part : parts) {
    CNN_CHECK(!part.empty(), "{}: empty part in the pattern \"{}\"", what, pattern);
    size_t hits = 0;
    for (const auto& [name, p] : params)
      if (selects(part, name)) chosen.insert(name), ++hits;
    CNN_CHECK(hits > 0, "{}: \"{}\" selects no parameter of {} (top-level modules: {})", what, part, type_name(),
              children_list(*this));
  }
  for (const auto& [name, p] : params)
    if (parts.empty() || chosen.count(name)) Tensor(p).requires_grad_(enabled);

  for (auto& [path, m] : named_modules()) {
    if (dynamic_cast<BatchNorm*>(m) == nullptr) continue;
    const OrderedDict<Tensor> own = m->named_parameters(false);
    bool all = !own.empty();
    for (const auto& [local, p] : own) all = all && (parts.empty() || chosen.count(path + "." + local) > 0);
    const bool named = !parts.empty() && own.empty() &&
                       std::any_of(parts.begin(), parts.end(), [&, &path = path](const std::string& part) { return selects(part, path); });
    if (!(parts.empty() || all || named)) continue;
    if (enabled) {
      m->stats_frozen_ = false;
      m->training_ = training_;
    } else if (bn_stats) {
      m->set_stats_frozen(true);
    }
  }
  return *this;
}

Module& Module::freeze(const std::string& pattern, bool freeze_bn_stats) {
  return set_requires_grad(pattern, false, freeze_bn_stats);
}

Module& Module::unfreeze(const std::string& pattern) { return set_requires_grad(pattern, true, false); }

}  // namespace cnn

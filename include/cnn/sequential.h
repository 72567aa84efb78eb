// Sequential: a container that runs its children in order, as torch.nn.Sequential.
// Not Module itself (module.h).
#pragma once

#include <cnn/module.h>

#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// Children named "0", "1", ... run in order. Usage:
///   Sequential seq(Conv2d(1, 8, {.kernel_size = 3}), ReLU(), Flatten());  seq.push_back(Linear(8, 2));
class Sequential : public Module {
 public:
  Sequential() = default;
  template <class... Ms>
    requires(sizeof...(Ms) > 0)
  explicit Sequential(Ms&&... modules) {
    (push_back(std::forward<Ms>(modules)), ...);
  }

  template <class M>
    requires std::derived_from<M, Module>
  std::shared_ptr<M> push_back(std::shared_ptr<M> module) {
    const std::string name = std::to_string(modules_.size());
    return register_module(name, append(std::move(module)));
  }
  template <class M>
    requires std::derived_from<std::remove_cvref_t<M>, Module> && (!std::is_lvalue_reference_v<M>)
  std::shared_ptr<std::remove_cvref_t<M>> push_back(M&& module) {
    return push_back(std::make_shared<std::remove_cvref_t<M>>(std::move(module)));
  }

  /// Appends under an explicit name, as nn.Sequential(OrderedDict(...)): seq.push_back("conv0", Conv2d(...)).
  template <class M>
    requires std::derived_from<M, Module>
  std::shared_ptr<M> push_back(const std::string& name, std::shared_ptr<M> module) {
    return register_module(name, append(std::move(module)));
  }
  template <class M>
    requires std::derived_from<std::remove_cvref_t<M>, Module> && (!std::is_lvalue_reference_v<M>)
  std::shared_ptr<std::remove_cvref_t<M>> push_back(const std::string& name, M&& module) {
    return push_back(name, std::make_shared<std::remove_cvref_t<M>>(std::move(module)));
  }

  size_t size() const { return modules_.size(); }
  /// The i-th module; negative i counts from the end.
  const ModulePtr& operator[](int64_t i) const;
  /// The i-th module as type M (throws when it is not one).
  template <class M>
  std::shared_ptr<M> at(int64_t i) const {
    auto m = std::dynamic_pointer_cast<M>((*this)[i]);
    CNN_CHECK(m != nullptr, "Sequential: module {} is a {}, not the type asked for", i, (*this)[i]->type_name());
    return m;
  }
  std::vector<ModulePtr>::const_iterator begin() const { return modules_.begin(); }
  std::vector<ModulePtr>::const_iterator end() const { return modules_.end(); }

  Tensor forward(const Tensor& x) override;
  Shape output_shape(const Shape& in) const override;
  int64_t macs(const Shape& in) const override;

 protected:
  void child_registered(const std::string& name, const ModulePtr& module) override;

 private:
  template <class M>
  std::shared_ptr<M> append(std::shared_ptr<M> module) {
    CNN_CHECK(module != nullptr, "Sequential: cannot append a null module at index {}", modules_.size());
    modules_.push_back(module);
    return module;
  }
  std::vector<ModulePtr> modules_;
};

}  // namespace cnn

// Sequential: runs its children in order; shapes and MACs fold over them.
// Not a general graph: one input, one output per child.
#include <cnn/sequential.h>

#include <algorithm>

namespace cnn {

const ModulePtr& Sequential::operator[](int64_t i) const {
  const auto n = static_cast<int64_t>(modules_.size());
  CNN_CHECK(i >= -n && i < n, "Sequential: index {} is out of range for {} modules", i, n);
  return modules_[static_cast<size_t>(i < 0 ? i + n : i)];
}

void Sequential::child_registered(const std::string& name, const ModulePtr& module) {
  const std::vector<std::string> names = named_children().keys();
  const auto at = static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
  if (at < modules_.size()) modules_[at] = module;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor y = x;
  for (const auto& m : modules_) y = (*m)(y);
  return y;
}

Shape Sequential::output_shape(const Shape& in) const {
  Shape s = in;
  for (const auto& m : modules_) s = m->output_shape(s);
  return s;
}

int64_t Sequential::macs(const Shape& in) const {
  Shape s = in;
  int64_t total = 0;
  for (const auto& m : modules_) {
    total += m->macs(s);
    s = m->output_shape(s);
  }
  return total;
}

}  // namespace cnn

// The model registry: names to constructors, as timm's create_model.
// Not the models themselves (one file per family beside this one).
#include <cnn/models.h>

#include <functional>
#include <map>

namespace cnn::models {

namespace {

struct Entry {
  std::function<ModulePtr(const ModelOptions&)> make;
  int64_t height, width;  // the input size the model is designed for
};

const std::map<std::string, Entry>& registry() {
  static const std::map<std::string, Entry> entries{
      {"simplecnn", {[](const ModelOptions& o) { return ModulePtr(simplecnn(o)); }, 28, 28}},
      {"lenet5", {[](const ModelOptions& o) { return ModulePtr(lenet5(o)); }, 28, 28}},
  };
  return entries;
}

const Entry& find(const std::string& name) {
  auto it = registry().find(name);
  CNN_CHECK(it != registry().end(), "models: unknown model '{}'; available: {}", name, fmt::join(names(), ", "));
  return it->second;
}

}  // namespace

ModulePtr create(const std::string& name, const ModelOptions& options) { return find(name).make(options); }

std::vector<std::string> names() {
  std::vector<std::string> out;
  for (const auto& [name, entry] : registry()) out.push_back(name);
  return out;
}

Shape default_input_shape(const std::string& name, const ModelOptions& options) {
  const Entry& e = find(name);
  return Shape{options.in_channels, e.height, e.width};
}

}  // namespace cnn::models

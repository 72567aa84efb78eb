// Seeds 003 §2 (activation functions): ReLU's max(0, x), its constant gradient and the sparsity it gives, against
// sigmoid and tanh whose gradients saturate, and the vanishing gradient through a deep stack, all through autograd.
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

using Activation = std::function<cnn::Tensor(const cnn::Tensor&)>;

// d f(x) / dx at each point, by autograd.
std::vector<float> derivative(const Activation& f, const std::vector<float>& points) {
  cnn::Tensor x = cnn::from_vector(points, {static_cast<int64_t>(points.size())});
  x.requires_grad_(true);
  cnn::sum(f(x)).backward();
  return x.grad().to_vector<float>();
}

// Gradient norm at the input of `depth` Linear(64, 64) layers (He-initialised) each followed by f.
double input_gradient_norm(const Activation& f, int64_t depth) {
  cnn::manual_seed(0);
  std::vector<std::shared_ptr<cnn::Linear>> layers;
  for (int64_t i = 0; i < depth; ++i) {
    layers.push_back(std::make_shared<cnn::Linear>(64, 64));
    cnn::init::kaiming_normal_(layers.back()->weight, {.nonlinearity = "relu"});
  }
  cnn::Tensor x = cnn::randn({16, 64});
  x.requires_grad_(true);
  cnn::Tensor y = x;
  for (auto& layer : layers) y = f((*layer)(y));
  cnn::sum(y).backward();
  return std::sqrt(cnn::sum(cnn::pow(x.grad(), 2)).item());
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §2 (activation functions)",
                           {{"--depth", "20", "layers in the deep stack"}});

  const int64_t depth = flags.i64("--depth");
  const std::vector<float> points{-10, -2, 0.5, 2, 5, 10};
  const std::pair<std::string, Activation> activations[] = {
      {"relu", [](const cnn::Tensor& t) { return cnn::relu(t); }},
      {"sigmoid", [](const cnn::Tensor& t) { return cnn::sigmoid(t); }},
      {"tanh", [](const cnn::Tensor& t) { return cnn::tanh(t); }},
  };
  fmt::print("derivative at x = {}\n", fmt::join(points, ", "));
  for (const auto& [name, f] : activations)
    fmt::print("  {:<8} {:.4g}\n", name, fmt::join(derivative(f, points), ", "));
  fmt::print("sigmoid and tanh saturate (derivative ~0 for |x| >= 5); ReLU's is 1 for every x > 0\n");

  cnn::manual_seed(0);
  const cnn::Tensor z = cnn::randn({100000});
  const double zeros = cnn::mean(cnn::clamp(cnn::relu(z) * 1e30, 0.0, 1.0) * -1.0 + 1.0).item();
  fmt::print("\nsparsity: relu(randn(100000)) has {:.1f}% exact zeros\n", 100.0 * zeros);

  fmt::print("\ninput-gradient norm through {} Linear(64, 64) + activation layers (He init):\n", depth);
  for (const auto& [name, f] : activations)
    fmt::print("  {:<8} {:.3e}\n", name, input_gradient_norm(f, depth));
  fmt::print("sigmoid's gradient vanishes with depth (each layer multiplies by at most 0.25)\n");
  return 0;
}

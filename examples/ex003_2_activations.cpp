// Seeds 003 §2 (activation functions): ReLU's max(0, x), its constant gradient and the sparsity it gives, against
// sigmoid and tanh whose gradients saturate, and the vanishing gradient through a deep stack (for tanh: with which
// initialisations it vanishes and with which it does not), all through autograd.
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

// Gradient norm at the input of `depth` Linear(64, 64) layers, weights N(0, (gain / sqrt(64))^2) (gain sqrt(2):
// He's initialisation), each followed by f.
double input_gradient_norm(const Activation& f, int64_t depth, double gain = std::sqrt(2.0)) {
  cnn::manual_seed(0);
  std::vector<std::shared_ptr<cnn::Linear>> layers;
  for (int64_t i = 0; i < depth; ++i) {
    layers.push_back(std::make_shared<cnn::Linear>(64, 64));
    cnn::init::normal_(layers.back()->weight, 0.0, gain / 8.0);
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
  // 003 §2 says tanh's gradient vanishes too; with He's init it does not, so show when it does.
  fmt::print("\ntanh through the same {} layers, weights N(0, (gain / 8)^2):\n", depth);
  for (double gain : {0.5, 1.0, std::sqrt(2.0), 3.0})
    fmt::print("  gain {:<5.3g} {:.3e}\n", gain, input_gradient_norm(activations[2].second, depth, gain));
  fmt::print("tanh's slope is 1 at 0 (sigmoid's at most 0.25): its gradient vanishes only when the weights shrink\n"
             "the signal (gain < 1); He's gain sqrt(2) keeps it alive, and larger gains make it explode although\n"
             "more units saturate\n");
  return 0;
}

// Seeds 002 §10.2-10.3 (and the notebook's cell 4 / exercise 4): ResNet18 with every parameter frozen and a new
// 10-class head, "Trainable: 5,130 / 11,181,642"; only the head receives gradients; then the backbone unfrozen with
// discriminative learning rates (rest 1e-5, layer4 1e-4, fc 1e-3) and one Adam step whose update sizes follow them.
// Training on real data: `cnn finetune` (docs/transfer.md). Run: build/examples/ex002_10_transfer [--weights W]
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/io.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

double mean_abs_change(const std::vector<cnn::Tensor>& after, const std::vector<cnn::Tensor>& before) {
  double total = 0;
  int64_t count = 0;
  for (size_t i = 0; i < after.size(); ++i) {
    total += cnn::sum(cnn::abs(after[i] - before[i])).item();
    count += after[i].numel();
  }
  return total / static_cast<double>(count);
}

std::vector<cnn::Tensor> snapshot(const std::vector<cnn::Tensor>& params) {
  std::vector<cnn::Tensor> out;
  for (const auto& p : params) out.push_back(p.clone());
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §10.2-10.3 (and the notebook's cell 4 / exercise 4)",
                           {{"--size", "64", "input height and width"},
                            {"--weights", "", "a .safetensors file to load (empty: fresh initialisation)"}});

  const int64_t size = flags.i64("--size");
  const std::string weights = flags.str("--weights");
  cnn::manual_seed(0);
  auto model = cnn::models::create("resnet18");
  if (!weights.empty()) cnn::load_state_dict_file(*model, weights);
  fmt::print("ResNet18 ({}), {} parameters\n", weights.empty() ? "random weights: no ImageNet file given" : weights,
             cnn::with_thousands(model->num_parameters()));

  fmt::print("\n== 10.2 Feature extraction: freeze everything, replace fc ==\n");
  model->freeze();
  auto fc = model->replace("fc", cnn::Linear(512, 10));
  fmt::print("Trainable: {} / {}\n", cnn::with_thousands(model->num_parameters(true)),
             cnn::with_thousands(model->num_parameters()));
  const cnn::Tensor x = cnn::randn({2, 3, size, size});
  const cnn::Tensor target = cnn::from_vector(std::vector<int64_t>{3, 7}, {2});
  cnn::cross_entropy((*model)(x), target).backward();
  std::string with_grad;
  for (const auto& [name, p] : model->named_parameters())
    if (p.grad().defined()) with_grad += (with_grad.empty() ? "" : ", ") + name;
  fmt::print("parameters with a gradient after backward: {}\n", with_grad);

  fmt::print("\n== 10.3 Fine-tuning: unfreeze, discriminative learning rates ==\n");
  model->unfreeze();
  model->zero_grad();
  std::vector<cnn::Tensor> rest;
  for (const auto& [name, p] : model->named_parameters())
    if (name.rfind("layer4.", 0) != 0 && name.rfind("fc.", 0) != 0) rest.push_back(p);
  const std::vector<cnn::Tensor> layer4 = model->get_submodule("layer4")->parameters(), head = fc->parameters();
  cnn::Adam opt({{rest, {.lr = 1e-5}}, {layer4, {.lr = 1e-4}}, {head, {.lr = 1e-3}}});
  const auto rest0 = snapshot(rest), layer40 = snapshot(layer4), head0 = snapshot(head);
  cnn::cross_entropy((*model)(x), target).backward();
  opt.step();
  auto count = [](const std::vector<cnn::Tensor>& ps) {
    int64_t n = 0;
    for (const auto& p : ps) n += p.numel();
    return cnn::with_thousands(n);
  };
  fmt::print("{:<26} {:>12} {:>8} {:>22}\n", "group", "parameters", "lr", "mean |update|, 1 step");
  fmt::print("{:<26} {:>12} {:>8} {:>22.2e}\n", "everything else", count(rest), "1e-05", mean_abs_change(rest, rest0));
  fmt::print("{:<26} {:>12} {:>8} {:>22.2e}\n", "layer4", count(layer4), "1e-04", mean_abs_change(layer4, layer40));
  fmt::print("{:<26} {:>12} {:>8} {:>22.2e}\n", "fc (new head)", count(head), "1e-03", mean_abs_change(head, head0));
  fmt::print("(Adam's first step moves every parameter with a gradient by about its lr)\n");
  return 0;
}

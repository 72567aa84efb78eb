// Seeds 002 §8: SimpleCNN built layer by layer (§8.1) with its dimension tracking, the parameter count per layer
// C_out (C_in K^2 + 1) against the module's own count, 421,642 in total (§8.2), and BatchNorm2d's per-channel
// statistics over batch and space with its 2C parameters (§8.3). Training is `cnn train --model simplecnn`.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §8: SimpleCNN built layer by layer with its dimension tracking",
                           {{"--batch", "8", "batch size"}});

  const int64_t batch = flags.i64("--batch");
  cnn::manual_seed(0);
  auto model = cnn::models::simplecnn({.num_classes = 10});
  fmt::print("{}\n", model->str());

  fmt::print("\n== 8.1 Dimension tracking (B = {}) ==\n", batch);
  const cnn::Tensor input = cnn::rand({batch, 1, 28, 28});
  cnn::Tensor x = input;
  fmt::print("{:<22} {}\n", "input", x.shape().str());
  auto step = [&](const std::string& what, const cnn::Tensor& y) {
    fmt::print("{:<22} {}\n", what, y.shape().str());
    return y;
  };
  x = step("conv1 (3x3, pad 1)", (*model->conv1)(x));
  x = step("relu + pool (2x2, s2)", (*model->pool)(cnn::relu(x)));
  x = step("conv2 (3x3, pad 1)", (*model->conv2)(x));
  x = step("relu + pool (2x2, s2)", (*model->pool)(cnn::relu(x)));
  x = step("flatten", cnn::flatten(x));
  x = step("fc1 + relu", cnn::relu((*model->fc1)(x)));
  x = step("fc2", (*model->fc2)(x));
  fmt::print("layer by layer equals model(x): {}\n",
             cnn::max(cnn::abs(x - (*model)(input))).item() < 1e-5 ? "yes" : "no");

  fmt::print("\n== 8.2 Parameter counting ==\n");
  struct Row {
    std::string layer, formula;
    int64_t by_formula, by_module;
  };
  const Row rows[] = {
      {"Conv2d(1, 32, 3)", "32 x (1 x 9 + 1)", 32 * (1 * 9 + 1), model->conv1->num_parameters()},
      {"Conv2d(32, 64, 3)", "64 x (32 x 9 + 1)", 64 * (32 * 9 + 1), model->conv2->num_parameters()},
      {"Linear(3136, 128)", "3136 x 128 + 128", 3136 * 128 + 128, model->fc1->num_parameters()},
      {"Linear(128, 10)", "128 x 10 + 10", 128 * 10 + 10, model->fc2->num_parameters()},
  };
  for (const Row& r : rows)
    fmt::print("{:<18} {:<18} = {:>9}  module: {:>9}\n", r.layer, r.formula, cnn::with_thousands(r.by_formula),
               cnn::with_thousands(r.by_module));
  const int64_t total = model->num_parameters();
  fmt::print("Total parameters: {} (document: 421,642)\n", cnn::with_thousands(total));
  fmt::print("fc1 share: {:.1f}% (document: 95%)\n", 100.0 * model->fc1->num_parameters() / total);
  const cnn::ModelSummary s = cnn::summary(*model, {1, 28, 28});
  fmt::print("summary(): {} parameters, {} mult-adds per image\n", cnn::with_thousands(s.total_parameters),
             cnn::with_thousands(s.total_macs));

  fmt::print("\n== 8.3 BatchNorm2d in CNNs ==\n");
  cnn::BatchNorm2d bn(64);
  fmt::print("BatchNorm2d(64): {} learnable parameters (gamma, beta: 2C), buffers running_mean {} running_var {}\n",
             bn.num_parameters(), bn.running_mean.shape().str(), bn.running_var.shape().str());
  const cnn::Tensor act = cnn::randn({batch, 64, 14, 14}, 3.0, 2.0);
  const cnn::Tensor mu = cnn::mean(act, {0, 2, 3});                          // mu_c over m * H * W values
  const cnn::Tensor var = cnn::mean(cnn::pow(act - mu.reshape({1, 64, 1, 1}), 2), {0, 2, 3});
  const cnn::Tensor y = bn(act);  // training mode: normalised with the batch statistics
  const cnn::Tensor manual = (act - mu.reshape({1, 64, 1, 1})) / cnn::sqrt(var.reshape({1, 64, 1, 1}) + 1e-5);
  fmt::print("input per-channel mean ~ {:.2f}, std ~ {:.2f} over m*H*W = {} values\n", cnn::mean(mu).item(),
             std::sqrt(cnn::mean(var).item()), batch * 14 * 14);
  fmt::print("output per-channel mean {:.4f}, variance {:.4f}\n", cnn::mean(cnn::mean(y, {0, 2, 3})).item(),
             cnn::mean(cnn::mean(cnn::pow(y, 2), {0, 2, 3})).item());
  fmt::print("max |BatchNorm2d - (x - mu_c)/sqrt(var_c + eps)| = {:.2g}\n", cnn::max(cnn::abs(y - manual)).item());
  return 0;
}

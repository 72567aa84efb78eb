// Seeds 003 §7 (regularisation): dropout (zeros a fraction p in training, scales the rest by 1/(1-p), identity in
// eval), L2 weight decay (one SGD step shrinks the weights by lr * wd), and data augmentation (a horizontal flip
// is a mirrored image, drawn at random). Early stopping is FitOptions::early_stopping (`cnn train --early-stop`).
#include <cnn/cnn.h>
#include <cnn/transforms.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 003 §7 (regularisation)", {});

  cnn::manual_seed(0);
  fmt::print("== Dropout(p=0.5) ==\n");
  cnn::Dropout dropout(0.5);
  const cnn::Tensor x = cnn::ones({100000});
  const cnn::Tensor train_out = dropout(x);
  const double kept = cnn::mean(cnn::clamp(train_out * 1e6, 0.0, 1.0)).item();
  fmt::print("train: {:.1f}% of units zeroed, survivors scaled to {} (1/(1-p)), mean {:.3f}\n",
             100.0 * (1.0 - kept), cnn::max(train_out).item(), cnn::mean(train_out).item());
  dropout.eval();
  fmt::print("eval: identity, max |y - x| = {}\n", cnn::max(cnn::abs(dropout(x) - x)).item());

  fmt::print("\n== L2 regularisation (weight decay) ==\n");
  cnn::Linear layer(4, 1, {.bias = false});
  layer.weight.detach().fill_(1.0);
  cnn::SGD sgd(layer.parameters(), {.lr = 0.1, .weight_decay = 0.01});
  sgd.zero_grad();
  cnn::sum(layer(cnn::zeros({1, 4}))).backward();  // a loss with zero gradient: only the penalty acts
  sgd.step();
  fmt::print("SGD(lr=0.1, weight_decay=0.01), zero loss gradient: weights 1 -> {:.4f} (= 1 - 0.1 x 0.01 x 1)\n",
             layer.weight.to_vector<float>()[0]);
  fmt::print("the same as adding (wd/2) ||w||^2 to the loss\n");

  fmt::print("\n== Data augmentation: RandomHorizontalFlip(p=0.5) ==\n");
  const cnn::Tensor image = cnn::arange(0, 6).reshape({1, 2, 3});
  cnn::transforms::RandomHorizontalFlip flip(0.5);
  fmt::print("{}\nimage rows [0, 1, 2], [3, 4, 5]\n", flip.repr());
  int flipped = 0;
  for (uint64_t seed = 0; seed < 1000; ++seed) {
    const auto v = flip(image, seed).to_vector<float>();
    if (v[0] == 2.0f) ++flipped;
    if (seed < 2) fmt::print("seed {}: first row [{}]\n", seed, fmt::join(std::vector<float>(v.begin(), v.begin() + 3), ", "));
  }
  fmt::print("flipped in {} of 1000 draws\n", flipped);
  return 0;
}

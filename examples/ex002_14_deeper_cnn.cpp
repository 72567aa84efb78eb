// Seeds 002 §14 notebook Exercise 1 (with §5.3 and §8.3): a 5-layer CNN with Conv2d -> BatchNorm2d -> ReLU blocks
// and global average pooling instead of Flatten + FC, compared with SimpleCNN's parameters and shapes.
// Not the training comparison (an ablation: see docs/course.md).
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "example_args.h"

namespace {

// Five conv blocks 32-32-64-64-128 on 1x28x28, max-pools after blocks 2 and 4, GAP, Linear(128, 10).
std::shared_ptr<cnn::Sequential> deeper_cnn() {
  auto net = std::make_shared<cnn::Sequential>();
  const int64_t widths[] = {32, 32, 64, 64, 128};
  int64_t in = 1;
  for (int i = 0; i < 5; ++i) {
    net->push_back(cnn::Conv2d(in, widths[i], {.kernel_size = 3, .padding = 1, .bias = false}));
    net->push_back(cnn::BatchNorm2d(widths[i]));
    net->push_back(cnn::ReLU());
    if (i == 1 || i == 3) net->push_back(cnn::MaxPool2d(2));
    in = widths[i];
  }
  net->push_back(cnn::AdaptiveAvgPool2d(1));
  net->push_back(cnn::Flatten());
  net->push_back(cnn::Linear(128, 10));
  return net;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §14 notebook Exercise 1 (with §5.3 and §8.3)", {});

  cnn::manual_seed(0);
  auto net = deeper_cnn();
  fmt::print("{}\n\n", net->str());
  const cnn::ModelSummary s = cnn::summary(*net, {1, 28, 28});
  for (const cnn::SummaryRow& row : s.rows)
    if (row.type == "Conv2d" || row.type == "BatchNorm2d" || row.type == "MaxPool2d" || row.type == "Linear" ||
        row.type == "AdaptiveAvgPool2d")
      fmt::print("{:<4} {:<18} {:<16} {:>7}\n", row.name, row.type, row.output_shape.str(),
                 cnn::with_thousands(row.parameters()));
  auto simple = cnn::models::create("simplecnn");
  const int64_t bn_params = 2 * (32 + 32 + 64 + 64 + 128);
  fmt::print("\n5-layer CNN with BN + GAP: {} parameters ({} of them BatchNorm gamma/beta, 2C per layer)\n",
             cnn::with_thousands(net->num_parameters()), bn_params);
  fmt::print("SimpleCNN (Flatten + FC):  {} parameters\n", cnn::with_thousands(simple->num_parameters()));
  fmt::print("head: GAP + Linear(128, 10) = {} vs SimpleCNN fc1 + fc2 = {}\n",
             cnn::with_thousands(128 * 10 + 10), cnn::with_thousands(401536 + 1290));
  fmt::print("mult-adds per image: {} vs {}\n", cnn::with_thousands(s.total_macs),
             cnn::with_thousands(cnn::summary(*simple, {1, 28, 28}).total_macs));
  return 0;
}

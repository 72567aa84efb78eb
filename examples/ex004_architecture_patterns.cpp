// Seeds 004 "Architecture patterns": INPUT -> [[CONV -> RELU]*N -> POOL?]*M -> [FC -> RELU]*K -> FC built for any
// N, M, K; input sizes divisible by 2 many times; the memory of three 3x3 CONV-64 layers on 224x224x3 (~10M
// activations, ~72MB with gradients); first-layer compromises (ZF 7x7/2, AlexNet 11x11/4). 27C^2 vs 49C^2:
// ex002_12_stacked_3x3.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <memory>
#include <string>

#include "example_args.h"

namespace {

// The pattern with 3x3 same-padded convs, widths doubling per pool stage from `width`, FC layers of `hidden`.
std::shared_ptr<cnn::Sequential> pattern(int64_t n, int64_t m, int64_t k, int64_t in_ch, int64_t size,
                                         int64_t width, int64_t hidden, int64_t classes) {
  auto net = std::make_shared<cnn::Sequential>();
  int64_t c = in_ch;
  for (int64_t stage = 0; stage < m; ++stage, width *= 2, size /= 2) {
    for (int64_t i = 0; i < n; ++i, c = width) {
      net->push_back(cnn::Conv2d(c, width, {.kernel_size = 3, .padding = 1}));
      net->push_back(cnn::ReLU());
    }
    net->push_back(cnn::MaxPool2d(2));
  }
  net->push_back(cnn::Flatten());
  int64_t features = c * size * size;
  for (int64_t i = 0; i < k; ++i, features = hidden) {
    net->push_back(cnn::Linear(features, hidden));
    net->push_back(cnn::ReLU());
  }
  net->push_back(cnn::Linear(features, classes));
  return net;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"Architecture patterns\"",
                           {{"--n", "2", "CONV -> RELU per group (N)"},
                            {"--m", "3", "conv groups (M)"},
                            {"--k", "1", "FC -> RELU blocks (K)"},
                            {"--size", "224", "input height and width"}});

  const int64_t n = flags.i64("--n");
  const int64_t m = flags.i64("--m");
  const int64_t k = flags.i64("--k");
  const int64_t size = flags.i64("--size");
  cnn::manual_seed(0);

  fmt::print("== INPUT -> [[CONV -> RELU]*{} -> POOL]*{} -> [FC -> RELU]*{} -> FC on 3x32x32 ==\n", n, m, k);
  auto net = pattern(n, m, k, 3, 32, 32, 256, 10);
  const cnn::ModelSummary s = cnn::summary(*net, {3, 32, 32});
  fmt::print("{} layers, {} parameters, output {}\n", net->size(), cnn::with_thousands(s.total_parameters),
             s.rows.back().output_shape.str());

  fmt::print("\n== Input sizes divisible by 2 many times ==\n");
  for (const int64_t in : {32, 64, 96, 224, 384, 512}) {
    int64_t halvings = 0;
    for (int64_t v = in; v % 2 == 0; v /= 2) ++halvings;
    fmt::print("{:>3}: halves {} times\n", in, halvings);
  }

  fmt::print("\n== Memory: three 3x3 CONV-64 layers, padding 1, on {}x{}x3 ==\n", size, size);
  cnn::Sequential three(cnn::Conv2d(3, 64, {.kernel_size = 3, .padding = 1}),
                        cnn::Conv2d(64, 64, {.kernel_size = 3, .padding = 1}),
                        cnn::Conv2d(64, 64, {.kernel_size = 3, .padding = 1}));
  const cnn::ModelSummary mem = cnn::summary(three, {3, size, size});
  int64_t activations = 0;
  for (const cnn::SummaryRow& row : mem.rows) activations += row.output_shape.numel();
  fmt::print("three volumes of {}: {} activations (document: about 10 million)\n", mem.rows[0].output_shape.str(),
             cnn::with_thousands(activations));
  fmt::print("x 4 bytes x 2 (activations and gradients) = {:.1f} MB = {:.1f} MiB (document: 72MB)\n",
             activations * 8 / 1e6, activations * 8 / 1048576.0);

  fmt::print("\n== First-layer compromises ==\n");
  const cnn::OutputSizeReport zf = cnn::explain_output_size({.in = 224, .kernel = 7, .stride = 2, .padding = 1});
  const cnn::OutputSizeReport alex = cnn::explain_output_size({.in = 227, .kernel = 11, .stride = 4});
  fmt::print("ZF net 7x7 stride 2: {}\nAlexNet 11x11 stride 4: {}\n", zf.computation, alex.computation);
  return 0;
}

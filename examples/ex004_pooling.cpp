// Seeds 004 "Pooling layer": W2 = (W1 - F)/S + 1, D2 = D1, zero parameters; F=2, S=2 discards 75% of the
// activations; F=3, S=2 on 32x32 needs padding to fit; and "getting rid of pooling" with a stride-2 conv that
// gives the same shape (with parameters). Values of max pooling itself: ex002_5_pooling.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"Pooling layer\"", {});

  const int64_t w1 = 224, d1 = 64;
  const cnn::Tensor x = cnn::zeros({1, d1, w1, w1});
  fmt::print("== Pooling volume sizes ==\n");
  cnn::MaxPool2d pool2({.kernel_size = 2, .stride = 2});
  const cnn::Tensor y = pool2(x);
  fmt::print("MaxPool2d(F=2, S=2): [{}x{}x{}] -> {}; W2 = (224 - 2)/2 + 1 = {}; parameters {}\n", w1, w1, d1,
             y.shape().str(), (w1 - 2) / 2 + 1, pool2.num_parameters());
  fmt::print("activations kept {} of {}: {:.0f}% discarded\n", cnn::with_thousands(y.numel()),
             cnn::with_thousands(x.numel()), 100.0 * (1.0 - double(y.numel()) / double(x.numel())));

  fmt::print("\n== F=3, S=2 on 32x32 ==\n");
  for (const int64_t p : {0, 1}) {
    const cnn::OutputSizeReport r = cnn::explain_output_size({.op = cnn::WindowOp::pool, .in = 32, .kernel = 3,
                                                              .stride = 2, .padding = p});
    fmt::print("padding {}: {}\n", p, r.computation);
    for (const std::string& note : r.notes) fmt::print("  note: {}\n", note);
  }

  fmt::print("\n== Getting rid of pooling: a stride-2 convolution ==\n");
  cnn::Conv2d strided(d1, d1, {.kernel_size = 3, .stride = 2, .padding = 1});
  fmt::print("Conv2d(64, 64, 3, stride=2, padding=1): {} -> {}, {} learnable parameters\n", x.shape().str(),
             strided(x).shape().str(), cnn::with_thousands(strided.num_parameters()));
  return 0;
}

// Seeds 002 §5 (max pooling, average pooling, global average pooling and its parameter saving over Flatten + FC)
// and seeds 003 §3 (GAP from 7x7 to 1x1). Small fixed tensors so every value can be read; not unpooling.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "example_args.h"

namespace {

void print_plane(const std::string& title, const cnn::Tensor& t) {
  const auto v = t.contiguous().to_vector<float>();
  const int64_t h = t.size(-2), w = t.size(-1);
  fmt::print("{} {}:\n", title, t.shape().str());
  for (int64_t i = 0; i < h; ++i) {
    std::vector<float> row(v.begin() + i * w, v.begin() + (i + 1) * w);
    fmt::print("  [{}]\n", fmt::join(row, ", "));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §5: max, average and global average pooling", {});

  const cnn::Tensor x = cnn::from_vector(std::vector<float>{1, 3, 2, 1,  //
                                                            4, 6, 5, 0,  //
                                                            7, 2, 9, 8,  //
                                                            1, 0, 3, 4},
                                         {1, 1, 4, 4});
  fmt::print("== 5.1 Max pooling ==\n");
  print_plane("input", x);
  cnn::MaxPool2d max_pool({.kernel_size = 2, .stride = 2});
  print_plane("MaxPool2d(kernel_size=2, stride=2)", max_pool(x));

  // A single bright pixel moved inside its 2x2 window: the pooled output does not change.
  cnn::Tensor a = cnn::zeros({1, 1, 4, 4}), b = cnn::zeros({1, 1, 4, 4});
  a.data<float>()[0] = 1.0f;      // (0, 0)
  b.data<float>()[4 + 1] = 1.0f;  // (1, 1): shifted by one pixel in each direction
  const bool same = cnn::max(cnn::abs(max_pool(a) - max_pool(b))).item() == 0.0;
  fmt::print("peak at (0,0) vs (1,1): pooled outputs identical: {} (shift up to k-1 = 1 pixel)\n",
             same ? "yes" : "no");

  fmt::print("\n== 5.2 Average pooling ==\n");
  cnn::AvgPool2d avg_pool(2);
  print_plane("AvgPool2d(2)", avg_pool(x));

  fmt::print("\n== 5.3 Global average pooling ==\n");
  cnn::manual_seed(0);
  const cnn::Tensor features = cnn::rand({2, 64, 7, 7});
  cnn::AdaptiveAvgPool2d gap(1);
  const cnn::Tensor pooled = gap(features);
  fmt::print("AdaptiveAvgPool2d(1): {} -> {} -> flatten {}\n", features.shape().str(), pooled.shape().str(),
             cnn::flatten(pooled).shape().str());
  const double diff = cnn::max(cnn::abs(cnn::flatten(pooled) - cnn::mean(features, {2, 3}))).item();
  fmt::print("equals the mean over H and W: max difference {:.2g}\n", diff);

  cnn::Linear flat_fc(64 * 7 * 7, 10), gap_fc(64, 10);
  fmt::print("Flatten + FC: Linear(3136, 10) weights {} (document 31,360), with bias {}\n",
             cnn::with_thousands(flat_fc.weight.numel()), cnn::with_thousands(flat_fc.num_parameters()));
  fmt::print("GAP + FC:     Linear(64, 10) weights {} (document 640), with bias {}\n", gap_fc.weight.numel(),
             gap_fc.num_parameters());
  fmt::print("ratio: {}x fewer weights\n", flat_fc.weight.numel() / gap_fc.weight.numel());
  return 0;
}

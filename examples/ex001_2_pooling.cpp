// Seeds 001 §2 "Pooling Layers": §2.1 max, average and global average pooling of the notebook's 4x4 map (1..16),
// adaptive pooling of an odd-sized [1, 3, 37, 41] input to 7x7, and §2.2 max pooling with indices followed by
// MaxUnpool2d. Run: build/examples/ex001_2_pooling
#include <cnn/cnn.h>
#include <fmt/format.h>

#include "example_args.h"

namespace {

cnn::Tensor squeeze2(const cnn::Tensor& t) { return t.squeeze(0).squeeze(0); }

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §2 \"Pooling Layers\"", {});

  cnn::manual_seed(42);
  std::vector<float> values(16);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i + 1);
  const cnn::Tensor x = cnn::from_vector(values, {1, 1, 4, 4});

  // ---- 2.1 Types of pooling ----
  fmt::print("Input:\n{}\n\n", squeeze2(x).str());
  cnn::MaxPool2d max_pool({.kernel_size = 2, .stride = 2});
  fmt::print("Max Pooling (2x2, stride 2):\n{}\n\n", squeeze2(max_pool(x)).str());
  cnn::AvgPool2d avg_pool({.kernel_size = 2, .stride = 2});
  fmt::print("Average Pooling (2x2, stride 2):\n{}\n\n", squeeze2(avg_pool(x)).str());
  cnn::AdaptiveAvgPool2d global_avg_pool(1);
  fmt::print("Global Average Pooling:\n{}\n\n", global_avg_pool(x).flatten().str());

  const cnn::Tensor odd = cnn::randn({1, 3, 37, 41});
  cnn::AdaptiveAvgPool2d adaptive_pool(cnn::Pair2{7, 7});
  const cnn::Tensor pooled7 = adaptive_pool(odd);
  fmt::print("Adaptive pooling {}:\n", adaptive_pool.str());
  fmt::print("Input shape: {}\n", odd.shape().str());
  fmt::print("Output shape: {}\n", pooled7.shape().str());
  // Output cell (0, 0) averages rows [0, ceil(37/7)) and columns [0, ceil(41/7)), as PyTorch's start/end rule.
  const cnn::Tensor corner = cnn::mean(odd.slice(1, 0, 1).slice(2, 0, 6).slice(3, 0, 6));
  fmt::print("Cell (0, 0) of channel 0 = mean of input rows 0-5, columns 0-5: {:.6f} vs {:.6f}\n",
             pooled7[0][0][0][0].item(), corner.item());
  fmt::print("Adaptive pooling is essential for handling variable input sizes!\n\n");

  // ---- 2.2 Max pooling with indices ----
  cnn::MaxPool2d max_pool_idx({.kernel_size = 2, .stride = 2, .return_indices = true});
  cnn::MaxUnpool2d max_unpool({.kernel_size = 2, .stride = 2});
  const auto [pooled, indices] = max_pool_idx.forward_with_indices(x);
  fmt::print("Pooled:\n{}\n\n", squeeze2(pooled).str());
  fmt::print("Indices (flattened positions):\n{}\n\n", squeeze2(indices).str());
  const cnn::Tensor unpooled = max_unpool.forward(pooled, indices);
  fmt::print("Unpooled:\n{}\n", squeeze2(unpooled).str());
  return 0;
}

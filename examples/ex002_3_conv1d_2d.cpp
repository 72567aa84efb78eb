// Seeds 002 §3.1-§3.4: 1-D convolution of [1, 2, 3, 4, 5] with [1, 0, -1], a 3x3 kernel over a 5x5 input,
// cross-correlation (what conv2d computes) against true convolution (flipped kernel), and multi-channel
// convolution summed over input channels, each checked against explicit loops. Not im2col (ex002_3_5_im2col).
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

std::string list(const std::vector<float>& v) { return fmt::format("[{}]", fmt::join(v, ", ")); }

// Rows of a [1, 1, H, W] tensor, one line each.
void print_plane(const cnn::Tensor& t) {
  const auto v = t.contiguous().to_vector<float>();
  const int64_t h = t.size(2), w = t.size(3);
  for (int64_t i = 0; i < h; ++i) {
    std::vector<float> row(v.begin() + i * w, v.begin() + (i + 1) * w);
    fmt::print("  {}\n", list(row));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §3.1-§3.4: 1-D and 2-D convolution by hand and with the library", {});

  fmt::print("== 3.1 1-D convolution ==\n");
  const cnn::Tensor x1 = cnn::from_vector(std::vector<float>{1, 2, 3, 4, 5}, {1, 1, 5});
  const cnn::Tensor w1 = cnn::from_vector(std::vector<float>{1, 0, -1}, {1, 1, 3});
  const auto y1 = cnn::conv1d(x1, w1).to_vector<float>();
  fmt::print("x = [1, 2, 3, 4, 5], w = [1, 0, -1]: conv1d = {} (document: [-2, -2, -2])\n", list(y1));

  fmt::print("\n== 3.2 2-D convolution: 3x3 kernel on a 5x5 input, no padding, stride 1 ==\n");
  const cnn::Tensor x = cnn::arange(1, 26).reshape({1, 1, 5, 5});  // a..y = 1..25
  const cnn::Tensor w = cnn::arange(1, 10).reshape({1, 1, 3, 3});  // w1..w9 = 1..9
  const cnn::Tensor y = cnn::conv2d(x, w);
  fmt::print("output shape {}\n", y.shape().str());
  print_plane(y);
  const auto xv = x.to_vector<float>(), wv = w.to_vector<float>(), yv = y.to_vector<float>();
  double worst = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int m = 0; m < 3; ++m)
        for (int n = 0; n < 3; ++n) s += xv[(i + m) * 5 + j + n] * wv[m * 3 + n];
      worst = std::max(worst, std::abs(s - yv[i * 3 + j]));
    }
  fmt::print("sum_m sum_n X[i+m, j+n] W[m, n] by loops: max difference {}\n", worst);

  fmt::print("\n== 3.3 Cross-correlation vs convolution ==\n");
  const cnn::Tensor sobel = cnn::from_vector(std::vector<float>{1, 0, -1, 2, 0, -2, 1, 0, -1}, {1, 1, 3, 3});
  std::vector<float> flipped_v = sobel.to_vector<float>();
  std::reverse(flipped_v.begin(), flipped_v.end());
  const cnn::Tensor flipped = cnn::from_vector(flipped_v, {1, 1, 3, 3});
  const cnn::Tensor corr = cnn::conv2d(x, sobel);
  const cnn::Tensor conv = cnn::conv2d(x, flipped);
  fmt::print("conv2d(x, sobel) (cross-correlation, PyTorch's Conv2d):\n");
  print_plane(corr);
  fmt::print("conv2d(x, flip(sobel)) = true convolution sum X[i-m, j-n] W[m, n]:\n");
  print_plane(conv);
  fmt::print("the two differ by sign here: a learned kernel simply becomes the flipped one\n");

  fmt::print("\n== 3.4 Multi-channel convolution ==\n");
  cnn::manual_seed(0);
  cnn::Conv2d layer(3, 64, {.kernel_size = 3, .padding = 1});
  fmt::print("Conv2d(3, 64, kernel_size=3, padding=1): weight {} -> 64 filters, each 3x3x3; bias {}\n",
             layer.weight.shape().str(), layer.bias.shape().str());
  const cnn::Tensor img = cnn::rand({1, 3, 8, 8});
  const cnn::Tensor out = layer(img);
  fmt::print("input {} -> output {}\n", img.shape().str(), out.shape().str());
  // One output element by the formula: sum over c, m, n of X[c, i+m, j+n] W[c, m, n] + b (padding 1).
  const auto iv = img.to_vector<float>(), kv = layer.weight.to_vector<float>(), bv = layer.bias.to_vector<float>();
  const int64_t k = 5, i = 3, j = 4;
  double s = bv[k];
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t m = 0; m < 3; ++m)
      for (int64_t n = 0; n < 3; ++n) {
        const int64_t r = i + m - 1, q = j + n - 1;
        if (r >= 0 && r < 8 && q >= 0 && q < 8) s += iv[(c * 8 + r) * 8 + q] * kv[((k * 3 + c) * 3 + m) * 3 + n];
      }
  const double got = out.select(1, k).select(1, i).select(1, j).item();
  fmt::print("output[0, {}, {}, {}] = {:.6f}, triple sum + b = {:.6f}, match: {}\n", k, i, j, got, s,
             std::abs(got - s) < 1e-5 ? "yes" : "no");
  return 0;
}

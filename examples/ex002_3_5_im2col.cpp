// Seeds 002 §3.5: convolution as matrix multiplication (im2col). Every K x K patch becomes a row of X_col
// [H'W', C_in K^2], the kernels become W_col [C_in K^2, C_out], and Y = X_col W_col reshaped to [C_out, H', W']
// equals the library's conv2d. Also the weight count of the equivalent fully connected layer.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "example_args.h"

namespace {

// x [C, H, W] -> X_col [H'W', C K K] for a K x K window with `stride` and zero `padding`.
cnn::Tensor im2col(const cnn::Tensor& x, int64_t k, int64_t stride, int64_t padding) {
  const int64_t c = x.size(0), h = x.size(1), w = x.size(2);
  const int64_t ho = (h + 2 * padding - k) / stride + 1, wo = (w + 2 * padding - k) / stride + 1;
  const auto xv = x.contiguous().to_vector<float>();
  std::vector<float> col(static_cast<size_t>(ho * wo * c * k * k), 0.0f);
  for (int64_t i = 0; i < ho; ++i)
    for (int64_t j = 0; j < wo; ++j)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t m = 0; m < k; ++m)
          for (int64_t n = 0; n < k; ++n) {
            const int64_t r = i * stride + m - padding, q = j * stride + n - padding;
            if (r < 0 || r >= h || q < 0 || q >= w) continue;
            col[static_cast<size_t>(((i * wo + j) * c + ch) * k * k + m * k + n)] = xv[static_cast<size_t>((ch * h + r) * w + q)];
          }
  return cnn::from_vector(col, {ho * wo, c * k * k});
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §3.5: convolution as matrix multiplication (im2col)",
                           {{"--in-channels", "3", "input channels"},
                            {"--out-channels", "8", "output channels"},
                            {"--size", "28", "input height and width"},
                            {"--kernel", "3", "kernel size"},
                            {"--stride", "1", "stride"},
                            {"--padding", "1", "padding"}});

  const int64_t cin = flags.i64("--in-channels");
  const int64_t cout = flags.i64("--out-channels");
  const int64_t size = flags.i64("--size");
  const int64_t k = flags.i64("--kernel");
  const int64_t stride = flags.i64("--stride");
  const int64_t padding = flags.i64("--padding");
  cnn::manual_seed(0);

  cnn::Conv2d conv(cin, cout, {.kernel_size = k, .stride = stride, .padding = padding});
  const cnn::Tensor x = cnn::rand({1, cin, size, size});
  const cnn::Tensor reference = conv(x);
  const int64_t ho = reference.size(2), wo = reference.size(3);

  const cnn::Tensor x_col = im2col(x.select(0, 0), k, stride, padding);
  const cnn::Tensor w_col = conv.weight.reshape({cout, cin * k * k}).t();
  const cnn::Tensor y = cnn::matmul(x_col, w_col) + conv.bias;  // [H'W', C_out]
  const cnn::Tensor im2col_out = y.t().contiguous().reshape({1, cout, ho, wo});

  fmt::print("input [1, {}, {}, {}], Conv2d({}, {}, kernel_size={}, stride={}, padding={})\n", cin, size, size, cin,
             cout, k, stride, padding);
  fmt::print("X_col {}  (H'W' = {} patches, C_in K^2 = {})\n", x_col.shape().str(), ho * wo, cin * k * k);
  fmt::print("W_col {}\n", w_col.shape().str());
  fmt::print("Y = X_col W_col {} -> reshaped {}\n", y.shape().str(), im2col_out.shape().str());
  const double diff = cnn::max(cnn::abs(im2col_out - reference)).item();
  fmt::print("conv2d output {}; max |im2col - conv2d| = {:.2g}\n", reference.shape().str(), diff);
  fmt::print("im2col equals conv2d: {}\n", diff < 1e-4 ? "yes" : "no");

  fmt::print("\nConstrained linear map (one 3x3 filter on a 28x28 image, same padding):\n");
  fmt::print("conv: {} unique weights; equivalent FC layer 784 x 784 = {} weights\n", 9,
             cnn::with_thousands(784 * 784));
  return 0;
}

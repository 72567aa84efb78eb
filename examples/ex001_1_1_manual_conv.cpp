// Seeds 001 §1.1 "What is a Convolution?": the notebook's manual_conv2d (loops over every output position, dot
// product of the patch with the kernel) on its 5x5 image and Sobel-like kernel, checked against cnn::conv2d as the
// notebook checks F.conv2d. Run: build/examples/ex001_1_1_manual_conv
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <cmath>

#include "example_args.h"

namespace {

/// No padding, stride 1: image [H, W], kernel [kH, kW] -> [H - kH + 1, W - kW + 1].
cnn::Tensor manual_conv2d(const cnn::Tensor& image, const cnn::Tensor& kernel) {
  const int64_t h = image.size(0), w = image.size(1), kh = kernel.size(0), kw = kernel.size(1);
  const int64_t out_h = h - kh + 1, out_w = w - kw + 1;
  const auto img = image.to_vector<float>();
  const auto ker = kernel.to_vector<float>();
  std::vector<float> out(static_cast<size_t>(out_h * out_w), 0.0f);
  for (int64_t i = 0; i < out_h; ++i)
    for (int64_t j = 0; j < out_w; ++j) {
      float acc = 0.0f;  // (patch * kernel).sum()
      for (int64_t a = 0; a < kh; ++a)
        for (int64_t b = 0; b < kw; ++b) acc += img[(i + a) * w + (j + b)] * ker[a * kw + b];
      out[i * out_w + j] = acc;
    }
  return cnn::from_vector(out, {out_h, out_w});
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §1.1 \"What is a Convolution?\"", {});

  const cnn::Tensor image = cnn::from_vector(std::vector<float>{1, 2, 3, 0, 1,  //
                                                                0, 1, 2, 3, 1,  //
                                                                1, 2, 1, 0, 0,  //
                                                                2, 1, 0, 1, 1,  //
                                                                1, 0, 1, 2, 1},
                                             {5, 5});
  const cnn::Tensor kernel = cnn::from_vector(std::vector<float>{-1, 0, 1, -2, 0, 2, -1, 0, 1}, {3, 3});

  const cnn::Tensor output = manual_conv2d(image, kernel);
  fmt::print("Input shape: {}\n", image.shape().str());
  fmt::print("Kernel shape: {}\n", kernel.shape().str());
  fmt::print("Output shape: {}\n", output.shape().str());
  fmt::print("\nOutput:\n{}\n", output.str());

  // cnn::conv2d expects (N, C, H, W) input and (out_channels, in_channels, kH, kW) kernel, as F.conv2d.
  const cnn::Tensor library = cnn::conv2d(image.unsqueeze(0).unsqueeze(0), kernel.unsqueeze(0).unsqueeze(0));
  const cnn::Tensor squeezed = library.squeeze(0).squeeze(0);
  fmt::print("\ncnn::conv2d output:\n{}\n", squeezed.str());

  double max_diff = 0.0;
  const auto a = output.to_vector<float>(), b = squeezed.to_vector<float>();
  for (size_t i = 0; i < a.size(); ++i) max_diff = std::max(max_diff, static_cast<double>(std::fabs(a[i] - b[i])));
  fmt::print("\nMatches manual: {} (max |difference| {})\n", max_diff <= 1e-5 ? "True" : "False", max_diff);
  return max_diff <= 1e-5 ? 0 : 1;
}

// Seeds 001 §5.1 "1x1 Convolutions": the notebook's ChannelMixer (Conv2d(256, 64, kernel_size=1)) reduces
// [1, 256, 32, 32] to [1, 64, 32, 32] with 16,448 parameters against 147,520 for a 3x3 convolution; the 1x1
// convolution is the same Linear(256, 64) applied at every pixel, which the program checks numerically.
// Run: build/examples/ex001_5_1_conv1x1 [--size S]   (S: height and width of the input, default 32)
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>

#include "example_args.h"

namespace {

/// Use a 1x1 conv to mix/reduce channels.
class ChannelMixer : public cnn::Module {
 public:
  ChannelMixer(int64_t in_channels, int64_t out_channels) {
    conv = register_module("conv", cnn::Conv2d(in_channels, out_channels, {.kernel_size = 1}));
  }
  cnn::Tensor forward(const cnn::Tensor& x) override { return (*conv)(x); }
  std::string type_name() const override { return "ChannelMixer"; }

  std::shared_ptr<cnn::Conv2d> conv;
};

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §5.1 \"1x1 Convolutions\"",
                           {{"--size", "32", "input height and width"}});
  const int64_t size = flags.i64("--size");
  cnn::manual_seed(42);

  ChannelMixer mixer(256, 64);
  const cnn::Tensor x = cnn::randn({1, 256, size, size});
  const cnn::Tensor out = mixer(x);
  const int64_t params = mixer.num_parameters();
  fmt::print("Channel reduction: {} -> {}\n", x.shape().str(), out.shape().str());
  fmt::print("Parameters: {}\n", params);
  fmt::print("  vs 3x3 conv: {}\n", 256 * 64 * 3 * 3 + 64);
  cnn::Conv2d conv3(256, 64, {.kernel_size = 3, .padding = 1});
  fmt::print("  (cnn::Conv2d(256, 64, 3) has {} parameters: {:.1f}x more)\n", conv3.num_parameters(),
             static_cast<double>(conv3.num_parameters()) / static_cast<double>(params));
  fmt::print("Mult-adds at {}x{}: 1x1 {} vs 3x3 {}\n", size, size,
             cnn::with_thousands(mixer.conv->macs(x.shape())), cnn::with_thousands(conv3.macs(x.shape())));

  // The same computation as a Linear layer on each pixel's 256-vector: [H*W, 256] @ W^T + b.
  const cnn::Tensor pixels = x[0].reshape({256, size * size}).t();
  const cnn::Tensor w = mixer.conv->weight.detach().reshape({64, 256});
  const cnn::Tensor per_pixel = cnn::linear(pixels, w, mixer.conv->bias.detach());
  const cnn::Tensor conv_pixels = out.detach()[0].reshape({64, size * size}).t();
  const double diff = cnn::max(cnn::abs(per_pixel - conv_pixels)).item();
  fmt::print("1x1 conv == Linear(256, 64) at every pixel: {} (max |difference| {:.1e})\n", diff < 1e-4 ? "yes" : "no",
             diff);
  const bool ok = params == 16448 && out.shape() == cnn::Shape({1, 64, size, size}) && diff < 1e-4;
  return ok ? 0 : 1;
}

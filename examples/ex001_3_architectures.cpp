// Seeds 001 §3 "Building CNN Architectures": §3.1 SimpleCNN (LeNet-style, 620,362 parameters), §3.2 VGG-style CNN
// with batch normalisation (1,806,154), §3.3 the residual BasicBlock and Bottleneck (shapes, parameters, what the
// skip connection carries) and ResNet-18/34/50 for 32x32 inputs (11,173,962 / 21,282,122 / 23,520,842), each run on
// a [B, 3, 32, 32] batch. Run: build/examples/ex001_3_architectures [--batch B]   (B defaults to the notebook's 4)
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "example_args.h"

namespace {

bool check_model(const std::string& title, const std::string& name, int64_t batch, int64_t expected) {
  auto model = cnn::models::create(name, {.num_classes = 10});
  const cnn::Tensor x = cnn::randn({batch, 3, 32, 32});
  const cnn::Tensor output = (*model)(x);
  const int64_t params = model->num_parameters();
  fmt::print("{} ({})\n", title, name);
  fmt::print("  Input shape: {}\n  Output shape: {}\n", x.shape().str(), output.shape().str());
  fmt::print("  Total parameters: {} (the notebook's PyTorch code: {}) {}\n\n", cnn::with_thousands(params),
             cnn::with_thousands(expected), params == expected ? "ok" : "MISMATCH");
  return params == expected && output.shape() == cnn::Shape({batch, 10});
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §3 \"Building CNN Architectures\"",
                           {{"--batch", "4", "batch size"}});
  const int64_t batch = flags.i64("--batch");
  cnn::manual_seed(42);
  bool ok = true;

  ok &= check_model("3.1 SimpleCNN", "simplecnn_cifar", batch, 620362);
  ok &= check_model("3.2 VGGStyleCNN", "vgg_style", batch, 1806154);

  // ---- 3.3 Residual blocks, with the notebook's names (shortcut) ----
  const cnn::ResidualBlockOptions course{.naming = cnn::BlockNaming::course};
  const cnn::Tensor x = cnn::randn({1, 64, 32, 32});
  cnn::BasicBlock block(64, 64, course);
  const cnn::Tensor out = block(x);
  fmt::print("3.3 BasicBlock: {} -> {}   ({} parameters, identity shortcut)\n", x.shape().str(), out.shape().str(),
             cnn::with_thousands(block.num_parameters()));
  cnn::BasicBlock block_down(64, 128, {.stride = 2, .naming = cnn::BlockNaming::course});
  const cnn::Tensor out_down = block_down(x);
  fmt::print("BasicBlock (stride=2): {} -> {}   ({} parameters, 1x1 projection shortcut)\n", x.shape().str(),
             out_down.shape().str(), cnn::with_thousands(block_down.num_parameters()));
  cnn::Bottleneck bottleneck(64, 64, course);
  const cnn::Tensor out_b = bottleneck(x);
  fmt::print("Bottleneck: {} -> {}   ({} parameters)\n", x.shape().str(), out_b.shape().str(),
             cnn::with_thousands(bottleneck.num_parameters()));
  fmt::print("Note: output channels = 64 * {} = {}\n", cnn::Bottleneck::expansion, out_b.size(1));
  ok &= out.shape() == x.shape() && out_down.shape() == cnn::Shape({1, 128, 16, 16}) && out_b.size(1) == 256;

  // The skip connection: with bn2's scale at zero the residual branch adds nothing and the block passes
  // relu(x) through unchanged: the identity path is always there for the signal and the gradient.
  block.bn2->weight.detach().zero_();
  const cnn::Tensor passed = block(x);
  const double diff = cnn::max(cnn::abs(passed - cnn::relu(x))).item();
  fmt::print("Skip connection: residual branch switched off (bn2.weight = 0) -> output == relu(x): {} "
             "(max |difference| {})\n\n",
             diff == 0.0 ? "yes" : "no", diff);
  ok &= diff == 0.0;

  ok &= check_model("ResNet-18 [2, 2, 2, 2] BasicBlock", "resnet18_cifar", batch, 11173962);
  ok &= check_model("ResNet-34 [3, 4, 6, 3] BasicBlock", "resnet34_cifar", batch, 21282122);
  ok &= check_model("ResNet-50 [3, 4, 6, 3] Bottleneck", "resnet50_cifar", batch, 23520842);
  fmt::print("All shapes and parameter counts as in the notebook: {}\n", ok ? "yes" : "no");
  return ok ? 0 : 1;
}

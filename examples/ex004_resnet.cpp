// Seeds 004 "ResNets" and 003 §5 (Output = F(x) + x): a BasicBlock whose residual branch is silenced is the
// identity; ResNet-18 stacks such blocks with a stem, BatchNorm after every conv, stride-2 convs (not pooling) to
// halve the size while doubling the filters, a single FC, and takes inputs of any size.
#include <cnn/analysis.h>
#include <cnn/blocks.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <map>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"ResNets\" and 003 §5 (Output = F(x) + x)",
                           {{"--size", "224", "input height and width"}});

  const int64_t size = flags.i64("--size");
  cnn::manual_seed(0);

  fmt::print("== A residual block: out = relu(F(x) + x) ==\n");
  cnn::BasicBlock block(64, 64);
  const cnn::Tensor x = cnn::relu(cnn::randn({1, 64, 8, 8}));
  fmt::print("BasicBlock(64, 64): {} -> {}, {} parameters\n", x.shape().str(), block(x).shape().str(),
             cnn::with_thousands(block.num_parameters()));
  block.eval();
  auto bn2 = std::dynamic_pointer_cast<cnn::BatchNorm2d>(block.get_submodule("bn2"));
  bn2->weight.detach().fill_(0.0);  // gamma = 0: F(x) = 0
  fmt::print("with bn2.weight = 0 (F(x) = 0): max |block(x) - x| = {:.2g}, the identity path\n",
             cnn::max(cnn::abs(block(x) - x)).item());

  fmt::print("\n== ResNet-18 ==\n");
  auto model = cnn::models::create("resnet18");
  std::map<std::string, int64_t> counts;
  fmt::print("stride-2 layers:");
  for (const auto& [name, module] : model->named_modules()) {
    ++counts[module->type_name()];
    const auto g = module->geometry();
    if (g && g->stride.h == 2) fmt::print(" {}", name);
  }
  fmt::print("\nConv2d {}, BatchNorm2d {}, MaxPool2d {} (stem only), Linear {}; parameters {}\n", counts["Conv2d"],
             counts["BatchNorm2d"], counts["MaxPool2d"], counts["Linear"],
             cnn::with_thousands(model->num_parameters()));

  model->eval();
  std::map<std::string, cnn::Shape> shapes;
  for (const char* stage : {"maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"})
    model->get_submodule(stage)->register_forward_hook(
        [&shapes, stage](cnn::Module&, const cnn::Tensor&, const cnn::Tensor& y) { shapes[stage] = y.shape(); });
  const cnn::Tensor logits = (*model)(cnn::randn({1, 3, size, size}));
  fmt::print("input [1, 3, {}, {}]:", size, size);
  for (const char* stage : {"maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool"})
    fmt::print(" {} {}", stage, shapes[stage].str());
  fmt::print(" -> fc {}\n", logits.shape().str());
  for (const int64_t other : {size / 2, size * 3 / 4})
    fmt::print("input {}x{} -> {} (global average pooling accepts any size)\n", other, other,
               (*model)(cnn::randn({1, 3, other, other})).shape().str());
  return 0;
}

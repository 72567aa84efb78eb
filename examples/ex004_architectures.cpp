// Seeds 002 §12 (classic CNN architectures and their depth), 003 §5 (AlexNet, VGG, ResNet, Inception, NiN) and
// 004 "CNN Architectures" (AlexNet 60M+, VGG 138M, Inception 5M, MobileNet 4.2M / 3.4M): the zoo's models built
// with cnn::models::create, their parameters and weight layers (Conv2d + Linear on the main path) against the
// documents' numbers. `cnn summary --model NAME` prints any of them layer by layer.
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

struct Entry {
  std::string model, year, innovation, document;
};

const std::vector<Entry> kEntries = {
    {"lenet5", "1998", "first practical CNN", "depth 5"},
    {"alexnet_original", "2012", "ReLU, dropout, 2 GPUs (groups=2)", "depth 8, 60M+"},
    {"alexnet", "2012", "torchvision's one-GPU variant", "depth 8"},
    {"vgg16", "2014", "uniform 3x3 convolutions", "depth 16, 138M"},
    {"vgg19", "2014", "uniform 3x3 convolutions", "depth 19"},
    {"googlenet", "2014", "Inception modules, GAP", "22 layers deep, 5M"},
    {"nin", "2014", "1x1 convs + GAP instead of FC", "-"},
    {"resnet18", "2015", "residual connections", "depth 18"},
    {"resnet34", "2015", "residual connections", "depth 34"},
    {"resnet50", "2015", "bottleneck blocks", "depth 50"},
    {"resnet101", "2015", "bottleneck blocks", "depth 101"},
    {"resnet152", "2015", "bottleneck blocks", "depth 152"},
    {"densenet121", "2016", "dense connections", "depth 121"},
    {"densenet201", "2016", "dense connections", "depth 201"},
    {"mobilenet_v1", "2017", "depthwise separable convs", "4.2M"},
    {"mobilenet_v2", "2018", "inverted residuals", "3.4M"},
    {"efficientnet_b0", "2019", "compound scaling", "depth variable"},
};

// Conv2d and Linear layers, leaving out shortcut projections and auxiliary classifiers (not on the main path).
int64_t weight_layers(cnn::Module& model) {
  int64_t n = 0;
  for (const auto& [name, module] : model.named_modules()) {
    const std::string type = module->type_name();
    if (type != "Conv2d" && type != "Linear") continue;
    if (name.find("downsample") != std::string::npos || name.find("aux") != std::string::npos) continue;
    ++n;
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §12, 003 §5 and 004: classic CNN architectures and their depth",
                           {{"--models", "", "comma-separated models to list (empty: all)"}});

  const std::string only = flags.str("--models");
  std::vector<std::string> wanted;
  std::stringstream list(only);
  for (std::string item; std::getline(list, item, ',');) wanted.push_back(item);

  fmt::print("{:<17} {:<5} {:<34} {:>12} {:>7}   {}\n", "model", "year", "key innovation", "parameters", "layers",
             "document");
  for (const Entry& e : kEntries) {
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), e.model) == wanted.end()) continue;
    auto model = cnn::models::create(e.model);
    fmt::print("{:<17} {:<5} {:<34} {:>12} {:>7}   {}\n", e.model, e.year, e.innovation,
               cnn::with_thousands(model->num_parameters()), weight_layers(*model), e.document);
  }
  fmt::print("\nlayers: Conv2d + Linear on the main path (GoogLeNet's 22 counts an Inception module as 2 layers;\n"
             "DenseNet and ResNet count every conv of the main path plus the classifier, as here)\n");
  fmt::print("GoogLeNet: the notes' 5M is the paper's claim; torchvision's build has 6.6M, 1,025,000 of them in its\n"
             "1000-way FC (aux classifiers not built); with the paper's true 5x5 convolutions in the third branch\n"
             "(--model-kwargs branch3_kernel=5; torchvision uses 3x3 there) it has {} (docs/zoo.md)\n",
             cnn::with_thousands(cnn::models::create("googlenet", {.kwargs = {{"branch3_kernel", "5"}}})->num_parameters()));
  fmt::print("004 compares Inception's 5M with \"60M+ for VGG\": measured, VGG-16 has {} and VGG-11 {}; 60M+ is\n"
             "AlexNet's count ({} here), so the claim holds all the more: GoogLeNet has 21x fewer than VGG-16\n",
             cnn::with_thousands(cnn::models::create("vgg16")->num_parameters()),
             cnn::with_thousands(cnn::models::create("vgg11")->num_parameters()),
             cnn::with_thousands(cnn::models::create("alexnet_original")->num_parameters()));
  return 0;
}

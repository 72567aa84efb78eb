// Seeds 002 §11 (ablation studies): the configurations of the section's table on the configurable plain CNN
// (plaincnn), one variable changed at a time against the baseline, with the parameters and MACs each one costs on
// a 1x28x28 input. Their accuracies (mean ± std over seeds) come from `cnn ablate` (docs/ablation.md).
// Run: build/examples/ex002_11_ablation
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §11 (ablation studies)", {});

  const std::vector<std::pair<std::string, std::vector<std::string>>> variables{
      {"depth", {"2", "3", "5", "8"}}, {"width", {"16", "32", "64", "128"}}, {"kernel", {"3", "5", "7"}},
      {"pool", {"max", "avg", "stride"}}, {"bn", {"on", "off"}},        {"head", {"gap", "flatten"}}};
  const std::map<std::string, std::string> baseline{{"depth", "3"}, {"width", "32"}, {"kernel", "3"},
                                                    {"pool", "max"}, {"bn", "on"},    {"head", "gap"}};
  fmt::print("baseline: depth=3 width=32 kernel=3 pool=max bn=on head=gap (plaincnn defaults)\n\n");
  fmt::print("{:<8} {:<8} {:>12} {:>14}  {}\n", "variable", "value", "parameters", "MACs/image", "layers");
  for (const auto& [key, values] : variables) {
    for (const auto& value : values) {
      std::map<std::string, std::string> kwargs = baseline;
      kwargs[key] = value;
      auto model = cnn::models::create("plaincnn", {.kwargs = kwargs});
      const cnn::ModelSummary s = cnn::summary(*model, cnn::Shape{1, 28, 28});
      int64_t convs = 0;
      for (const auto& [name, m] : model->named_modules()) convs += dynamic_cast<const cnn::Conv2d*>(m) != nullptr;
      fmt::print("{:<8} {:<8} {:>12} {:>14}  {} conv{}\n", key, value + (value == baseline.at(key) ? "*" : ""),
                 cnn::with_thousands(model->num_parameters()), cnn::with_thousands(s.total_macs), convs,
                 value == baseline.at(key) ? " (baseline)" : "");
    }
  }
  fmt::print("\nprotocol (002 §11): change one variable at a time, identical hyperparameters, 3+ seeds, mean ± std:\n"
             "  cnn ablate --vary depth=2,3,5,8 --vary width=16,32,64,128 --vary kernel=3,5,7 --vary "
             "pool=max,avg,stride --vary bn=on,off --vary head=gap,flatten --seeds 3 --dataset fashion-mnist\n");
  return 0;
}

// `cnn summary`: builds a model by name and prints one row per layer call and the totals.
// Not FLOP profiling of real runs: one forward pass on zeros of the given input shape.
#include <cnn/analysis.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <memory>
#include <sstream>

#include "commands.h"

namespace cnn::cli {

namespace {

struct SummaryArgs {
  std::string model;
  std::string input;
  int64_t num_classes = 10;
  int64_t in_chans = 1;
};

Shape parse_input(const std::string& text) {
  std::vector<int64_t> dims;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CNN_CHECK(used == item.size() && !item.empty() && v > 0,
              "summary: --input expects three positive integers C,H,W (e.g. 1,28,28), got '{}'", text);
    dims.push_back(v);
  }
  CNN_CHECK(dims.size() == 3, "summary: --input expects three positive integers C,H,W (e.g. 1,28,28), got '{}'", text);
  return Shape(dims);
}

void run_summary(const SummaryArgs& a) {
  const models::ModelOptions options{.num_classes = a.num_classes, .in_channels = a.in_chans};
  ModulePtr model = models::create(a.model, options);
  const Shape input = a.input.empty() ? models::default_input_shape(a.model, options) : parse_input(a.input);
  fmt::print("{}", summary(*model, input).str());
}

}  // namespace

void add_summary_command(CLI::App& app) {
  auto args = std::make_shared<SummaryArgs>();
  CLI::App* cmd = app.add_subcommand("summary",
                                     "Print a model's layers (name, type, output shape, parameters) and "
                                     "the totals, from one forward pass on zeros.");
  cmd->add_option("--model", args->model, "Model name")->required()->check(CLI::IsMember(models::names()));
  cmd->add_option("--input", args->input, "Input shape C,H,W without the batch (default: the model's, e.g. 1,28,28)");
  cmd->add_option("--num-classes", args->num_classes, "Classes of the final layer")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("--in-chans", args->in_chans, "Input channels the model is built for")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->callback([args] { run_summary(*args); });
}

}  // namespace cnn::cli

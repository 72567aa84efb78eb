// `cnn summary`: builds a model by name and prints one row per layer call and the totals, as text, markdown,
// CSV or JSON. Not FLOP profiling of real runs: one forward pass on zeros of the given input shape.
#include <cnn/analysis.h>
#include <cnn/models.h>
#include <cnn/transforms_factory.h>
#include <fmt/format.h>

#include <memory>
#include <sstream>

#include "commands.h"
#include "flag_limits.h"
#include "train_args.h"

namespace cnn::cli {

Shape parse_input(const std::string& text) {
  std::vector<int64_t> dims;
  std::stringstream ss(text);
  std::string item;
  const std::string message = "--input expects three positive integers C,H,W (e.g. 3,224,224), got '{}'";
  while (std::getline(ss, item, ',')) {
    size_t used = 0;
    int64_t v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CNN_CHECK(used == item.size() && !item.empty() && v > 0, fmt::runtime(message), text);
    dims.push_back(v);
  }
  CNN_CHECK(dims.size() == 3, fmt::runtime(message), text);
  CNN_CHECK(dims[0] <= kMaxChannels && dims[1] <= transforms::kMaxImageSize && dims[2] <= transforms::kMaxImageSize,
            "--input: {} is more than the limit of {},{},{} (channels, height, width)", text, kMaxChannels,
            transforms::kMaxImageSize, transforms::kMaxImageSize);
  return Shape(dims);
}

namespace {

struct SummaryArgs {
  ModelArgs model;
  std::string format = "text";
};

}  // namespace

void add_model_flags(CLI::App* cmd, ModelArgs& args, bool model_required) {
  auto* model = cmd->add_option("--model", args.model, "Model name")->check(CLI::IsMember(models::names()));
  if (model_required) model->required();
  cmd->add_option("--model-kwargs", args.model_kwargs, "Model settings as key=value items (plaincnn: depth=5 ...)");
  cmd->add_option("--freeze", args.freeze,
                  "Count these parameters as frozen: backbone (all but the classifier), or module paths / name globs "
                  "(\"layer1,layer2\")");
  cmd->add_option("--input", args.input, "Input shape C,H,W without the batch (default: the model's, e.g. 3,224,224)");
  cmd->add_option("--num-classes", args.num_classes, "Classes of the final layer (default: the model's)")
      ->check(number_check("positive integer"));
  cmd->add_option("--in-chans", args.in_chans, "Input channels the model is built for (default: the model's, 3; 1 for simplecnn and lenet5)")
      ->check(number_check("positive integer"));
}

ModelSummary summarize_model(const ModelArgs& a) {
  models::ModelOptions options;
  if (a.num_classes > 0) options.num_classes = a.num_classes;

  if (a.in_chans > 0) options.in_channels = a.in_chans;
  options.kwargs = parse_model_kwargs(a.model_kwargs);
  ModulePtr model = models::create(a.model, options);
  if (!a.freeze.empty()) models::freeze_backbone(*model, a.freeze);
  return summary(*model, a.input.empty() ? models::default_input_shape(a.model, options) : parse_input(a.input));
}

void add_summary_command(CLI::App& app) {
  auto args = std::make_shared<SummaryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "summary",
      "Print a model's layers (name, type, output shape, trainable and frozen parameters, MACs, activation memory, "
      "receptive field and jump) and the totals, from one forward pass on zeros. MACs count conv and linear "
      "multiply-adds only.");
  add_model_flags(cmd, args->model, true);
  cmd->add_option("--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "markdown", "csv", "json"}))
      ->capture_default_str();
  cmd->callback([args] {
    const SummaryFormat format = parse_summary_format(args->format);
    fmt::print("{}", summarize_model(args->model).str(format));
  });
}

}  // namespace cnn::cli

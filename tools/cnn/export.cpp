// `cnn export RUN --format onnx --output model.onnx` (or --model with --weights): the model traced once in eval
// mode and written as ONNX through libonnx, checked before it is saved. The work is cnn::onnx::export_model's.
#include <cnn/models.h>
#include <cnn/onnx.h>
#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "run_source.h"

namespace cnn::cli {

namespace {

struct ExportArgs {
  RunSource source;
  std::string format = "onnx", output, input;
  int64_t opset = 13, batch = 1;
  bool dynamic_batch = false;
};

// RUN's model (with its weights, or --weights), or --model as models::create builds it (its own classes,
// channels and input size unless --num-classes / --input say otherwise).
std::pair<ModulePtr, Shape> export_source(const ExportArgs& a, std::string* name) {
  if (!a.source.run.empty()) {
    const RunSpec spec = resolve_run(a.source, "export");
    *name = spec.model;
    return {load_run_model(a.source, spec, "export"), a.input.empty() ? spec.input_shape() : parse_input(a.input)};
  }
  CNN_CHECK(!a.source.model.empty(), "export: pass a run folder (cnn export RUN) or --model");
  *name = a.source.model;
  models::ModelOptions options{.kwargs = parse_model_kwargs(a.source.model_kwargs)};
  if (a.source.num_classes > 0) options.num_classes = a.source.num_classes;
  ModulePtr model;
  if (a.source.weights.empty()) {
    fmt::print(stderr, "cnn export: warning: no --weights: exporting {}'s random initialisation\n", *name);
    model = models::create(*name, options);
  } else {
    try {
      model = create_with_weights(*name, options, a.source.weights);
    } catch (const Error& e) {
      throw Error(fmt::format("export: {}", e.what()));
    }
  }
  model->eval();
  return {model, a.input.empty() ? models::default_input_shape(*name, options) : parse_input(a.input)};
}

void run_export(const ExportArgs& a) {
  std::string name;
  const auto [model, chw] = export_source(a, &name);
  const Tensor example = zeros({a.batch, chw[0], chw[1], chw[2]});
  const onnx::ExportOptions options{.opset = a.opset, .dynamic_batch = a.dynamic_batch};
  const onnx::ExportSummary s = [&, &model = model] {
    try {
      return onnx::export_model(*model, example, a.output, options);
    } catch (const Error& e) {
      const std::string what = e.what();
      if (what.rfind("onnx export:", 0) == 0) throw Error("export: " + what.substr(std::string("onnx export: ").size()));
      throw;
    }
  }();
  std::vector<std::string> ops;
  for (const auto& [type, count] : s.op_counts) ops.push_back(fmt::format("{} {}", type, count));
  fmt::print("cnn export: {} -> {} (ONNX opset {}, {} nodes, {} initializers, {} parameters)\n", name,
             a.output, a.opset, s.nodes, s.initializers, with_thousands(s.parameters));
  fmt::print("input {} [{}{}], output {} [{}{}]; checked with onnx::checker and shape inference\n",
             options.input_name, a.dynamic_batch ? "N" : std::to_string(s.input[0]),
             fmt::format(", {}, {}, {}", s.input[1], s.input[2], s.input[3]), options.output_name,
             a.dynamic_batch ? "N" : std::to_string(s.output[0]),
             s.output.dim() > 1 ? fmt::format(", {}", fmt::join(s.output.dims().begin() + 1, s.output.dims().end(), ", "))
                                : std::string());
  fmt::print("ops: {}\n", fmt::join(ops, ", "));
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto a = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand("export",
                                     "Export a run's model (cnn export RUN) or a model with --weights as ONNX for "
                                     "other runtimes (ONNX Runtime, OpenCV dnn), checked before it is written.");
  add_run_source(cmd, a->source, {.weights_required = false, .data = false});
  cmd->add_option("--format", a->format, "Output format")->check(CLI::IsMember({"onnx"}))->capture_default_str();
  cmd->add_option("-o,--output", a->output, "The file to write, e.g. model.onnx")->required();
  cmd->add_option("--opset", a->opset, "ONNX opset (9 to 17)")->check(CLI::Range(9, 17))->capture_default_str();
  cmd->add_flag("--dynamic-batch", a->dynamic_batch, "A symbolic batch dimension N instead of --batch");
  cmd->add_option("--input", a->input, "Input shape C,H,W (default: the run's, else the model's)");
  cmd->add_option("--batch", a->batch, "Batch size of the traced input (without --dynamic-batch, the model's)")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->callback([a] { run_export(*a); });
}

}  // namespace cnn::cli

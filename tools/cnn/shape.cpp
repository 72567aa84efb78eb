// `cnn shape`: the output size of one conv, pool or transposed conv along one axis, PyTorch's formula filled in,
// with notes on dropped rows and targets; invalid combinations exit 1 with the reason. Not the arithmetic.
#include <cnn/analysis.h>
#include <fmt/format.h>

#include <memory>

#include "commands.h"

namespace cnn::cli {

namespace {

struct ShapeArgs {
  std::string op;
  int64_t in = 0, kernel = 0, stride = 0, padding = 0, dilation = 1, output_padding = 0, target = 0;
  bool ceil_mode = false;
};

void run_shape(const ShapeArgs& a) {
  const WindowOp op = parse_window_op(a.op);
  const int64_t stride = a.stride > 0 ? a.stride : op == WindowOp::pool ? a.kernel : 1;  // PyTorch's defaults
  const OutputSizeQuery q{.op = op, .in = a.in, .kernel = a.kernel, .stride = stride,
                          .padding = a.padding, .dilation = a.dilation, .output_padding = a.output_padding,
                          .ceil_mode = a.ceil_mode,
                          .target = a.target > 0 ? std::optional<int64_t>(a.target) : std::nullopt};
  const OutputSizeReport r = explain_output_size(q);
  fmt::print("{}: {}\n", a.op, r.formula);
  fmt::print("{:{}}  {}\n", "", a.op.size(), r.computation);
  for (const auto& note : r.notes) fmt::print("note: {}\n", note);
  CNN_CHECK(r.error.empty(), "shape: {}", r.error);
}

}  // namespace

void add_shape_command(CLI::App& app) {
  auto a = std::make_shared<ShapeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "shape",
      "Print the output size of a conv, pool or convtranspose along one axis with PyTorch's formula filled in, "
      "and explain combinations that do not fit. Example: cnn shape --op conv --in 32 --kernel 3 --stride 2 "
      "--padding 1");
  cmd->add_option("--op", a->op, "conv, pool or convtranspose")
      ->required()
      ->check(CLI::IsMember({"conv", "pool", "convtranspose", "conv_transpose"}));
  cmd->add_option("--in", a->in, "Input size along the axis (H or W)")->required()->check(number_check("positive integer"));
  cmd->add_option("--kernel", a->kernel, "Kernel size")->required()->check(number_check("positive integer"));
  cmd->add_option("--stride", a->stride, "Stride (default: 1; pool: the kernel size, as PyTorch)")
      ->check(number_check("positive integer"));
  cmd->add_option("--padding", a->padding, "Zero padding on each side")
      ->check(number_check("non-negative number"))
      ->capture_default_str();
  cmd->add_option("--dilation", a->dilation, "Dilation")->check(number_check("positive integer"))->capture_default_str();
  cmd->add_option("--output-padding", a->output_padding, "convtranspose: extra rows on one side (< stride or dilation)")
      ->check(number_check("non-negative number"))
      ->capture_default_str();
  cmd->add_flag("--ceil-mode", a->ceil_mode, "pool: round the division up, as ceil_mode=True");
  cmd->add_option("--target", a->target,
                  "A wanted output size: which padding (conv, pool) or output_padding (convtranspose) reaches it")
      ->check(number_check("positive integer"));
  cmd->callback([a] { run_shape(*a); });
}

}  // namespace cnn::cli

// `cnn rf`: receptive field and jump after each layer, for a --layers list (with the formula filled in per row)
// or for a --model (read from one recorded forward pass). Not the arithmetic: analysis.h computes.
#include <cnn/analysis.h>
#include <fmt/format.h>

#include <memory>

#include "commands.h"

namespace cnn::cli {

namespace {

constexpr const char* kLayersHelp =
    "Comma-separated layers: conv<k>[s<stride>][d<dilation>][p<padding>] or pool<k>[s<stride>][d<dilation>]"
    "[p<padding>], e.g. \"conv3,conv3s2,conv3s2\" or \"conv3,conv3d2,conv3d4\". conv stride defaults to 1, pool "
    "stride to k; padding (default 0) moves the centres, not the field";

struct RfArgs {
  std::string layers;
  int64_t in = 0;
  ModelArgs model;
};

std::string number(double v) {
  return v == static_cast<double>(static_cast<int64_t>(v)) ? fmt::format("{}", static_cast<int64_t>(v))
                                                             : fmt::format("{:.1f}", v);
}

void print_layers(const RfArgs& a) {
  const auto steps = receptive_fields(parse_layer_specs(a.layers),
                                      a.in > 0 ? std::optional<int64_t>(a.in) : std::nullopt);
  fmt::print("Receptive field RF (input pixels one output sees) and jump J (input pixels between neighbouring\n"
             "outputs), from RF_0 = 1, J_0 = 1 (course 003):\n"
             "  RF_l = RF_(l-1) + (K_l - 1) * D_l * J_(l-1)      J_l = J_(l-1) * S_l\n"
             "centre: input coordinate of the centre of the first output's field (pixel 0 is the first).\n\n");
  std::vector<std::vector<std::string>> rows{{"layer", "k", "s", "d", "p", "RF = RF_in + (k-1)*d*J_in", "J = J_in*s",
                                              "RF", "J", "centre"}};
  if (a.in > 0) rows[0].push_back("size");
  for (const auto& st : steps) {
    const auto& l = st.layer;
    rows.push_back({l.text, std::to_string(l.kernel), std::to_string(l.stride), std::to_string(l.dilation),
                    std::to_string(l.padding),
                    fmt::format("{} + ({}-1)*{}*{} = {}", st.rf_in, l.kernel, l.dilation, st.jump_in, st.rf),
                    fmt::format("{}*{} = {}", st.jump_in, l.stride, st.jump), std::to_string(st.rf),
                    std::to_string(st.jump), number(st.start)});
    if (st.size) rows.back().push_back(std::to_string(*st.size));
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) widths[c] = std::max(widths[c], r[c].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < r.size(); ++c) line += fmt::format("{:<{}}  ", r[c], widths[c]);
    while (line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  }
  const auto& last = steps.back();
  fmt::print("\nAfter {}: each output sees a {}x{} window of the input; neighbouring outputs are {} input pixel(s) "
             "apart.\n",
             last.layer.text, last.rf, last.rf, last.jump);
}

void print_model(const RfArgs& a) {
  const ModelSummary s = summarize_model(a.model);
  fmt::print("{} receptive fields for input {} (input pixels; the largest over branching paths; jump: the "
             "cumulative stride)\n",
             s.model_type, s.input_shape);
  size_t name_w = 5, type_w = 4, shape_w = 12;
  for (const auto& r : s.rows) {
    name_w = std::max(name_w, r.name.size());
    type_w = std::max(type_w, r.type.size());
    shape_w = std::max(shape_w, r.output_shape.str().size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<{}}  {:>8}  {:>6}\n", "Layer", name_w, "Type", type_w, "Output shape", shape_w, "RF",
             "Jump");
  for (const auto& r : s.rows)
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {:>8}  {:>6}\n", r.name, name_w, r.type, type_w, r.output_shape.str(),
               shape_w, r.field ? r.field->rf_str() : "-", r.field ? r.field->jump_str() : "-");
}

}  // namespace

void add_rf_command(CLI::App& app) {
  auto args = std::make_shared<RfArgs>();
  CLI::App* cmd = app.add_subcommand(
      "rf", "Print the receptive field and jump (cumulative stride) after each layer of a --layers list or a --model.");
  auto* layers = cmd->add_option("--layers", args->layers, kLayersHelp);
  cmd->add_option("--in", args->in, "With --layers: input size, to also print each layer's output size")
      ->check(number_check("positive integer"));
  add_model_flags(cmd, args->model, false);
  layers->excludes(cmd->get_option("--model"));
  cmd->callback([args] {
    CNN_CHECK(!args->layers.empty() || !args->model.model.empty(),
              "rf: give --layers (e.g. \"conv3,conv3s2,conv3s2\") or --model NAME");
    CNN_CHECK(args->in == 0 || !args->layers.empty(), "rf: --in is for --layers; with --model use --input C,H,W");
    if (args->layers.empty()) print_model(*args);
    else print_layers(*args);
  });
}

}  // namespace cnn::cli

// ModelSummary::str(): the summary as an aligned text table, a markdown table, CSV or JSON.
// Not the measuring (summary.cpp): every number printed here was filled in by summary().
#include <cnn/analysis.h>

#include <nlohmann/json.hpp>

namespace cnn {

namespace {

// What the columns count; the RF* line only when a row has one.
std::string note(const ModelSummary& s) {
  std::string text =
      "MACs: conv and linear multiply-adds only (batch norm, activations, pooling and additions count 0).\n"
      "Memory: output elements x 4 bytes; in parentheses: run in place or a view, left out of the total.\n"
      "RF: receptive field, Jump: cumulative stride, in input pixels; the largest over branching paths.";
  for (const auto& r : s.rows)
    if (r.field && r.field->global_context)
      return text + "\nRF*: also sees the whole input through a global branch (squeeze-and-excitation gating).";
  return text;
}

std::string bytes(int64_t n) { return with_si_prefix(static_cast<double>(n)) + (n < 1000 ? " B" : "B"); }

std::string memory_cell(const SummaryRow& r) {
  return r.in_place ? "(" + bytes(r.activation_bytes) + ")" : bytes(r.activation_bytes);
}

std::string rf_cell(const SummaryRow& r) { return r.field ? r.field->rf_str() : "-"; }
std::string jump_cell(const SummaryRow& r) { return r.field ? r.field->jump_str() : "-"; }

// One table row of display cells (text and markdown).
std::vector<std::string> cells(const SummaryRow& r) {
  return {r.name,
          r.type,
          r.output_shape.str(),
          r.reused ? "(reused)" : with_thousands(r.trainable),
          r.reused ? "" : with_thousands(r.frozen),
          with_si_prefix(static_cast<double>(r.macs)),
          memory_cell(r),
          rf_cell(r),
          jump_cell(r)};
}

const std::vector<std::string> kHeader = {"Layer", "Type", "Output shape", "Trainable", "Frozen",
                                          "MACs",  "Memory", "RF",         "Jump"};

std::vector<std::string> total_lines(const ModelSummary& s) {
  const double mb = 1e6;
  return {fmt::format("Total params: {}", with_thousands(s.total_parameters)),
          fmt::format("Trainable params: {}", with_thousands(s.trainable_parameters)),
          fmt::format("Non-trainable params: {}", with_thousands(s.frozen_parameters())),
          fmt::format("Total MACs: {} ({})", with_thousands(s.total_macs),
                      with_si_prefix(static_cast<double>(s.total_macs))),
          fmt::format("Forward activations per image: {} values, {:.2f} MB (input + layer outputs; about twice "
                      "that with the backward pass)",
                      with_thousands(s.activation_bytes / 4), static_cast<double>(s.activation_bytes) / mb),
          fmt::format("Parameters size: {:.2f} MB", static_cast<double>(s.total_parameters) * 4.0 / mb)};
}

std::string text(const ModelSummary& s) {
  std::vector<size_t> widths(kHeader.size());
  for (size_t c = 0; c < kHeader.size(); ++c) widths[c] = kHeader[c].size();
  std::vector<std::vector<std::string>> table;
  for (const auto& r : s.rows) {
    table.push_back(cells(r));
    for (size_t c = 0; c < widths.size(); ++c) widths[c] = std::max(widths[c], table.back()[c].size());
  }
  auto line = [&](const std::vector<std::string>& row) {
    std::string l;
    for (size_t c = 0; c < row.size(); ++c) {
      const bool left = c < 3;
      l += left ? fmt::format("{:<{}}", row[c], widths[c]) : fmt::format("{:>{}}", row[c], widths[c]);
      if (c + 1 < row.size()) l += "  ";
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    return l + "\n";
  };
  size_t width = 2 * (widths.size() - 1);
  for (size_t w : widths) width += w;
  const std::string rule(width, '='), thin(width, '-');
  std::string out = fmt::format("{} summary for input {}\n{}\n{}\n", s.model_type, s.input_shape, note(s), rule);
  out += line(kHeader) + rule + "\n";
  for (const auto& row : table) out += line(row);
  out += rule + "\n";
  for (const auto& t : total_lines(s)) out += t + "\n";
  return out + thin + "\n";
}

std::string markdown(const ModelSummary& s) {
  std::string out = fmt::format("**{}** summary for input `{}`\n\n{}\n\n", s.model_type, s.input_shape, note(s));
  out += "| " + fmt::format("{}", fmt::join(kHeader, " | ")) + " |\n|";
  for (size_t c = 0; c < kHeader.size(); ++c) out += c < 3 ? " --- |" : " ---: |";
  out += "\n";
  for (const auto& r : s.rows) out += "| " + fmt::format("{}", fmt::join(cells(r), " | ")) + " |\n";
  out += "\n";
  for (const auto& t : total_lines(s)) out += "- " + t + "\n";
  return out;
}

std::string csv(const ModelSummary& s) {
  std::string out =
      "name,type,output_shape,trainable_params,frozen_params,macs,activation_bytes,in_place,reused,rf_h,rf_w,"
      "jump_h,jump_w,rf_global,global_context\n";
  auto num = [](double v) { return fmt::format("{}", v); };
  for (const auto& r : s.rows) {
    const auto& f = r.field;
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", r.name, r.type,
                       fmt::format("{}", fmt::join(r.output_shape.dims(), "x")), r.trainable, r.frozen, r.macs,
                       r.activation_bytes, r.in_place ? 1 : 0, r.reused ? 1 : 0, f ? num(f->rf_h) : "",
                       f ? num(f->rf_w) : "", f && !f->global ? num(f->jump_h) : "",
                       f && !f->global ? num(f->jump_w) : "", f ? (f->global ? "1" : "0") : "",
                       f ? (f->global_context ? "1" : "0") : "");
  }
  out += fmt::format("total,,,{},{},{},{},,,,,,,,\n", s.trainable_parameters, s.frozen_parameters(), s.total_macs,
                     s.activation_bytes);
  return out;
}

std::string json(const ModelSummary& s) {
  nlohmann::ordered_json doc;
  doc["model"] = s.model_type;
  doc["input_shape"] = s.input_shape.dims();
  doc["note"] = note(s);
  doc["layers"] = nlohmann::ordered_json::array();
  for (const auto& r : s.rows) {
    nlohmann::ordered_json row;
    row["name"] = r.name;
    row["type"] = r.type;
    row["output_shape"] = r.output_shape.dims();
    row["trainable_params"] = r.trainable;
    row["frozen_params"] = r.frozen;
    row["macs"] = r.macs;
    row["activation_bytes"] = r.activation_bytes;
    row["in_place"] = r.in_place;
    row["reused"] = r.reused;
    row["rf"] = r.field ? nlohmann::ordered_json{r.field->rf_h, r.field->rf_w} : nlohmann::ordered_json();
    row["jump"] = r.field && !r.field->global ? nlohmann::ordered_json{r.field->jump_h, r.field->jump_w}
                                              : nlohmann::ordered_json();
    row["rf_global"] = r.field && r.field->global;
    row["global_context"] = r.field && r.field->global_context;
    doc["layers"].push_back(row);
  }
  doc["totals"] = {{"parameters", s.total_parameters},
                   {"trainable_params", s.trainable_parameters},
                   {"frozen_params", s.frozen_parameters()},
                   {"macs", s.total_macs},
                   {"activation_bytes", s.activation_bytes}};
  return doc.dump(2) + "\n";
}

}  // namespace

SummaryFormat parse_summary_format(const std::string& name) {
  if (name == "text") return SummaryFormat::text;
  if (name == "markdown") return SummaryFormat::markdown;
  if (name == "csv") return SummaryFormat::csv;
  if (name == "json") return SummaryFormat::json;
  CNN_CHECK(false, "summary: unknown format '{}'; the formats are text, markdown, csv and json", name);
  return SummaryFormat::text;
}

std::string ModelSummary::str(SummaryFormat format) const {
  switch (format) {
    case SummaryFormat::markdown: return markdown(*this);
    case SummaryFormat::csv: return csv(*this);
    case SummaryFormat::json: return json(*this);
    case SummaryFormat::text: break;
  }
  return text(*this);
}

}  // namespace cnn

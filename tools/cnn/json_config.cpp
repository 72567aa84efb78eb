// JSON settings files for subcommands (see json_config.h), through CLI11's own option results and validators.
#include "json_config.h"

#include <cnn/error.h>
#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace cnn::cli {

namespace {

std::string as_text(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_number_unsigned()) return std::to_string(v.get<uint64_t>());
  if (v.is_number_float()) return fmt::format("{}", v.get<double>());
  throw Error(fmt::format("expected a number, string or boolean, got {}", v.dump()));
}

}  // namespace

void apply_json_config(CLI::App& cmd, const std::string& path) {
  std::ifstream in(path);
  CNN_CHECK(in.good(), "--config: cannot read {}\nHINT: pass a JSON file such as a run's config.json", path);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("--config {}: not valid JSON ({})", path, e.what()));
  }
  CNN_CHECK(doc.is_object(), "--config {}: expected a JSON object of settings, got {}", path, doc.type_name());
  for (const auto& [key, value] : doc.items()) {
    std::string flag = key;
    for (char& ch : flag)
      if (ch == '_') ch = '-';
    CLI::Option* op = cmd.get_option_no_throw("--" + flag);
    CNN_CHECK(op != nullptr && flag != "config",
              "--config {}: unknown setting \"{}\"\nHINT: the settings are the long flags of cnn {} without the "
              "dashes (see cnn {} --help)",
              path, key, cmd.get_name(), cmd.get_name());
    if (value.is_null() || (value.is_array() && value.empty()) || op->count() > 0) continue;  // the command line wins
    try {
      if (op->get_expected_min() == 0) {
        op->add_result(op->get_flag_value(flag, as_text(value)));
      } else if (value.is_array()) {
        std::vector<std::string> items;
        for (const auto& item : value) items.push_back(as_text(item));
        op->add_result(items);
      } else {
        op->add_result(as_text(value));
      }
      op->run_callback();
    } catch (const std::exception& e) {
      throw Error(fmt::format("--config {}: \"{}\": {}", path, key, e.what()));
    }
  }
}

}  // namespace cnn::cli

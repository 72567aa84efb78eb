// JSON settings files for subcommands (see json_config.h), through CLI11's own option results and validators.
#include "json_config.h"

#include <cnn/error.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

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

// The JSON type a flag takes: "a boolean", "an integer", "a non-negative integer", "a number" or "a string"
// (from CLI11's type name of the bound variable, "UINT:..." for a uint64_t); "" for a type it does not name.
std::string wanted_type(const CLI::Option& op) {
  if (op.get_expected_min() == 0) return "a boolean";
  const std::string type = op.get_type_name().substr(0, op.get_type_name().find(':'));
  if (type == "INT") return "an integer";
  if (type == "UINT") return "a non-negative integer";
  if (type == "FLOAT") return "a number";
  return type == "TEXT" ? "a string" : "";
}

bool has_type(const nlohmann::json& v, const std::string& wanted) {
  if (wanted == "a boolean") return v.is_boolean();
  if (wanted == "an integer") return v.is_number_integer();
  if (wanted == "a non-negative integer") return v.is_number_unsigned();
  if (wanted == "a number") return v.is_number();
  return v.is_string();
}

// Refuses a value whose JSON type is not the flag's ("epochs": "2", "seed": -1, "output": 5), naming the key.
void check_type(const std::string& path, const std::string& key, const nlohmann::json& value, const CLI::Option& op) {
  const std::string wanted = wanted_type(op);
  if (wanted.empty()) return;
  const bool list = value.is_array();
  CNN_CHECK(!list || op.get_expected_max() > 1, "--config {}: \"{}\" is a list {}, expected {}", path, key,
            value.dump(), wanted);
  for (const auto& item : list ? value : nlohmann::json::array({value}))
    CNN_CHECK(has_type(item, wanted), "--config {}: \"{}\" is {} ({}), expected {}{}", path, key, item.dump(),
              item.type_name(), list ? "a list of " : "", list ? wanted.substr(wanted.find(' ') + 1) + "s" : wanted);
}

std::vector<std::string> setting_names(const CLI::App& cmd) {
  std::vector<std::string> names;
  for (const CLI::Option* op : cmd.get_options()) {
    std::string name = op->get_lnames().empty() ? "" : op->get_lnames().front();
    if (name.empty() || name == "config" || name == "help") continue;
    for (char& ch : name)
      if (ch == '-') ch = '_';
    names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
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
    if (key == "world_size") continue;  // recorded by the run (mpirun's -np decides it), not a flag
    std::string flag = key;
    for (char& ch : flag)
      if (ch == '_') ch = '-';
    CLI::Option* op = cmd.get_option_no_throw("--" + flag);
    CNN_CHECK(op != nullptr && flag != "config" && flag != "help",
              "--config {}: unknown setting \"{}\"; the settings of cnn {} are: {}\nHINT: the settings are the long "
              "flags of cnn {} without the dashes (see cnn {} --help)",
              path, key, cmd.get_name(), fmt::join(setting_names(cmd), ", "), cmd.get_name(), cmd.get_name());
    if (value.is_null() || (value.is_array() && value.empty())) continue;
    check_type(path, key, value, *op);
    if (op->count() > 0) continue;  // the command line wins
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

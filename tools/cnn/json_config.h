// `--config FILE.json` for a subcommand: settings from a JSON object whose keys are the subcommand's long flags
// (batch_size or batch-size), applied only where the command line did not set the flag. Not a config writer.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace cnn::cli {

/// Applies the JSON object in `path` to cmd's options that were not given on the command line (command-line flags
/// win), running their validators. Numbers, strings and booleans set single values, arrays set lists, null skips.
/// Throws cnn::Error naming the file and key for unreadable files, unknown keys and rejected values.
void apply_json_config(CLI::App& cmd, const std::string& path);

}  // namespace cnn::cli

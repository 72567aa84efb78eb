// The one command-line helper the example programs share: the value after a flag, or a fallback.
// Not a flag parser (the `cnn` tool has CLI11); examples keep to a handful of --name value options.
#pragma once

#include <string>

/// The argument after `name` (e.g. "--steps"), or `fallback` when the flag is absent.
/// Usage: const int64_t steps = std::stoll(option(argc, argv, "--steps", "200"));
inline std::string option(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

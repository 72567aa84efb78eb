// The command-line helpers the example programs share: refusing unknown flags (and answering --help) before any
// work starts, and the value after a flag. Not a flag parser (the `cnn` tool has CLI11); examples keep to a handful
// of --name value options.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>

/// Exits 0 after printing the usage on --help or -h; exits 2 naming the flag when an argument is not one of
/// `flags` (each takes a value) or a flag has no value. Call first in main.
/// Usage: check_flags(argc, argv, {"--steps", "--output"});
inline void check_flags(int argc, char** argv, std::initializer_list<const char*> flags) {
  std::string list;
  for (const char* f : flags) list += std::string(list.empty() ? "" : ", ") + f;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf("usage: %s", argv[0]);
      for (const char* f : flags) std::printf(" [%s VALUE]", f);
      std::printf("\n%s\n", flags.size() == 0 ? "(no flags)" : "see docs/course.md for what each program shows");
      std::exit(0);
    }
    bool known = false;
    for (const char* f : flags) known = known || arg == f;
    if (!known) {
      std::fprintf(stderr, "%s: unknown argument '%s'; the flags are %s\n", argv[0], arg.c_str(),
                   list.empty() ? "none (only --help)" : list.c_str());
      std::exit(2);
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value\n", argv[0], arg.c_str());
      std::exit(2);
    }
    ++i;
  }
}

/// The argument after `name` (e.g. "--steps"), or `fallback` when the flag is absent.
/// Usage: const int64_t steps = std::stoll(option(argc, argv, "--steps", "200"));
inline std::string option(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (name == argv[i]) return argv[i + 1];
  return fallback;
}

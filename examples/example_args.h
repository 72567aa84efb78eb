// The flags of the example programs: each program lists its --name VALUE flags with a default and a line of help;
// --help prints them, an unknown flag or a missing value exits 2 before any work starts. Not a general parser
// (the `cnn` tool has CLI11); examples keep to a handful of options.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

struct ExampleFlag {
  std::string name, fallback, help;  // "--steps", "200", "training steps"
};

/// Usage: const ExampleFlags flags(argc, argv, "trains X", {{"--steps", "200", "training steps"}});
///        const int64_t steps = flags.i64("--steps");
class ExampleFlags {
 public:
  ExampleFlags(int argc, char** argv, const std::string& about, const std::vector<ExampleFlag>& flags)
      : program_(argv[0]) {
    std::string list;
    for (const ExampleFlag& f : flags) {
      values_[f.name] = f.fallback;
      list += (list.empty() ? "" : ", ") + f.name;
    }
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::printf("usage: %s%s\n%s\n", argv[0], flags.empty() ? "" : " [--flag VALUE ...]", about.c_str());
        for (const ExampleFlag& f : flags)
          std::printf("  %-16s %s (default: %s)\n", f.name.c_str(), f.help.c_str(),
                      f.fallback.empty() ? "\"\"" : f.fallback.c_str());
        if (flags.empty()) std::printf("  (no flags)\n");
        std::exit(0);
      }
      if (!values_.contains(arg)) fail("unknown flag '" + arg + "'; the flags are " + (list.empty() ? "none" : list));
      if (i + 1 >= argc) fail(arg + " needs a value");
      values_[arg] = argv[++i];
    }
  }

  [[nodiscard]] std::string str(const std::string& name) const { return values_.at(name); }
  [[nodiscard]] int64_t i64(const std::string& name) const {
    char* end = nullptr;
    const int64_t value = std::strtoll(values_.at(name).c_str(), &end, 10);
    check_number(name, end);
    return value;
  }
  [[nodiscard]] double f64(const std::string& name) const {
    char* end = nullptr;
    const double value = std::strtod(values_.at(name).c_str(), &end);
    check_number(name, end);
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    std::fprintf(stderr, "%s: %s\n", program_.c_str(), message.c_str());
    std::exit(2);
  }
  void check_number(const std::string& name, const char* end) const {
    const std::string& text = values_.at(name);
    if (text.empty() || *end != '\0') fail(name + " takes a number, not '" + text + "'");
  }

  std::string program_;
  std::map<std::string, std::string> values_;
};

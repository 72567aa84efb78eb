// What the example tests share: running an example program and checking what it printed or wrote.
// Not the programs themselves (examples/).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_util.h"

namespace cnn::test {

/// A fresh, empty folder for one example's pictures.
inline std::string out_dir(const std::string& name) {
  const std::string dir = ::testing::TempDir() + "cnn_examples_" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

/// Runs the example, expects exit code 0, returns its stdout.
inline std::string run_ok(const std::string& name, const std::string& args = "") {
  const CommandResult r = run_example(name, args);
  EXPECT_EQ(r.code, 0) << name << " " << args << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err;
  return r.out;
}

/// Passes when `text` contains `part`; on failure shows the whole text.
inline ::testing::AssertionResult has(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "missing \"" << part << "\" in:\n" << text;
}

/// Whether the program wrote a file of more than 100 bytes at `path`.
inline bool file_written(const std::string& path) {
  return std::filesystem::exists(path) && std::filesystem::file_size(path) > 100;
}

}  // namespace cnn::test

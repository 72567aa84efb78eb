// Every example program answers --help with its usage and refuses an unknown flag before doing any work (a user
// typing `ex001_4_cifar_recipe --help` must not start a 20-epoch run).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "test_util.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(CNN_SOURCE_DIR) / "examples"))
    if (entry.path().extension() == ".cpp" && entry.path().stem().string().rfind("ex", 0) == 0)
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ExampleFlags, HelpPrintsUsageAndUnknownFlagsAreRefused) {
  const std::vector<std::string> names = example_names();
  ASSERT_GE(names.size(), 40u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const auto help = cnn::test::run_example(name, "--help");
    EXPECT_EQ(help.code, 0) << help.err;
    EXPECT_EQ(help.out.rfind("usage: ", 0), 0u) << help.out;
    const auto bad = cnn::test::run_example(name, "--no-such-flag 1");
    EXPECT_EQ(bad.code, 2) << bad.out;
    EXPECT_NE(bad.err.find("unknown argument '--no-such-flag'; the flags are"), std::string::npos) << bad.err;
    EXPECT_TRUE(bad.out.empty()) << bad.out;  // refused before any work
  }
}

}  // namespace

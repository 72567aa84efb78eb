// Every example program answers --help with its usage and refuses an unknown flag before doing any work (a user
// typing `ex001_4_cifar_recipe --help` must not start a 20-epoch run); ExampleFlags' messages for a missing value
// and a bad number (examples/example_args.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "examples_util.h"

namespace {

namespace fs = std::filesystem;
using cnn::test::has;
using cnn::test::run_example;

std::vector<std::string> example_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(CNN_SOURCE_DIR) / "examples"))
    if (entry.path().extension() == ".cpp" && entry.path().stem().string().rfind("ex", 0) == 0)
      names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ExampleFlags, EveryProgramAnswersHelpAndRefusesUnknownFlags) {
  const std::vector<std::string> names = example_names();
  ASSERT_GE(names.size(), 40u);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    const auto help = run_example(name, "--help");
    EXPECT_EQ(help.code, 0) << help.err;
    EXPECT_EQ(help.out.rfind("usage: ", 0), 0u) << help.out;
    EXPECT_EQ(run_example(name, "-h").out, help.out);
    const auto bad = run_example(name, "--no-such-flag 1");
    EXPECT_EQ(bad.code, 2) << bad.out;
    EXPECT_TRUE(has(bad.err, "unknown flag '--no-such-flag'; the flags are"));
    EXPECT_TRUE(bad.out.empty()) << bad.out;  // refused before any work
  }
}

TEST(ExampleFlags, HelpListsEachFlagWithItsDefault) {
  const auto help = run_example("ex002_3_5_im2col", "--help");
  EXPECT_TRUE(has(help.out, "usage: "));
  EXPECT_TRUE(has(help.out, "[--flag VALUE ...]"));
  EXPECT_TRUE(has(help.out, "convolution as matrix multiplication"));
  EXPECT_TRUE(has(help.out, "--size"));
  EXPECT_TRUE(has(help.out, "input height and width (default: 28)"));
  EXPECT_TRUE(has(help.out, "--padding"));
  const auto none = run_example("ex001_2_pooling", "--steps 5");
  EXPECT_EQ(none.code, 2);
  EXPECT_TRUE(has(none.err, "unknown flag '--steps'; the flags are none"));
}

TEST(ExampleFlags, MissingValuesAndBadNumbersNameTheFlag) {
  const auto missing = run_example("ex002_3_5_im2col", "--size");
  EXPECT_EQ(missing.code, 2);
  EXPECT_TRUE(has(missing.err, "--size needs a value"));
  EXPECT_TRUE(missing.out.empty()) << missing.out;
  const auto bad = run_example("ex002_3_5_im2col", "--size 2x8");
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(has(bad.err, "--size takes a number, not '2x8'"));
  const auto listed = run_example("ex001_5_3_se_block", "--bach 2");
  EXPECT_EQ(listed.code, 2);
  EXPECT_TRUE(has(listed.err, "ex001_5_3_se_block: unknown flag '--bach'; the flags are --batch, --size"));
}

}  // namespace

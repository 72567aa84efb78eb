// The course's pictures from real runs (issue 15): filters next to the initialisation they started from, the
// per-step curves of one run and of several compared, a sample grid and an augmentation grid, all on MNIST runs of
// a few steps.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

class CourseCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = (fs::temp_directory_path() / fmt::format("cnn_test_course_{}", ::getpid())).string();
    fs::remove_all(root_);
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }
  void SetUp() override {
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
  }
  // simplecnn on 256 MNIST images, one epoch of 4 steps.
  static test::CommandResult train(const std::string& name, const std::string& flags) {
    return cnn(fmt::format("train --model simplecnn --dataset mnist --data-dir {} --train-subset 256 --batch-size 64 "
                           "--epochs 1 --seed 7 --no-report {} --output {}/{}",
                           test::mnist_dir(), flags, root_, name));
  }
  static test::CommandResult cnn(const std::string& args) { return test::run_cnn(args + " --threads 1"); }
  static inline std::string root_;
};

bool is_png(const std::string& path) { return test::slurp(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0; }

// --init rebuilds the weights the run started from (its seed): a run with lr 1e-12 has not moved visibly, a trained one
// has, and its picture holds both grids.
TEST_F(CourseCli, FiltersBesideTheirInitialisation) {
  ASSERT_EQ(train("still", "--lr 1e-12").code, 0);
  const auto still = cnn(fmt::format("viz filters {0}/still --init -o {0}/still.png", root_));
  ASSERT_EQ(still.code, 0) << still.err;
  EXPECT_NE(still.out.find("conv1: 32 filters moved 0.0% to 0.0% of their initial norm (mean 0.0%) from the seed-7 "
                           "initialisation"),
            std::string::npos)
      << still.out;
  ASSERT_EQ(train("moved", "--lr 0.05").code, 0);
  const auto moved = cnn(fmt::format("viz filters {0}/moved --init -o {0}/moved.png", root_));
  ASSERT_EQ(moved.code, 0) << moved.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(moved.out, m, std::regex("moved ([0-9.]+)% to ([0-9.]+)%"))) << moved.out;
  EXPECT_GT(std::stod(m[1]), 0.0);
  EXPECT_GT(std::stod(m[2]), std::stod(m[1]));
  EXPECT_TRUE(is_png(root_ + "/moved.png"));
}

TEST_F(CourseCli, CurvesOfOneRunAndOfSeveral) {
  ASSERT_EQ(train("a", "").code, 0);
  ASSERT_EQ(train("b", "--lr 0.05 --opt sgd").code, 0);
  const auto one = cnn(fmt::format("viz curves {0}/a --smoothing 0.6 -o {0}/a.png", root_));
  ASSERT_EQ(one.code, 0) << one.err;
  EXPECT_TRUE(is_png(root_ + "/a.png"));
  const auto two = cnn(fmt::format("viz curves {0}/a {0}/b -o {0}/ab.svg", root_));
  ASSERT_EQ(two.code, 0) << two.err;
  EXPECT_NE(test::slurp(root_ + "/ab.svg").find("<svg"), std::string::npos);
  const auto bad = cnn(fmt::format("viz curves {0}/a --smoothing 1.5 -o {0}/x.png", root_));
  EXPECT_NE(bad.code, 0);
}

TEST_F(CourseCli, SampleAndAugmentationGrids) {
  fs::create_directories(root_);
  const auto samples = cnn(fmt::format("viz samples --dataset mnist --data-dir {} --per-class 3 -o {}/samples.png",
                                       test::mnist_dir(), root_));
  ASSERT_EQ(samples.code, 0) << samples.err;
  EXPECT_TRUE(is_png(root_ + "/samples.png"));
  const std::string recipe = root_ + "/recipe.json";
  std::ofstream(recipe) << fmt::format(R"({{"dataset": "mnist", "data_dir": "{}", "crop_pad": 4, "hflip": 0.5,
                                           "rotate": 10, "reprob": 0.25, "img_size": 32}})",
                                       test::mnist_dir());
  const auto aug = cnn(fmt::format("viz augment {0} --draws 4 -o {1}/augment.png", recipe, root_));
  ASSERT_EQ(aug.code, 0) << aug.err;
  for (const char* step : {"Resize", "RandomCrop(size=(32, 32), padding=[4]", "RandomHorizontalFlip(p=0.5)",
                           "RandomRotation", "RandomErasing"})
    EXPECT_NE(aug.out.find(step), std::string::npos) << step << "\n" << aug.out;
  EXPECT_TRUE(is_png(root_ + "/augment.png"));
  const auto bad = cnn(fmt::format("viz augment {0}/missing.json -o {0}/x.png", root_));
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("cannot read"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace cnn

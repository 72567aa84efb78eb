// The committed recipes (recipes/*.json) stay valid: each runs through `cnn train --config` for two short epochs (the warm-up takes one) on
// a small subset, builds the documented model and resolves to the documented settings.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

const char* kFashion = "/usr/share/datasets/fashion-mnist";

nlohmann::json run_recipe(const std::string& recipe, const std::string& extra, const std::string& expect_line) {
  const fs::path out = fs::temp_directory_path() / fmt::format("cnn_test_recipe_{}_{}", ::getpid(), recipe);
  fs::remove_all(out);
  const auto r = test::run_cnn(fmt::format(
      "train --config {}/recipes/{}.json {} --epochs 2 --train-subset 256 --threads 1 --workers 1 --quiet --no-report "
      "--output {}",
      CNN_SOURCE_DIR, recipe, extra, out.string()));
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(expect_line), std::string::npos) << r.out;
  std::ifstream in(out / "config.json");
  nlohmann::json config = in.good() ? nlohmann::json::parse(in) : nlohmann::json::object();
  fs::remove_all(out);
  return config;
}

TEST(Recipes, FashionMnistPlainCnn) {
  if (!fs::exists(kFashion)) GTEST_SKIP() << "no Fashion-MNIST at " << kFashion;
  const auto config = run_recipe("plaincnn_fashion_mnist", "", "cnn train: plaincnn (150,698 parameters) on fashion-mnist");
  EXPECT_EQ(config.at("model_kwargs"), (nlohmann::json{"depth=5", "width=32", "head=flatten", "dropout=0.2"}));
  EXPECT_EQ(config.at("opt"), "adamw");
  EXPECT_EQ(config.at("smoothing"), 0.1);
  EXPECT_EQ(config.at("batch_size"), 128);
}

TEST(Recipes, AblationBaseline) {
  if (!fs::exists(kFashion)) GTEST_SKIP() << "no Fashion-MNIST at " << kFashion;
  const auto config = run_recipe("ablation_fashion_mnist", "", "cnn train: plaincnn (94,186 parameters)");
  EXPECT_EQ(config.at("sched"), "cosine");
}

TEST(Recipes, MnistSimpleCnn) {
  if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
  const auto config = run_recipe("simplecnn_mnist", "--data-dir " + test::mnist_dir(),
                                 "cnn train: simplecnn (421,642 parameters) on mnist");
  EXPECT_EQ(config.at("crop_pad"), 2);
  EXPECT_EQ(config.at("warmup_epochs"), 1);
}

}  // namespace
}  // namespace cnn

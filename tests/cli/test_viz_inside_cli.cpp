// `cnn viz occlusion | top-patches | guided | class-model | tsne` end to end on a run folder holding an untrained
// simplecnn and a few MNIST test images (skipped without ../shared/data/mnist): each writes its PNG and says what
// it found.
#include <cnn/cnn.h>
#include <cnn/io.h>
#include <cnn/models.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace cnn {
namespace {

class VizInsideCli : public ::testing::Test {
 protected:
  void SetUp() override {
    mnist_ = test::mnist_dir();
    if (mnist_.empty()) GTEST_SKIP() << "no MNIST in ../shared/data/mnist";
    dir_ = test::temp_dir("viz_inside");
    // A run folder as cnn train leaves it, as far as the viz commands read it: config.json and model.safetensors.
    run_ = dir_ + "/mnist";
    std::filesystem::create_directories(run_);
    std::ofstream(run_ + "/config.json") << fmt::format(R"({{"model": "simplecnn", "dataset": "mnist", "data_dir": "{}"}})",
                                                        mnist_);
    manual_seed(0);
    save_safetensors(run_ + "/model.safetensors", models::create("simplecnn")->state_dict());
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  // Runs `cnn viz KIND RUN ARGS -o DIR/KIND.png`; returns its stdout.
  std::string viz(const std::string& kind, const std::string& args) {
    const std::string png = dir_ + "/" + kind + ".png";
    const auto r = test::run_cnn(fmt::format("viz {} {} {} -o {}", kind, run_, args, png));
    EXPECT_EQ(r.code, 0) << kind << ": " << r.err;
    EXPECT_EQ(test::slurp(png).substr(1, 3), "PNG") << kind;
    return r.out;
  }
  std::string mnist_, dir_, run_;
};

TEST_F(VizInsideCli, EveryKindWritesItsPicture) {
  EXPECT_NE(viz("occlusion", "--count 1 --patch 7 --stride 7").find("16 patch positions"), std::string::npos);
  EXPECT_NE(viz("top-patches", "--limit 20 --channels 2 --top 3").find("layer relu#1: top 3 of 20 images for 2 "
                                                                       "channels"),
            std::string::npos);
  viz("guided", "--count 1");
  EXPECT_NE(viz("class-model", "--classes 3,7 --steps 3").find("class 7 (7)"), std::string::npos);
  EXPECT_NE(viz("tsne", "--limit 40 --perplexity 5 --iterations 60").find("t-SNE of 40 points (128-D)"),
            std::string::npos);
}

TEST_F(VizInsideCli, TsneReadsAFeaturesFileAndRefusesTooManyPoints) {
  manual_seed(0);
  std::vector<int64_t> labels;
  for (int64_t i = 0; i < 30; ++i) labels.push_back(i % 3);
  const std::string file = dir_ + "/features.safetensors";
  save_safetensors(file, StateDict{{"features", randn({30, 4})}, {"labels", from_vector(labels, {30})}},
                   {{"model", "simplecnn"}, {"weights", "/tmp/runs/mnist/model.safetensors"}, {"layer", "fc1"},
                    {"dataset", "mnist"}, {"split", "test"}, {"layer_output_shape", "[4]"}});
  const auto r = test::run_cnn(fmt::format("viz tsne {} --perplexity 5 --iterations 50 -o {}/t.png", file, dir_));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("t-SNE of 30 points (4-D)"), std::string::npos) << r.out;
  const auto big = test::run_cnn(fmt::format("viz tsne {} --limit 5001 -o {}/t.png", run_, dir_));
  EXPECT_NE(big.code, 0);
  EXPECT_NE(big.err.find("at most 5000 points"), std::string::npos) << big.err;
}

}  // namespace
}  // namespace cnn

// `cnn finetune` and `cnn features` end to end on a subset of the real MNIST: a small plaincnn is pretrained, then
// fine-tuned with a frozen backbone (weights and batch-norm statistics unchanged, only the new head moves) or with
// discriminative learning rates, and its pooled features are extracted and checked against an in-process forward.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/io.h>
#include <cnn/models.h>
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

const char* kModel = "--model plaincnn --model-kwargs depth=2 width=8";

class FinetuneCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (test::mnist_dir().empty()) return;
    dir_ = (fs::temp_directory_path() / fmt::format("cnn_test_finetune_{}", ::getpid())).string();
    fs::remove_all(dir_);
    pretrain_ = cnn(fmt::format("train {} --epochs 1 --train-subset 512 --batch-size 64 --lr 0.01 --output {}/pre",
                                kModel, dir_));
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
    ASSERT_EQ(pretrain_.code, 0) << pretrain_.out << pretrain_.err;
  }
  static test::CommandResult cnn(const std::string& args) {
    return test::run_cnn(fmt::format("{} --dataset mnist --data-dir {} --threads 1 --workers 1 --quiet --no-report --seed 3",
                                     args, test::mnist_dir()));
  }
  static inline std::string dir_;
  static inline test::CommandResult pretrain_;
};

TEST_F(FinetuneCli, FrozenBackboneTrainsOnlyTheNewHead) {
  const auto r = cnn(fmt::format("finetune {} --weights {}/pre/model.safetensors --train-subset 256 --epochs 1 "
                                 "--freeze backbone --freeze-bn --lr-head 0.01 --output {}/frozen",
                                 kModel, dir_, dir_));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  // Only classifier.2 = Linear(16, 10) trains: 170 of 1,442 parameters (1*8*9 + 16 + 8*16*9 + 32 + 170).
  EXPECT_NE(r.out.find("classifier classifier.2: new, 10 classes, lr 0.01; frozen: backbone (1,272 parameters, "
                       "batch-norm statistics too)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("cnn finetune: plaincnn (170 of 1,442 trainable parameters)"), std::string::npos) << r.out;
  const StateDict before = load_safetensors(dir_ + "/pre/model.safetensors");
  const StateDict after = load_safetensors(dir_ + "/frozen/model.safetensors");
  for (const auto& [name, t] : before) {
    if (name.rfind("classifier.", 0) == 0) {
      EXPECT_FALSE(test::allclose(after.at(name), t, 0, 1e-3)) << name << " should be a new, trained head";
    } else {
      EXPECT_ALLCLOSE(after.at(name), t, 0, 0) << name << " is frozen (weights and batch-norm statistics)";
    }
  }
  std::ifstream config_file(dir_ + "/frozen/config.json");
  const auto config = nlohmann::json::parse(config_file);
  EXPECT_EQ(config.at("freeze"), "backbone");
  EXPECT_EQ(config.at("lr_head"), 0.01);
  EXPECT_EQ(config.at("train_subset"), 256);
}

TEST_F(FinetuneCli, DiscriminativeLearningRatesMoveTheBackboneLess) {
  const auto r = cnn(fmt::format("finetune {} --weights {}/pre/model.safetensors --train-subset 256 --epochs 1 "
                                 "--freeze none --opt sgd --lr-head 0.05 --lr-backbone 1e-9 --output {}/disc",
                                 kModel, dir_, dir_));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("new, 10 classes, lr 0.05; frozen: none (0 parameters); the rest: lr 1e-09"),
            std::string::npos)
      << r.out;
  const StateDict before = load_safetensors(dir_ + "/pre/model.safetensors");
  const StateDict after = load_safetensors(dir_ + "/disc/model.safetensors");
  EXPECT_ALLCLOSE(after.at("features.0.weight"), before.at("features.0.weight"), 0, 1e-6);
  // Batch-norm statistics are not frozen here: they follow the new data.
  EXPECT_FALSE(test::allclose(after.at("features.1.running_mean"), before.at("features.1.running_mean"), 0, 1e-6));
}

TEST_F(FinetuneCli, FreezeErrorsNameThePattern) {
  const auto r = cnn(fmt::format("finetune {} --weights {}/pre/model.safetensors --freeze layer1 --epochs 1 "
                                 "--output {}/bad",
                                 kModel, dir_, dir_));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("freeze: \"layer1\" selects no parameter of PlainCNN (top-level modules: features, "
                       "classifier)"),
            std::string::npos)
      << r.err;
  const auto wrong = cnn(fmt::format("finetune --model simplecnn --weights {}/pre/model.safetensors --epochs 1 "
                                     "--output {}/bad2",
                                     dir_, dir_));
  EXPECT_EQ(wrong.code, 1);
  EXPECT_NE(wrong.err.find("finetune: loading"), std::string::npos) << wrong.err;
}

TEST_F(FinetuneCli, FeaturesAreTheLayerOutputs) {
  const std::string out = dir_ + "/feats.safetensors";
  const auto r = test::run_cnn(fmt::format("features {} --weights {}/pre/model.safetensors --layer classifier.0 "
                                           "--limit 20 --batch-size 8 --dataset mnist --data-dir {} --threads 1 --output {}",
                                           kModel, dir_, test::mnist_dir(), out));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("([16, 1, 1] per image) -> features [20, 16] and labels [20]"), std::string::npos) << r.out;
  const StateDict saved = load_safetensors(out);
  const Tensor labels = saved.at("labels");
  EXPECT_EQ(labels.data<int64_t>()[0], 7);  // MNIST test images 0..4 are 7, 2, 1, 0, 4
  EXPECT_EQ(labels.data<int64_t>()[4], 4);

  // Test image 3 normalised as cnn does for MNIST, through the model in-process with a hook on classifier.0.
  const IdxArray images = read_idx(test::mnist_dir() + "/t10k-images-idx3-ubyte.gz", 3);
  std::vector<float> pixels(784);
  for (size_t i = 0; i < 784; ++i) pixels[i] = (static_cast<float>(images.data[3 * 784 + i]) / 255.0f - 0.1307f) / 0.3081f;
  auto model = models::create("plaincnn", {.kwargs = {{"depth", "2"}, {"width", "8"}}});
  load_state_dict_file(*model, dir_ + "/pre/model.safetensors");
  model->eval();
  Tensor pooled;
  model->get_submodule("classifier.0")->register_forward_hook(
      [&](Module&, const Tensor&, const Tensor& y) { pooled = y; });
  NoGradGuard no_grad;
  (*model)(from_vector(pixels, {1, 1, 28, 28}));
  EXPECT_ALLCLOSE(saved.at("features").select(0, 3).unsqueeze(0), flatten(pooled, 1), 1e-4, 1e-5);
}

}  // namespace
}  // namespace cnn

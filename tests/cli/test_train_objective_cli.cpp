// cnn train's objective and optimiser flags as users run them: --opt-alpha reaching RMSprop, --l1, and --mixup
// with --cutmix and --smoothing training above chance. googlenet --aux-logits: test_aux_logits_cli.cpp.
#include <cnn/checkpoint.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "noisy_mnist.h"
#include "test_util.h"

using namespace cnn;

namespace {

using Result = cnn::test::CommandResult;

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(test::slurp(path)); }

TEST(TrainObjectiveCli, OptAlphaReachesRmspropAndL1IsRecorded) {
  const std::string dir = test::temp_dir("objective_cli"), out = dir + "/run";
  test::write_noisy_mnist(dir, 64, 20);
  const Result r = test::train_on_noisy_mnist(dir, out, "--model lenet5 --opt rmsprop --opt-alpha 0.9 --l1 1e-4 --epochs 1 -b 32");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rmsprop lr 0.01 momentum 0.9 alpha 0.9,"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("L1 0.0001 on conv and linear weights"), std::string::npos) << r.out;
  const nlohmann::json config = read_json(out + "/config.json");
  EXPECT_EQ(config["opt_alpha"], 0.9);
  EXPECT_EQ(config["l1"], 0.0001);
  const Checkpoint c = load_checkpoint(out + "/last.ckpt");
  ASSERT_FALSE(c.optimizer.param_groups.empty());
  for (const GroupOptions& g : c.optimizer.param_groups) EXPECT_EQ(g.at("alpha"), 0.9);

  const Result bad = test::train_on_noisy_mnist(dir, out + "2", "--opt rmsprop --opt-alpha 1.5");
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("--opt-alpha"), std::string::npos) << bad.err;
}

TEST(TrainObjectiveCli, MixupWithCutmixAndSmoothingTrainsAboveChance) {
  const std::string dir = test::temp_dir("objective_cli"), out = dir + "/run";
  test::write_noisy_mnist(dir, 600, 200);
  const Result r = test::train_on_noisy_mnist(dir, out, "--model lenet5 --mixup 0.2 --cutmix 1.0 --smoothing 0.1 --epochs 2 -b 32 "
                                       "--opt adamw --lr 0.003");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("mixup 0.2 / cutmix 1 (prob 1, switch 0.5, mode batch), soft-target cross-entropy"),
            std::string::npos)
      << r.out;
  const nlohmann::json metrics = read_json(out + "/metrics.json");
  ASSERT_EQ(metrics["epochs"].size(), 2u);
  for (const auto& e : metrics["epochs"]) {
    EXPECT_TRUE(std::isfinite(e["train_loss"].get<double>())) << e.dump();
    EXPECT_TRUE(std::isfinite(e["test_loss"].get<double>())) << e.dump();
  }
  EXPECT_GT(metrics["epochs"][1]["test_acc"].get<double>(), 0.3) << "chance is 0.1\n" << r.out;
  EXPECT_GT(metrics["epochs"][1]["train_acc"].get<double>(), 0.1) << "accuracy against the dominant label";
  const nlohmann::json config = read_json(out + "/config.json");
  EXPECT_EQ(config["mixup"], 0.2);
  EXPECT_EQ(config["cutmix"], 1.0);
  EXPECT_EQ(config["mixup_mode"], "batch");

  const Result pair = test::train_on_noisy_mnist(dir, out + "2", "--mixup 0.2 --mixup-mode pair");
  EXPECT_EQ(pair.code, 1);
  EXPECT_NE(pair.err.find("--mixup-mode"), std::string::npos) << pair.err;
}

}  // namespace

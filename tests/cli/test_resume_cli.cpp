// Resume and output folders as timm does: extending --epochs on --resume recomputes the schedule (1 epoch + resume
// to 2 equals 2 epochs straight, byte for byte, under cosine and step), other changed settings are refused unless
// --force, a warm-up longer than the run is clamped, and a folder holding a run is never overwritten silently.
#include <cnn/cnn.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

class ResumeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
    dir_ = test::temp_dir("resume_cli");
  }
  test::CommandResult train(const std::string& args) const {
    return test::run_cnn(fmt::format(
        "train --model plaincnn --model-kwargs depth=2 width=8 --dataset mnist --data-dir {} --train-subset 256 "
        "--batch-size 64 --opt sgd --threads 1 --workers 1 --quiet --no-report --seed 1 {}",
        test::mnist_dir(), args));
  }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  static nlohmann::json metrics(const std::string& run) {
    return nlohmann::json::parse(test::slurp(run + "/metrics.json"))["epochs"];
  }
  std::string dir_;
};

TEST_F(ResumeCli, ExtendingEpochsEqualsTheLongerRunByteForByte) {
  for (const std::string sched : {"cosine --lr 0.1", "step --decay-epochs 1 --lr 0.1"}) {
    SCOPED_TRACE(sched);
    const std::string straight = path("straight"), extended = path("extended");
    fs::remove_all(straight), fs::remove_all(extended);
    ASSERT_EQ(train(fmt::format("--sched {} --epochs 2 --output {}", sched, straight)).code, 0);
    ASSERT_EQ(train(fmt::format("--sched {} --epochs 1 --output {}", sched, extended)).code, 0);
    const auto r = train(fmt::format("--sched {} --epochs 2 --resume {}", sched, extended));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(test::slurp(straight + "/model.safetensors"), test::slurp(extended + "/model.safetensors"));
    const auto a = metrics(straight), b = metrics(extended);
    ASSERT_EQ(b.size(), 2u);
    for (size_t e = 0; e < 2; ++e)
      for (const char* key : {"lr", "train_loss", "test_loss", "test_acc"})
        EXPECT_EQ(a[e][key], b[e][key]) << "epoch " << e + 1 << " " << key;
    // Epoch 2 runs at the 2-epoch schedule's lr (cosine 0.05, step 0.01), not the finished 1-epoch one's.
    EXPECT_DOUBLE_EQ(b[1]["lr"].get<double>(), sched.starts_with("cosine") ? 0.05 : 0.010000000000000002);
  }
}

// One-cycle's lrs inside epoch 1 depend on the run's total length, so a 1-epoch run's weights differ from a 2-epoch
// run's after epoch 1 and byte equality cannot hold; the extended run continues on the 2-epoch curve.
TEST_F(ResumeCli, OneCycleExtensionContinuesOnTheNewCurve) {
  ASSERT_EQ(train(fmt::format("--sched onecycle --lr 0.1 --epochs 2 --output {}", path("straight"))).code, 0);
  ASSERT_EQ(train(fmt::format("--sched onecycle --lr 0.1 --epochs 1 --output {}", path("extended"))).code, 0);
  const auto r = train(fmt::format("--sched onecycle --lr 0.1 --epochs 2 --resume {}", path("extended")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(metrics(path("extended"))[1]["lr"], metrics(path("straight"))[1]["lr"]);
  EXPECT_GT(metrics(path("extended"))[1]["lr"].get<double>(), 0.01);
}

TEST_F(ResumeCli, ChangedSettingsAreRefusedUnlessForced) {
  const std::string run = path("run");
  ASSERT_EQ(train(fmt::format("--lr 0.1 --epochs 1 --output {}", run)).code, 0);
  const std::string config = test::slurp(run + "/config.json");
  auto r = train(fmt::format("--lr 0.05 --momentum 0.5 --epochs 2 --resume {}", run));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("train --resume " + run + ": these settings differ from the run's"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  lr: 0.1 -> 0.05\n  momentum: 0.9 -> 0.5"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_EQ(test::slurp(run + "/config.json"), config);
  EXPECT_EQ(metrics(run).size(), 1u);
  r = train(fmt::format("--lr 0.05 --momentum 0.5 --epochs 2 --resume {} --force", run));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("warning: --force: continuing " + run + " with changed settings:\n  lr: 0.1 -> 0.05"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(metrics(run).size(), 2u);
  EXPECT_EQ(metrics(run)[1]["lr"], 0.05);  // the forced lr applies from the resumed epoch
}

TEST_F(ResumeCli, AFolderHoldingARunIsNotOverwritten) {
  const std::string run = path("run");
  ASSERT_EQ(train(fmt::format("--lr 0.1 --epochs 1 --output {}", run)).code, 0);
  const std::string weights = test::slurp(run + "/model.safetensors");
  auto r = train(fmt::format("--lr 0.2 --epochs 1 --output {}", run));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find(fmt::format("note: {0} already holds a run; writing to {0}-1", run)), std::string::npos) << r.out;
  EXPECT_EQ(test::slurp(run + "/model.safetensors"), weights);
  EXPECT_TRUE(fs::is_regular_file(run + "-1/model.safetensors"));
  r = train(fmt::format("--lr 0.3 --epochs 1 --output {}", run));
  EXPECT_NE(r.out.find("writing to " + run + "-2"), std::string::npos) << r.out;
  r = train(fmt::format("--lr 0.2 --epochs 1 --output {} --overwrite", run));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(test::slurp(run + "/model.safetensors"), weights);
  EXPECT_EQ(nlohmann::json::parse(test::slurp(run + "/config.json"))["lr"], 0.2);
}

TEST_F(ResumeCli, WarmupLongerThanTheRunIsClamped) {
  const auto r = train(fmt::format("--lr 0.1 --sched cosine --warmup-epochs 3 --epochs 2 --output {}", path("run")));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("note: --warmup-epochs 3 is not shorter than the run's 2 epochs; clamped to 1"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(nlohmann::json::parse(test::slurp(path("run") + "/config.json"))["warmup_epochs"], 1);
  EXPECT_EQ(metrics(path("run")).size(), 2u);
}

}  // namespace
}  // namespace cnn

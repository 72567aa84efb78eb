// cnn train under mpirun as a user starts it: 2 ranks x batch 32 give the weights and test accuracy of one process
// with batch 64 (a model without batch norm, and one with --sync-bn), rank 0 alone prints and writes the run folder
// (report included), resume with the same world size is bit-identical, a rank killed mid-run stops the job within
// 60 s naming the rank and its last checkpoint resumes, and ranks started with different settings refuse at start,
// listing the difference.
// Skipped where cnnkit was built without MPI or mpirun is missing.
#include <cnn/cnn.h>
#include <cnn/distributed.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

class DistributedCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!distributed::available()) GTEST_SKIP() << "cnnkit built without MPI";
    if (test::run_command("command -v mpirun").code != 0) GTEST_SKIP() << "no mpirun";
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
    root_ = test::temp_dir("mpi");
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }
  // One epoch of 1024 MNIST images (32 steps of the global batch 64), SGD, one thread per rank.
  std::string flags(const std::string& model, int64_t batch, const std::string& output, double lr = 0.05) const {
    return fmt::format("train --model {} --dataset mnist --data-dir {} --train-subset 1024 --epochs 1 "
                       "--batch-size {} --opt sgd --lr {} --momentum 0.9 --seed 5 --threads 1 --workers 1 "
                       "--output {}",
                       model, test::mnist_dir(), batch, lr, output);
  }
  static test::CommandResult mpirun(int ranks, const std::string& args) {
    return test::run_command(fmt::format("mpirun -np {} --oversubscribe --allow-run-as-root {}/cnn {}", ranks,
                                         CNN_BINARY_DIR, args));
  }
  // The largest ||a - b|| / max(||b||, floor) over the float tensors of two weight files with the same keys.
  static double max_relative_difference(const std::string& a_path, const std::string& b_path, double floor = 1e-30) {
    const StateDict a = load_safetensors(a_path), b = load_safetensors(b_path);
    EXPECT_EQ(a.size(), b.size());
    double worst = 0;
    for (const auto& [name, ta] : a) {
      if (ta.dtype() != DType::f32) continue;
      const Tensor x = ta.contiguous(), y = b[name].contiguous();
      double diff = 0, norm = 0;
      for (int64_t i = 0; i < y.numel(); ++i) {
        const double d = double(x.data<float>()[i]) - y.data<float>()[i];
        diff += d * d;
        norm += double(y.data<float>()[i]) * y.data<float>()[i];
      }
      worst = std::max(worst, std::sqrt(diff) / std::max(std::sqrt(norm), floor));
    }
    return worst;
  }
  static double test_acc(const std::string& run) {
    const auto m = nlohmann::json::parse(test::slurp(run + "/metrics.json"));
    return m.at("epochs").back().at("test_acc").get<double>();
  }
  std::string root_;
};

TEST_F(DistributedCli, TwoRanksOfHalfTheBatchTrainTheSameWeightsAsOneProcess) {
  const std::string one = root_ + "/one", two = root_ + "/two";
  const test::CommandResult single = test::run_cnn(flags("simplecnn", 64, one) + " --no-report");
  ASSERT_EQ(single.code, 0) << single.out << single.err;
  const test::CommandResult pair = mpirun(2, flags("simplecnn", 32, two));
  ASSERT_EQ(pair.code, 0) << pair.out << pair.err;
  EXPECT_NE(pair.out.find("batch 32 per rank x 2 ranks (mpirun) = global batch 64"), std::string::npos) << pair.out;
  // Rank 0 alone prints: one header, one epoch line.
  EXPECT_EQ(pair.out.find("cnn train:"), pair.out.rfind("cnn train:")) << pair.out;
  EXPECT_EQ(nlohmann::json::parse(test::slurp(two + "/config.json")).at("world_size"), 2);
  EXPECT_TRUE(fs::exists(two + "/report.html"));
  EXPECT_TRUE(fs::exists(two + "/last.ckpt"));
  EXPECT_LT(max_relative_difference(two + "/model.safetensors", one + "/model.safetensors"), 1e-5);
  // The test set is sharded and its counts summed: the same 10,000 images, the same accuracy.
  EXPECT_DOUBLE_EQ(test_acc(two), test_acc(one));
}

TEST_F(DistributedCli, SyncBatchNormMatchesOneProcessWithTheGlobalBatch) {
  const std::string one = root_ + "/one", two = root_ + "/two";
  const std::string model = "plaincnn --model-kwargs depth=2 width=8 --no-report";
  // One process with --sync-bn runs the same op (its statistics in double precision) over its whole batch.
  const test::CommandResult single = test::run_cnn(flags(model, 64, one, 0.01) + " --sync-bn");
  ASSERT_EQ(single.code, 0) << single.out << single.err;
  const test::CommandResult pair = mpirun(2, flags(model, 32, two, 0.01) + " --sync-bn");
  ASSERT_EQ(pair.code, 0) << pair.out << pair.err;
  // Batch-norm biases start at 0 and move by sums of dy that nearly cancel (norm about 0.005 after the epoch), so
  // their summation-order noise is measured against a norm of at least 0.1; the rest agree to about 1e-5.
  EXPECT_LT(max_relative_difference(two + "/model.safetensors", one + "/model.safetensors", 0.1), 1e-4);
  EXPECT_DOUBLE_EQ(test_acc(two), test_acc(one));
}

TEST_F(DistributedCli, RanksWithDifferentSettingsRefuseAtStart) {
  const std::string out = root_ + "/mixed";
  const std::string common = flags("simplecnn", 32, out) + " --no-report";
  const test::CommandResult r = test::run_command(fmt::format(
      "mpirun --oversubscribe --allow-run-as-root -np 1 {0}/cnn {1} : -np 1 {0}/cnn {1} --weight-decay 0.001",
      CNN_BINARY_DIR, common));
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.err.find("were started with different settings"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("weight_decay: rank 0 0.0, rank 1 0.001"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out + "/model.safetensors"));
}

TEST_F(DistributedCli, ResumeWithTheSameWorldSizeIsBitIdentical) {
  const std::string full = root_ + "/full", part = root_ + "/part";
  const std::string args = fmt::format("train --model simplecnn --dataset mnist --data-dir {} --train-subset 512 "
                                       "--batch-size 32 --sched cosine --seed 5 --threads 1 --workers 1 --no-report -q",
                                       test::mnist_dir());
  ASSERT_EQ(mpirun(2, args + " --epochs 2 --output " + full).code, 0);
  ASSERT_EQ(mpirun(2, args + " --epochs 1 --output " + part).code, 0);
  const test::CommandResult resumed = mpirun(2, args + " --epochs 2 --resume " + part);
  ASSERT_EQ(resumed.code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(test::slurp(part + "/model.safetensors"), test::slurp(full + "/model.safetensors"));
}

TEST_F(DistributedCli, ARankThatDiesStopsTheOthersAndTheLastCheckpointResumes) {
  const std::string out = root_ + "/killed";
  const std::string args = fmt::format("train --model simplecnn --dataset mnist --data-dir {} --train-subset 2048 "
                                       "--batch-size 32 --seed 5 --threads 1 --workers 1 --no-report -q --output {}",
                                       test::mnist_dir(), out);
  // Rank 1 is killed (SIGKILL) once the first epoch's checkpoint exists; mpirun then stops rank 0.
  const std::string script = root_ + "/kill.sh";
  std::ofstream(script) << fmt::format(
      "mpirun -np 2 --oversubscribe --allow-run-as-root {0}/cnn {1} --epochs 50 > {2}/log 2>&1 &\n"
      "job=$!\n"
      "for i in $(seq 1200); do [ -f {3}/last.ckpt ] && break; sleep 0.1; done\n"
      "for p in $(pgrep -f {3}); do\n"
      "  tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && kill -9 $p\n"
      "done\n"
      "start=$(date +%s)\n"
      "wait $job; code=$?\n"
      "echo \"exit $code after $(( $(date +%s) - start )) s\"\n",
      CNN_BINARY_DIR, args, root_, out);
  const test::CommandResult killed = test::run_command("bash " + script);
  const std::string log = test::slurp(root_ + "/log");
  int code = 0, seconds = 0;
  ASSERT_EQ(std::sscanf(killed.out.c_str(), "exit %d after %d s", &code, &seconds), 2) << killed.out << log;
  EXPECT_NE(code, 0) << log;
  EXPECT_LE(seconds, 60) << log;
  EXPECT_NE(log.find("rank 1"), std::string::npos) << log;
  // The checkpoint written before the failure (atomically) resumes the run with the same world size.
  const test::CommandResult resumed = mpirun(2, fmt::format("{} --epochs 3 --resume {}", args, out));
  ASSERT_EQ(resumed.code, 0) << resumed.out << resumed.err;
  const auto metrics = nlohmann::json::parse(test::slurp(out + "/metrics.json"));
  EXPECT_EQ(metrics.at("epochs").size(), 3u);
}

}  // namespace
}  // namespace cnn

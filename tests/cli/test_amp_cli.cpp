// --amp bf16 as a user passes it: cnn train records it in config.json and the run's peak memory in metrics.json;
// cnn eval and cnn run take it on a finished run and agree with float32 within bf16's precision; on a CPU
// without bf16 instructions (DNNL_MAX_CPU_ISA=AVX512_CORE stands in for one) the run says so once and trains f32.
#include <cnn/cnn.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(test::slurp(path)); }

double top1(const std::string& out) {
  std::smatch m;
  if (!std::regex_search(out, m, std::regex(R"(top-1 ([0-9.]+)%)"))) return -1;
  return std::stod(m[1]);
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

class AmpCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
    root_ = test::temp_dir("amp");
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }
  std::string train_flags(const std::string& output) const {
    return fmt::format("train --model plaincnn --model-kwargs depth=3 width=16 --dataset mnist --data-dir {} "
                       "--train-subset 1500 --epochs 1 --batch-size 32 --seed 1 --threads 2 "
                       "--amp bf16 --output {}",
                       test::mnist_dir(), output);
  }
  std::string root_;
};

TEST_F(AmpCli, TrainEvalAndRunTakeAmpBf16) {
  const std::string run = root_ + "/run";
  const test::CommandResult t = test::run_cnn(train_flags(run));
  ASSERT_EQ(t.code, 0) << t.out << t.err;
  const bool native = backend().supports_bf16();
  EXPECT_NE(t.out.find(native ? "bf16 mixed precision" : "no native bf16 on this CPU: float32"), std::string::npos)
      << t.out;
  EXPECT_EQ(read_json(run + "/config.json").at("amp"), "bf16");
  const nlohmann::json metrics = read_json(run + "/metrics.json");
  EXPECT_GT(metrics.at("epochs").at(0).at("peak_rss_mb").get<double>(), 10.0);
  EXPECT_TRUE(fs::exists(run + "/report.html"));

  const test::CommandResult e16 = test::run_cnn("eval " + run + " --amp bf16 --threads 2");
  const test::CommandResult e32 = test::run_cnn("eval " + run + " --threads 2");
  ASSERT_EQ(e16.code, 0) << e16.out << e16.err;
  ASSERT_EQ(e32.code, 0) << e32.out << e32.err;
  EXPECT_GT(top1(e32.out), 40.0) << e32.out;
  EXPECT_NEAR(top1(e16.out), top1(e32.out), 0.5) << e16.out << e32.out;

  manual_seed(0);
  save_safetensors(root_ + "/in.safetensors", StateDict{{"input", rand({4, 1, 28, 28})}});
  const test::CommandResult r16 =
      test::run_cnn(fmt::format("run {} --input {}/in.safetensors --output {}/out16.safetensors --amp bf16", run,
                                root_, root_));
  const test::CommandResult r32 =
      test::run_cnn(fmt::format("run {} --input {}/in.safetensors --output {}/out32.safetensors", run, root_, root_));
  ASSERT_EQ(r16.code, 0) << r16.out << r16.err;
  ASSERT_EQ(r32.code, 0) << r32.out << r32.err;
  const Tensor y16 = load_safetensors(root_ + "/out16.safetensors")["output"];
  const Tensor y32 = load_safetensors(root_ + "/out32.safetensors")["output"];
  EXPECT_ALLCLOSE(y16, y32, 5e-2, 5e-2);
  if (native) {
    EXPECT_FALSE(test::allclose(y16, y32, 0, 0)) << "bf16 should round somewhere";
  }

  const test::CommandResult bad = test::run_cnn("eval " + run + " --amp fp16");
  EXPECT_NE(bad.code, 0);
  EXPECT_NE((bad.out + bad.err).find("--amp"), std::string::npos) << bad.out << bad.err;
}

TEST_F(AmpCli, WithoutNativeBf16ItSaysSoOnceAndRunsF32) {
  const test::CommandResult f = test::run_command(fmt::format("DNNL_MAX_CPU_ISA=AVX512_CORE {}/cnn {} --no-report",
                                                               CNN_BINARY_DIR, train_flags(root_ + "/run")));
  ASSERT_EQ(f.code, 0) << f.out << f.err;
  EXPECT_NE(f.out.find("no native bf16 on this CPU: float32"), std::string::npos) << f.out;
  EXPECT_EQ(count(f.err, "has no native bfloat16"), 1u) << f.err;
}

}  // namespace
}  // namespace cnn

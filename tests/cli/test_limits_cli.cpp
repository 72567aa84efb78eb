// Limits checked before any work starts (issue 13 §4): --threads, --workers, --batch-size, --img-size (flag and
// --config), --epochs, plaincnn knobs the input cannot carry and `cnn shape` sizes that overflow; and the --config
// reader's type checks (§6). Each fails with exit code 1 and one line naming the option, the value and the limit.
#include <cnn/data.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = test::CommandResult;

#define EXPECT_FAILS_WITH(result, text)                                                          \
  do {                                                                                           \
    const Result& r_ = (result);                                                                 \
    EXPECT_EQ(r_.code, 1) << r_.out << r_.err;                                                   \
    EXPECT_NE(r_.err.find(text), std::string::npos) << r_.err;                                   \
    EXPECT_EQ(r_.err.rfind("cnn: error: ", 0), 0u) << r_.err;                                    \
  } while (0)

// MNIST-shaped IDX files: n train and n/2 test images of 28x28 (labels 0..9).
std::string tiny_mnist(int64_t n = 20) {
  const std::string dir = test::temp_dir("limits");
  for (const auto& [prefix, count] : {std::pair<std::string, int64_t>{"train", n}, {"t10k", n / 2}}) {
    IdxArray images{{count, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(count * 784), 7)};
    IdxArray labels{{count}, {}};
    for (int64_t i = 0; i < count; ++i) labels.data.push_back(static_cast<uint8_t>(i % 10));
    write_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz", images);
    write_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", labels);
  }
  return dir;
}

std::string write_config(const std::string& dir, const std::string& json) {
  const std::string path = dir + "/config.json";
  std::ofstream(path) << json;
  return path;
}

std::string thread_limit() { return std::to_string(4 * std::max(1u, std::thread::hardware_concurrency())); }

}  // namespace

TEST(Limits, ThreadsHaveACeiling) {
  const std::string limit = thread_limit();
  EXPECT_FAILS_WITH(test::run_cnn("train --threads 100000"), "--threads: 100000 is more than the limit of " + limit);
  EXPECT_FAILS_WITH(test::run_cnn("run --model simplecnn --threads 1000000"),
                    "--threads: 1000000 is more than the limit of " + limit + " (4 x the");
  EXPECT_FAILS_WITH(test::run_cnn("eval --model simplecnn --threads 99999999999999999999"),
                    "--threads: 99999999999999999999 is more than the limit");
  EXPECT_FAILS_WITH(test::run_cnn("viz filters --model simplecnn --threads 5000"), "--threads: 5000 is more than");
}

TEST(Limits, WorkersBatchAndEpochs) {
  EXPECT_FAILS_WITH(test::run_cnn("train --workers 100"), "--workers: 100 is more than the limit of 64");
  EXPECT_FAILS_WITH(test::run_cnn("train --batch-size 10000000"), "--batch-size: 10000000 is more than the limit of 65536");
  EXPECT_FAILS_WITH(test::run_cnn("eval --model simplecnn --batch-size 0"), "--batch-size: expected an integer from 1");
  EXPECT_FAILS_WITH(test::run_cnn("train --epochs 1000000000"), "--epochs: 1000000000 is more than the limit of 100000");
  EXPECT_FAILS_WITH(test::run_cnn("train --batch-size 65536 --img-size 8192"),
                    "train: --batch-size 65536 with --img-size 8192 needs 52776.6 GB for one input batch");
}

TEST(Limits, ImageSizeFromFlagsAndConfig) {
  EXPECT_FAILS_WITH(test::run_cnn("train --img-size 100000"), "--img-size: 100000 is more than the limit of 8192");
  EXPECT_FAILS_WITH(test::run_cnn("eval --model simplecnn --img-size 1000000000"),
                    "--img-size: 1000000000 is more than the limit of 8192");
  const std::string dir = test::temp_dir("limits");
  EXPECT_FAILS_WITH(test::run_cnn("train --config " + write_config(dir, R"({"img_size": 1e9})")),
                    "\"img_size\" is 1000000000.0 (number), expected an integer");
  EXPECT_FAILS_WITH(test::run_cnn("train --config " + write_config(dir, R"({"img_size": 100000})")),
                    "--img-size: 100000 is more than the limit of 8192");
  EXPECT_FAILS_WITH(test::run_cnn("summary --model simplecnn --input 1,100000,100000"),
                    "--input: 1,100000,100000 is more than the limit of 4096,8192,8192");
}

TEST(Limits, PlainCnnKnobsTheInputCannotCarry) {
  EXPECT_FAILS_WITH(test::run_cnn("summary --model plaincnn --model-kwargs kernel=99"),
                    "plaincnn: kernel=99 is larger than the 28x28 input of stage 1 (image_size=28, depth=3); the "
                    "limit is kernel=7");
  EXPECT_FAILS_WITH(test::run_cnn("summary --model plaincnn --model-kwargs depth=1000"),
                    "plaincnn: depth=1000 is more than the limit of 128");
  EXPECT_FAILS_WITH(test::run_cnn("summary --model plaincnn --model-kwargs depth=100"),
                    "plaincnn: depth=100 is more than a 28x28 input supports");
  EXPECT_FAILS_WITH(test::run_cnn("summary --model plaincnn --model-kwargs width=100000"),
                    "plaincnn: width=100000 is more than the limit of 1024");
  EXPECT_EQ(test::run_cnn("summary --model plaincnn --model-kwargs depth=8 kernel=5").code, 0);
  const std::string data = tiny_mnist();
  EXPECT_FAILS_WITH(test::run_cnn("train --model plaincnn --model-kwargs kernel=99 --epochs 1 --data-dir " + data +
                                  " --output " + data + "/run"),
                    "kernel=99 is larger than the 28x28 input");
  EXPECT_FALSE(fs::exists(data + "/run/last.ckpt"));
}

TEST(Limits, ShapeRefusesOverflow) {
  EXPECT_FAILS_WITH(test::run_cnn("shape --op conv --in 9223372036854775807 --kernel 3 --padding 9223372036854775807"),
                    "overflows 64-bit integers");
  EXPECT_FAILS_WITH(test::run_cnn("shape --op convtranspose --in 9223372036854775807 --kernel 3 --stride 4"),
                    "(in - 1)*stride = 9223372036854775806 * 4 overflows 64-bit integers");
  const Result pool = test::run_cnn("shape --op pool --in 100 --kernel 3 --stride 9223372036854775807 --ceil-mode");
  EXPECT_EQ(pool.code, 0) << pool.err;
  EXPECT_NE(pool.out.find("/ 9223372036854775807) + 1 = 1"), std::string::npos) << pool.out;
  const Result r = test::run_cnn("shape --op conv --in 1000000000000 --kernel 3 --target 1000000000000");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("use padding=1"), std::string::npos) << r.out;
}

TEST(ConfigTypes, EachFieldHasItsType) {
  const std::string dir = test::temp_dir("limits");
  auto run = [&](const std::string& json) { return test::run_cnn("train --config " + write_config(dir, json)); };
  EXPECT_FAILS_WITH(run(R"({"epochs": "2"})"), "\"epochs\" is \"2\" (string), expected an integer");
  EXPECT_FAILS_WITH(run(R"({"seed": -1})"), "\"seed\" is -1 (number), expected a non-negative integer");
  EXPECT_FAILS_WITH(run(R"({"output": 5})"), "\"output\" is 5 (number), expected a string");
  EXPECT_FAILS_WITH(run(R"({"lr": "0.1"})"), "\"lr\" is \"0.1\" (string), expected a number");
  EXPECT_FAILS_WITH(run(R"({"quiet": 1})"), "\"quiet\" is 1 (number), expected a boolean");
  EXPECT_FAILS_WITH(run(R"({"decay_milestones": [30, "60"]})"),
                    "\"decay_milestones\" is \"60\" (string), expected a list of integers");
  const Result r = run(R"({"epochz": 2})");
  EXPECT_FAILS_WITH(r, "unknown setting \"epochz\"; the settings of cnn train are: ");
  for (const char* key : {"batch_size", "epochs", "img_size", "seed", "output"})
    EXPECT_NE(r.err.find(key), std::string::npos) << key << ": " << r.err;
}

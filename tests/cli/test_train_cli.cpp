// `cnn train` and `cnn eval` as users run them: the 001 §4 recipe (recipes/resnet18_cifar10.json) for a couple of
// steps on generated CIFAR-format files, --config with command-line overrides and the resolved config.json, resume
// and eval through the CLI, and the NaN stop's one-line error.
#include <cnn/data.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = cnn::test::CommandResult;

std::string temp_dir() { return cnn::test::temp_dir("train_cli"); }

using cnn::test::slurp;

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(slurp(path)); }

// Runs `cnn ARGS` in the source folder (so recipes/ resolves).
Result cnn_cli(const std::string& args) {
  return cnn::test::run_command(fmt::format("cd {} && {}/cnn {}", CNN_SOURCE_DIR, CNN_BINARY_DIR, args));
}

// CIFAR-10 binary files: 256 training images over data_batch_1..5 and 32 test images; class = a coloured stripe.
void write_tiny_cifar(const std::string& dir) {
  auto write = [](const std::string& path, int64_t first, int64_t count) {
    std::vector<uint8_t> images(static_cast<size_t>(count * 32 * 32 * 3), 30), labels;
    for (int64_t i = 0; i < count; ++i) {
      const auto label = static_cast<uint8_t>((first + i) % 10);
      labels.push_back(label);
      for (int64_t x = 0; x < 32; ++x)
        images[static_cast<size_t>(((i * 32 + 3 * label) * 32 + x) * 3 + label % 3)] = 250;
    }
    write_cifar_file(path, CifarKind::cifar10, images, labels);
  };
  for (int b = 1; b <= 5; ++b) write(fmt::format("{}/data_batch_{}.bin", dir, b), 51 * (b - 1), b == 5 ? 52 : 51);
  write(dir + "/test_batch.bin", 0, 32);
}

// MNIST-shaped IDX files: n train and n/2 test images whose label is drawn as a bright row band.
void write_tiny_mnist(const std::string& dir, int64_t n) {
  for (const auto& [prefix, count] : {std::pair<std::string, int64_t>{"train", n}, {"t10k", n / 2}}) {
    IdxArray images{{count, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(count * 784), 0)};
    IdxArray labels{{count}, {}};
    for (int64_t i = 0; i < count; ++i) {
      const int64_t label = i % 10;
      labels.data.push_back(static_cast<uint8_t>(label));
      for (int64_t x = 0; x < 28; ++x) images.data[static_cast<size_t>(i * 784 + (2 + 2 * label) * 28 + x)] = 255;
    }
    write_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz", images);
    write_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", labels);
  }
}

}  // namespace

TEST(TrainCli, ResNet18CifarRecipeRunsAFewSteps) {
  const std::string dir = temp_dir(), out = dir + "/run";
  write_tiny_cifar(dir);
  const Result r =
      cnn_cli(fmt::format("train --config recipes/resnet18_cifar10.json --data-dir {} --epochs 1 "
                          "--output {} --threads 2 --no-report",
                          dir, out));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("resnet18_cifar (11,173,962 parameters) on cifar10"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("256 train / 32 test images"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sgd lr 0.1 momentum 0.9, weight decay 0.0005, schedule cosine"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("epoch 1/1  step 2/2  loss"), std::string::npos) << r.err;
  const nlohmann::json config = read_json(out + "/config.json");
  EXPECT_EQ(config["model"], "resnet18_cifar");
  EXPECT_EQ(config["epochs"], 1) << "the command line overrides the file";
  EXPECT_EQ(config["batch_size"], 128);
  EXPECT_EQ(config["crop_pad"], 4);
  EXPECT_EQ(config["hflip"], 0.5);
  EXPECT_EQ(config["weight_decay"], 0.0005);
  EXPECT_EQ(config["sched"], "cosine");
  EXPECT_EQ(read_json(out + "/metrics.json")["epochs"].size(), 1u);
  EXPECT_TRUE(fs::exists(out + "/last.ckpt"));
}

TEST(TrainCli, ConfigFileOverridesAndResolvedConfig) {
  const std::string dir = temp_dir();
  write_tiny_mnist(dir, 100);
  const std::string config = dir + "/settings.json";
  std::ofstream(config) << R"({"model": "lenet5", "epochs": 1, "batch_size": 20, "opt": "sgd", "lr": 0.02,
                               "sched": "multistep", "decay_milestones": [1, 3], "quiet": true, "clip_grad": null,
                               "no_report": true})";
  Result r = cnn_cli(fmt::format("train --config {} --data-dir {} --batch-size 25 --output {}/a", config, dir, dir));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "") << "quiet: no progress";
  nlohmann::json a = read_json(dir + "/a/config.json");
  EXPECT_EQ(a["model"], "lenet5");
  EXPECT_EQ(a["batch_size"], 25);
  EXPECT_EQ(a["lr"], 0.02);
  EXPECT_EQ(a["decay_milestones"], nlohmann::json::array({1, 3}));
  EXPECT_EQ(a["num_classes"], 10);
  EXPECT_TRUE(a["clip_grad"].is_null());

  // A run's config.json is itself a config file: the same settings again.
  r = cnn_cli(fmt::format("train --config {}/a/config.json --output {}/b", dir, dir));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  nlohmann::json b = read_json(dir + "/b/config.json");
  a.erase("output");
  b.erase("output");
  EXPECT_EQ(a, b);

  std::ofstream(config) << R"({"modle": "lenet5"})";
  r = cnn_cli(fmt::format("train --config {} --data-dir {}", config, dir));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn: error: --config " + config + ": unknown setting \"modle\""), std::string::npos) << r.err;
  std::ofstream(config) << R"({"epochs": "many"})";
  r = cnn_cli(fmt::format("train --config {} --data-dir {}", config, dir));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("\"epochs\""), std::string::npos) << r.err;
}

TEST(TrainCli, ResumeThenEval) {
  const std::string dir = temp_dir(), out = dir + "/run";
  write_tiny_mnist(dir, 200);
  const std::string common = fmt::format(
      "--model lenet5 --data-dir {} --batch-size 20 --opt adamw --lr 0.003 "
      "--sched cosine --warmup-epochs 1 --smoothing 0.1 --clip-grad 2 --seed 3 --no-report",
      dir);
  Result r = cnn_cli(fmt::format("train {} --epochs 3 --output {} --log-interval 5", common, out));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("epoch 1/3  step 5/10  loss"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lr "), std::string::npos) << r.err;

  r = cnn_cli(fmt::format("train {} --epochs 4 --resume {} --quiet", common, out));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("resuming from " + out + "/last.ckpt"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("epoch 3/4"), std::string::npos) << "epochs 1-3 are not trained again\n" << r.out;
  EXPECT_NE(r.out.find("epoch 4/4"), std::string::npos) << r.out;
  EXPECT_EQ(read_json(out + "/metrics.json")["epochs"].size(), 4u);

  r = cnn_cli(fmt::format("eval --model lenet5 --weights {}/best.ckpt --data-dir {}", out, dir));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  for (const char* text : {"top-1", "top-5", "per-class accuracy and confusion matrix", "true \\ predicted", "100.00%"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
  r = cnn_cli(fmt::format("eval --model simplecnn --weights {}/model.safetensors --data-dir {}", out, dir));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn: error: eval: loading " + out + "/model.safetensors into simplecnn: Error(s) in loading "
                       "state_dict for SimpleCNN"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("HINT: build the model the weights were trained with"), std::string::npos) << r.err;
}

TEST(TrainCli, NonFiniteLossStopsWithOneLine) {
  const std::string dir = temp_dir();
  write_tiny_mnist(dir, 100);
  const Result r =
      cnn_cli(fmt::format("train --model lenet5 --data-dir {} --epochs 2 --batch-size 10 --opt sgd "
                          "--lr 1e30 --output {}/run --quiet --no-report",
                          dir, dir));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("cnn: error: training stopped: the loss is ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(" at epoch 1/2, step "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HINT: lower --lr"), std::string::npos) << r.err;
}

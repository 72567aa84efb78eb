// The `cnn` binary as users run it: --help everywhere, summary totals, one-line errors with exit code 1 for bad
// data or flags (never a crash), and a tiny training run that writes metrics.json and model.safetensors.
#include <cnn/data.h>
#include <cnn/io.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = cnn::test::CommandResult;

std::string temp_dir() { return cnn::test::temp_dir("cli"); }

using cnn::test::slurp;

Result cnn_cli(const std::string& args) { return cnn::test::run_cnn(args); }

// MNIST-shaped IDX files: n train and n/2 test images of 28x28 whose label is drawn as a bright row band.
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

TEST(Cli, HelpEverywhere) {
  for (const char* args : {"--help", "train --help", "summary --help"}) {
    const Result r = cnn_cli(args);
    EXPECT_EQ(r.code, 0) << args << "\n" << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args << "\n" << r.out;
  }
  const std::string train_help = cnn_cli("train --help").out;
  for (const char* flag : {"--model", "--dataset", "--data-dir", "--epochs", "--batch-size", "--opt", "--lr",
                           "--momentum", "--weight-decay", "--seed", "--threads", "--backend", "--output"})
    EXPECT_NE(train_help.find(flag), std::string::npos) << flag;
}

TEST(Cli, SummaryTotals) {
  Result r = cnn_cli("summary --model simplecnn");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Total params: 421,642"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fc1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[1, 64, 7, 7]"), std::string::npos) << r.out;
  r = cnn_cli("summary --model lenet5 --input 1,28,28");
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Total params: 61,706"), std::string::npos) << r.out;
}

TEST(Cli, ErrorsAreOneLineWithExitCodeOne) {
  Result r = cnn_cli("summary --model simplecnn --input 3,28,28");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn: error: conv1 (Conv2d): "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[1, 3, 28, 28]"), std::string::npos) << r.err;
  for (const char* args : {"", "frobnicate", "train --epochs zero", "train --model resnet1000",
                           "summary --model simplecnn --input 1,28", "train --no-such-flag"}) {
    r = cnn_cli(args);
    EXPECT_EQ(r.code, 1) << args;
    EXPECT_EQ(r.err.rfind("cnn: error: ", 0), 0u) << args << ": " << r.err;
  }
}

TEST(Cli, BadIdxFilesFailCleanly) {
  const std::string dir = temp_dir();
  write_tiny_mnist(dir, 20);
  const std::string images = dir + "/train-images-idx3-ubyte.gz";
  const std::string bytes = slurp(images);
  std::ofstream(images, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size() / 2));
  Result r = cnn_cli(fmt::format("train --data-dir {} --epochs 1 --output {}/out", dir, dir));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("cnn: error: idx: " + images), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("truncated"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("HINT:"), std::string::npos) << r.err;

  fs::copy_file(dir + "/train-labels-idx1-ubyte.gz", images, fs::copy_options::overwrite_existing);
  r = cnn_cli(fmt::format("train --data-dir {} --epochs 1 --output {}/out", dir, dir));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("expected magic 0x00000803"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("found 0x00000801"), std::string::npos) << r.err;

  r = cnn_cli(fmt::format("train --data-dir {}/missing --epochs 1", dir));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
}

TEST(Cli, TrainWritesMetricsAndWeights) {
  const std::string dir = temp_dir();
  write_tiny_mnist(dir, 200);
  const std::string out = dir + "/run";
  const Result r =
      cnn_cli(fmt::format("train --model lenet5 --data-dir {} --epochs 2 --batch-size 20 --lr 0.01 "
                          "--seed 1 --threads 2 --output {} --log-interval 5",
                          dir, out));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("epoch 2/2: train loss"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("epoch 1/2  step 5/10  loss"), std::string::npos) << r.err;

  const nlohmann::json metrics = nlohmann::json::parse(slurp(out + "/metrics.json"));
  EXPECT_EQ(metrics["config"]["model"], "lenet5");
  EXPECT_EQ(metrics["config"]["batch_size"], 20);
  ASSERT_EQ(metrics["epochs"].size(), 2u);
  for (const char* key : {"epoch", "train_loss", "train_acc", "test_loss", "test_acc", "seconds", "images_per_second"})
    EXPECT_TRUE(metrics["epochs"][1].contains(key)) << key;
  EXPECT_EQ(metrics["epochs"][1]["epoch"], 2);
  EXPECT_GE(metrics["epochs"][1]["test_acc"].get<double>(), 0.5) << "the bands are easy to tell apart";

  const StateDict weights = load_safetensors(out + "/model.safetensors");
  EXPECT_EQ(weights.keys().front(), "features.0.weight");
  EXPECT_EQ(weights.at("classifier.4.weight").shape(), (Shape{10, 84}));
}

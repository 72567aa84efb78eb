// `cnn run` as users run it: PyTorch-written weights give PyTorch's output, cnnkit-written weights give the
// in-process forward, and strict loading fails with one error listing missing, unexpected and wrongly-shaped keys.
// Not the model zoo itself (tests/models/test_zoo.cpp).
#include <cnn/io.h>
#include <cnn/models.h>
#include <unistd.h>

#include <filesystem>

#include "formula_weights.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = cnn::test::CommandResult;

std::string temp_dir() { return cnn::test::temp_dir("run"); }

Result cnn_cli(const std::string& args) { return cnn::test::run_cnn(args); }

const std::string kFixtures = CNN_FIXTURES_DIR;

TEST(CliRun, PyTorchWeightsGivePyTorchsOutput) {
  const std::string dir = temp_dir();
  const Result r = cnn_cli(fmt::format(
      "run --model mobilenet_v2 --width-mult 0.35 --num-classes 10 --weights {0}/zoo_mobilenet_v2.safetensors "
      "--input {0}/zoo_mobilenet_v2_io.safetensors --output {1}/y.safetensors",
      kFixtures, dir));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("cnn run: mobilenet_v2 (408,938 parameters), input [2, 3, 32, 32] -> output [2, 10]"),
            std::string::npos)
      << r.out;
  const StateDict expected = load_safetensors(kFixtures + "/zoo_mobilenet_v2_io.safetensors");
  const StateDict got = load_safetensors(dir + "/y.safetensors");
  ASSERT_TRUE(got.contains("output"));
  EXPECT_LE(test::max_relative_diff(*got.find("output"), *expected.find("output")), 1e-4);
  EXPECT_EQ(load_safetensors_metadata(dir + "/y.safetensors").at("model"), "mobilenet_v2");
}

TEST(CliRun, CnnkitWeightsGiveTheInProcessForward) {
  const std::string dir = temp_dir();
  ModulePtr model = models::create("simplecnn_cifar", {.num_classes = 4, .in_channels = 1});
  test::fill_formula(*model);
  model->eval();
  save_state_dict(*model, dir + "/w.safetensors");
  const Tensor x = test::formula_input({3, 1, 32, 32});
  save_safetensors(dir + "/x.safetensors", {{"input", x}});
  const Result r = cnn_cli(fmt::format("run --model simplecnn_cifar --num-classes 4 --in-chans 1 --weights {0}/w."
                                       "safetensors --input {0}/x.safetensors --output {0}/y.safetensors --backend ref",
                                       dir));
  ASSERT_EQ(r.code, 0) << r.err;
  NoGradGuard no_grad;
  const Tensor expected = (*model)(x);
  EXPECT_LE(test::max_relative_diff(*load_safetensors(dir + "/y.safetensors").find("output"), expected), 1e-5);
}

TEST(CliRun, StrictLoadingListsEveryMismatch) {
  const std::string dir = temp_dir();
  StateDict state = models::create("simplecnn_cifar")->state_dict();
  StateDict edited;
  for (const auto& [name, t] : state)
    if (name != "fc2.bias") edited.insert(name, t);
  edited.insert("fc3.weight", zeros({2, 2}));
  save_safetensors(dir + "/w.safetensors", edited);
  save_safetensors(dir + "/x.safetensors", {{"input", zeros({1, 3, 32, 32})}});
  Result r = cnn_cli(fmt::format("run --model simplecnn_cifar --num-classes 5 --weights {0}/w.safetensors "
                                 "--input {0}/x.safetensors --output {0}/y.safetensors",
                                 dir));
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.err.rfind("cnn: error: run: loading into simplecnn_cifar: " + dir + "/w.safetensors: Error(s) in "
                       "loading state_dict for SimpleCNNCifar:", 0), 0u)
      << r.err;
  EXPECT_EQ(r.err.find("strict=false"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Unexpected key(s) in state_dict: \"fc3.weight\"."), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Missing key(s) in state_dict: \"fc2.bias\"."), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("size mismatch for fc2.weight: copying a param with shape [10, 256] from checkpoint, the "
                       "shape in current model is [5, 256]."),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("HINT: build the model the weights come from"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/y.safetensors"));
}

// Many published safetensors files are torchvision state_dicts saved without num_batches_tracked; PyTorch's
// load_state_dict(strict=True) fills the missing counters with 0, and so does cnnkit. Expected: torchvision's
// resnet18 output for formula weights (tests/fixtures/gen_zoo.py).
TEST(CliRun, TorchvisionResnet18WithoutBatchCountsGivesTorchvisionsOutput) {
  const std::string dir = temp_dir();
  ModulePtr model = models::create("resnet18", {.num_classes = 10});
  test::fill_formula(*model);
  StateDict without;
  for (const auto& [name, t] : model->state_dict())
    if (!name.ends_with("num_batches_tracked")) without.insert(name, t);
  ASSERT_EQ(model->state_dict().size() - without.size(), 20u);  // 20 batch-norm layers
  save_safetensors(dir + "/w.safetensors", without);
  save_safetensors(dir + "/x.safetensors", {{"input", test::formula_input({1, 3, 32, 32})}});
  const Result r = cnn_cli(fmt::format("run --model resnet18 --num-classes 10 --weights {0}/w.safetensors --input "
                                       "{0}/x.safetensors --output {0}/y.safetensors",
                                       dir));
  ASSERT_EQ(r.code, 0) << r.err;
  const Tensor expected = test::fixture("zoo", "parity_resnet18", "output");
  EXPECT_LE(test::max_relative_diff(*load_safetensors(dir + "/y.safetensors").find("output"), expected), 1e-4);
}

TEST(CliRun, InputErrorsNameTheFileAndKeys) {
  const std::string dir = temp_dir();
  save_state_dict(*models::create("simplecnn_cifar"), dir + "/w.safetensors");
  save_safetensors(dir + "/x.safetensors", {{"images", zeros({1, 3, 32, 32})}});
  const std::string args = fmt::format("run --model simplecnn_cifar --weights {0}/w.safetensors --input "
                                       "{0}/x.safetensors --output {0}/y.safetensors",
                                       dir);
  Result r = cnn_cli(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("has no tensor named \"input\" (it has: images)"), std::string::npos) << r.err;
  save_safetensors(dir + "/x.safetensors", {{"input", zeros({1, 1, 32, 32})}});
  r = cnn_cli(args);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn: error: conv1 (Conv2d): "), std::string::npos) << r.err;
  r = cnn_cli("run --model simplecnn_cifar --weights /nonexistent.safetensors --input x --output y");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("/nonexistent.safetensors"), std::string::npos) << r.err;
}

TEST(CliRun, HelpListsTheFlags) {
  const Result r = cnn_cli("run --help");
  EXPECT_EQ(r.code, 0) << r.err;
  for (const char* flag : {"--model", "--weights", "--input", "--output", "--num-classes", "--in-chans",
                           "--width-mult", "--aux-logits", "--cifar-stem", "--backend"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
}

}  // namespace

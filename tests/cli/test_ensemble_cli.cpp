// cnn ensemble RUN RUN as users run it: two tiny simplecnn runs trained here (different seeds); each member's
// printed accuracy equals cnn eval's, the ensemble's equals the one computed here from the two models' averaged
// softmax, --output writes the same numbers, and a run of another dataset is refused by name.
#include <cnn/run_spec.h>
#include <cnn/train.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "noisy_mnist.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = test::CommandResult;

// The "top-1 XX.XX%" that follows `prefix` in `text` (empty when absent).
std::string top1_after(const std::string& text, const std::string& prefix) {
  const size_t at = text.find(prefix);
  if (at == std::string::npos) return "";
  std::smatch m;
  const std::string rest = text.substr(at);
  return std::regex_search(rest, m, std::regex(R"(top-1 [0-9.]+%)")) ? m.str() : "";
}

// Correct top-1 predictions of the mean softmax of `runs` over the test split, computed without the CLI.
int64_t ensemble_correct(const std::vector<std::string>& runs, int64_t* images) {
  std::vector<ModulePtr> models;
  for (const std::string& run : runs) models.push_back(RunSpec::load(run).load_model());
  DataLoader loader(RunSpec::load(runs.front()).open_eval().test, {.batch_size = 64, .seed = 0, .num_workers = 0});
  NoGradGuard no_grad;
  int64_t correct = 0;
  *images = 0;
  for (const Batch& b : loader) {
    const Tensor mean = div(add(softmax((*models[0])(b.images), 1), softmax((*models[1])(b.images), 1)), 2.0);
    const std::vector<int64_t> predicted = argmax(mean, 1).to_vector<int64_t>(), labels = b.labels.to_vector<int64_t>();
    for (size_t i = 0; i < labels.size(); ++i) correct += predicted[i] == labels[i];
    *images += static_cast<int64_t>(labels.size());
  }
  return correct;
}

TEST(EnsembleCli, MembersMatchEvalAndTheEnsembleIsTheMeanSoftmax) {
  const std::string dir = test::temp_dir("ensemble_cli");
  test::write_noisy_mnist(dir, 300, 200);
  std::vector<std::string> runs;
  for (int seed : {1, 2}) {
    runs.push_back(fmt::format("{}/run{}", dir, seed));
    const Result r = test::run_cnn(fmt::format("train --data-dir {} --output {} --epochs 1 -b 32 --seed {} --threads 2 "
                                               "--workers 1 --no-report -q",
                                               dir, runs.back(), seed));
    ASSERT_EQ(r.code, 0) << r.out << r.err;
  }
  const Result r =
      test::run_cnn(fmt::format("ensemble {} {} --threads 2 --output {}/ensemble.json", runs[0], runs[1], dir));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("cnn ensemble: 2 runs on mnist test (200 images, 10 classes)"), std::string::npos) << r.out;
  for (const std::string& run : runs) {
    const Result eval = test::run_cnn(fmt::format("eval {} --threads 2", run));
    ASSERT_EQ(eval.code, 0) << eval.out << eval.err;
    const std::string expected = top1_after(eval.out, "loss ");
    ASSERT_FALSE(expected.empty()) << eval.out;
    EXPECT_EQ(top1_after(r.out, "  " + run + ": simplecnn"), expected) << r.out << eval.out;
  }

  int64_t images = 0;
  const int64_t correct = ensemble_correct(runs, &images);
  ASSERT_EQ(images, 200);
  EXPECT_EQ(top1_after(r.out, "ensemble: loss"), fmt::format("top-1 {:.2f}%", 100.0 * double(correct) / 200.0))
      << r.out;
  const nlohmann::json j = nlohmann::json::parse(test::slurp(dir + "/ensemble.json"));
  EXPECT_EQ(j["images"], 200);
  EXPECT_DOUBLE_EQ(j["ensemble"]["top1"].get<double>(), double(correct) / 200.0);
  ASSERT_EQ(j["members"].size(), 2u);
  EXPECT_EQ(j["members"][1]["run"], runs[1]);

  const Result limited = test::run_cnn(fmt::format("ensemble {} {} --limit 50 --threads 2", runs[0], runs[1]));
  ASSERT_EQ(limited.code, 0) << limited.out << limited.err;
  EXPECT_NE(limited.out.find("(50 images, 10 classes)"), std::string::npos) << limited.out;

  // A third run said to be of another dataset: refused, naming it.
  const std::string other = dir + "/other";
  fs::copy(runs[0], other);
  nlohmann::json config = nlohmann::json::parse(test::slurp(other + "/config.json"));
  config["dataset"] = "fashion-mnist";
  std::ofstream(other + "/config.json") << config.dump(2);
  const Result refused = test::run_cnn(fmt::format("ensemble {} {} {}", runs[0], runs[1], other));
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("ensemble: " + other + " was trained on fashion-mnist"), std::string::npos)
      << refused.err;
  const Result one = test::run_cnn(fmt::format("ensemble {}", runs[0]));
  EXPECT_EQ(one.code, 1);
  EXPECT_NE(one.err.find("pass at least two run folders"), std::string::npos) << one.err;
}

}  // namespace

// End to end: simplecnn trained for a few hundred steps on a slice of real MNIST reaches a set test accuracy,
// with the oneDNN backend and (fewer steps, it is slow) the reference backend. Not the CLI (tests/cli/).
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/optim.h>
#include <cnn/random.h>
#include <cnn/train.h>

#include "test_util.h"

using namespace cnn;

namespace {

struct Recipe {
  std::string backend;
  int64_t steps, batch_size, test_samples;
  double min_accuracy;
};

void train_and_check(const Recipe& r) {
  const std::string dir = test::mnist_dir();
  if (dir.empty()) GTEST_SKIP() << "no MNIST in ../shared/data/mnist";
  BackendGuard backend(r.backend);
  manual_seed(0);
  auto train = std::make_shared<SubsetDataset>(load_dataset("mnist", dir, true), r.steps * r.batch_size);
  auto test = std::make_shared<SubsetDataset>(load_dataset("mnist", dir, false), r.test_samples);
  DataLoader train_loader(train, {.batch_size = r.batch_size, .shuffle = true, .seed = 0});
  DataLoader test_loader(test, {.batch_size = 250});
  auto model = models::simplecnn();
  Adam optimizer(model->parameters(), {.lr = 1e-3});

  const EvalResult fit = train_one_epoch(*model, train_loader, optimizer);
  const EvalResult eval = evaluate(*model, test_loader);
  EXPECT_EQ(fit.samples, r.steps * r.batch_size);
  EXPECT_EQ(eval.samples, r.test_samples);
  EXPECT_GE(eval.accuracy, r.min_accuracy) << r.backend << ": test loss " << eval.loss;
  std::printf(
      "[ %s ] %lld steps of %lld: train loss %.4f acc %.2f%% (%.0f img/s) | test loss %.4f acc %.2f%% on %lld\n",
      r.backend.c_str(), static_cast<long long>(r.steps), static_cast<long long>(r.batch_size), fit.loss,
      100 * fit.accuracy, double(fit.samples) / fit.seconds, eval.loss, 100 * eval.accuracy,
      static_cast<long long>(eval.samples));
}

}  // namespace

TEST(EndToEnd, SimpleCnnLearnsMnistWithOneDnn) {
  train_and_check({.backend = "onednn", .steps = 300, .batch_size = 64, .test_samples = 2000, .min_accuracy = 0.95});
}

TEST(EndToEnd, SimpleCnnLearnsMnistWithTheReferenceBackend) {
  train_and_check({.backend = "ref", .steps = 150, .batch_size = 32, .test_samples = 1000, .min_accuracy = 0.90});
}

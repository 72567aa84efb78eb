// Concurrent inference: one eval-mode model called from many threads at once computes exactly what it computes
// on one thread (the bare Module under NoGradGuard, on both backends).
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace cnn {
namespace {

// Calls model on inputs[t % inputs.size()] from `threads` threads, `calls` times each, each thread under its own
// NoGradGuard; counts the results that differ from the single-threaded ones.
int count_mismatches(Module& model, const std::vector<Tensor>& inputs, int threads, int calls) {
  std::vector<Tensor> expected;
  {
    NoGradGuard no_grad;
    for (const Tensor& x : inputs) expected.push_back(model(x).contiguous());
  }
  std::vector<int> wrong(static_cast<size_t>(threads), 0);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      NoGradGuard no_grad;
      for (int i = 0; i < calls; ++i) {
        const size_t k = static_cast<size_t>(t + i) % inputs.size();
        const Tensor y = model(inputs[k]).contiguous();
        if (!test::allclose(y, expected[k], 0, 0)) ++wrong[static_cast<size_t>(t)];
      }
    });
  }
  for (std::thread& th : pool) th.join();
  int total = 0;
  for (int w : wrong) total += w;
  return total;
}

std::vector<Tensor> batches(const Shape& one, int count) {
  manual_seed(7);
  std::vector<Tensor> xs;
  for (int i = 0; i < count; ++i) xs.push_back(test::uniform(one));
  return xs;
}

TEST(ConcurrentForward, ResNet18CifarOnOneDnnMatchesSingleThread) {
  manual_seed(0);
  ModulePtr model = models::create("resnet18_cifar", {.num_classes = 10});
  model->eval();
  EXPECT_EQ(count_mismatches(*model, batches({2, 3, 32, 32}, 3), 4, 5), 0);
}

TEST(ConcurrentForward, SimpleCnnWithBatchNormOnBothBackends) {
  for (const char* name : {"onednn", "ref"}) {
    BackendGuard backend(name);
    manual_seed(1);
    ModulePtr model = models::create("mobilenet_v2", {.num_classes = 10, .width_mult = 0.25});
    model->eval();
    EXPECT_EQ(count_mismatches(*model, batches({1, 3, 32, 32}, 4), 8, 6), 0) << name;
  }
}

}  // namespace
}  // namespace cnn

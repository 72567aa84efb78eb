// The oneDNN backend's counters in a real training step: once warm, a channels-last ResNet copies no
// activation into another layout (forward and backward), builds no primitive (every convolution, batch norm,
// eltwise and pooling primitive comes from the cache), and reorders only weights, once per convolution and
// direction. The reference backend counts nothing.
#include <cnn/cnn.h>
#include <cnn/models_zoo.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

struct Step {
  ModulePtr model;
  SGD opt;
  Tensor x, y;

  explicit Step(ModulePtr m, const Tensor& input, int64_t classes)
      : model(std::move(m)), opt(model->parameters(), {.lr = 0.01, .momentum = 0.9}), x(input),
        y(randint(0, classes, {input.size(0)})) {}

  void run(Amp amp = Amp::none) {
    opt.zero_grad();
    Tensor loss;
    {
      AutocastGuard autocast(DType::bf16, amp == Amp::bf16);
      loss = cross_entropy((*model)(x), y);
    }
    loss.backward();
    opt.step();
  }
};

int64_t count_convs(const Module& m) {
  int64_t n = 0;
  for (const auto& [name, child] : m.named_modules())
    if (dynamic_cast<const Conv2d*>(child) != nullptr) ++n;
  return n;
}

TEST(BackendCounters, WarmChannelsLastTrainingStepReordersNoActivationAndBuildsNoPrimitive) {
  BackendGuard onednn("onednn");
  manual_seed(3);
  Step step(models::resnet18_cifar(), randn({4, 3, 16, 16}).contiguous(MemoryFormat::channels_last), 10);
  step.model->train();
  step.run();
  const BackendCounters cold = backend().counters();
  EXPECT_GT(cold.primitives_created, 0);
  backend().reset_counters();
  step.run();
  const BackendCounters warm = backend().counters();
  EXPECT_EQ(warm.activation_reorders, 0);
  EXPECT_EQ(warm.primitives_created, 0);
  EXPECT_GT(warm.primitives_reused, 0);
  // Forward and backward-data reorder each convolution's OIHW weights into the kernel's layout, backward-weights
  // reorders the gradient back: at most three per convolution (none where oneDNN takes OIHW as it is).
  const int64_t convs = count_convs(*step.model);
  EXPECT_EQ(convs, 20);
  EXPECT_LE(warm.weight_reorders, 3 * convs);
}

TEST(BackendCounters, NchwInputIsCopiedOnceForForwardAndOnceForWeightGradients) {
  BackendGuard onednn("onednn");
  manual_seed(4);
  Step step(models::resnet18_cifar(), randn({2, 3, 8, 8}), 10);
  step.run();
  backend().reset_counters();
  step.run();
  // conv1 reads the NCHW batch in forward and again for its weight gradient; every later layer is channels-last.
  EXPECT_EQ(backend().counters().activation_reorders, 2);
}

TEST(BackendCounters, Bf16StepBuildsNoPrimitiveOnceWarm) {
  BackendGuard onednn("onednn");
  if (!backend().supports_bf16()) GTEST_SKIP() << "no native bf16 on this CPU (" << cpu_isa_name() << ")";
  manual_seed(5);
  Step step(models::resnet18_cifar(), randn({4, 3, 16, 16}).contiguous(MemoryFormat::channels_last), 10);
  step.run(Amp::bf16);
  backend().reset_counters();
  step.run(Amp::bf16);
  EXPECT_EQ(backend().counters().activation_reorders, 0);
  EXPECT_EQ(backend().counters().primitives_created, 0);
}

TEST(BackendCounters, ChangingTheThreadCountRebuildsPrimitives) {
  BackendGuard onednn("onednn");
  manual_seed(6);
  const int threads = get_num_threads();
  Step step(models::resnet18_cifar(), randn({2, 3, 8, 8}).contiguous(MemoryFormat::channels_last), 10);
  step.run();
  set_num_threads(threads == 1 ? 2 : 1);
  backend().reset_counters();
  step.run();
  EXPECT_GT(backend().counters().primitives_created, 0);
  set_num_threads(threads);
}

TEST(BackendCounters, ReferenceCountsNothing) {
  BackendGuard ref("ref");
  manual_seed(7);
  Step step(models::resnet18_cifar(), randn({2, 3, 8, 8}), 10);
  step.run();
  const BackendCounters c = backend().counters();
  EXPECT_EQ(c.primitives_created + c.primitives_reused + c.activation_reorders + c.weight_reorders, 0);
}

}  // namespace
}  // namespace cnn

// Data parallelism on one process (a world of one, as every test but tests/cli/test_distributed_cli.cpp sees it):
// DistributedDataParallel leaves the gradients of a plain backward, its buckets follow DDP's sizes in reverse
// parameter order and start during backward, the engine calls a leaf's hooks as soon as its gradient is complete,
// and shards split an epoch as DistributedSampler does.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/ddp.h>
#include <cnn/distributed.h>
#include <cnn/models_zoo.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

TEST(Distributed, AloneIsAWorldOfOneWhoseCollectivesAreTheIdentity) {
  EXPECT_FALSE(distributed::init());
  EXPECT_EQ(distributed::world_size(), 1);
  EXPECT_EQ(distributed::rank(), 0);
  EXPECT_TRUE(distributed::is_main());
  Tensor t = from_vector(std::vector<float>{1, 2, 3}, {3});
  distributed::all_reduce_sum(t);
  distributed::broadcast(t);
  EXPECT_ALLCLOSE(t, from_vector(std::vector<float>{1, 2, 3}, {3}), 0, 0);
  EXPECT_EQ(distributed::all_gather("x"), std::vector<std::string>{"x"});
  distributed::check_same("anything", "settings");
  EXPECT_EQ(test::error_message([] {
              Tensor s = from_vector(std::vector<float>{1, 2, 3, 4}, {2, 2}).transpose(0, 1);
              distributed::all_reduce_sum(s);
            }),
            "distributed: all_reduce needs a contiguous tensor, got shape [2, 2] with strides [1, 2]");
}

TEST(Distributed, ShardsSplitAnEpochAsDistributedSampler) {
  const std::vector<int64_t> order{7, 3, 9, 1, 4};
  // Training: padded with the first indices to 6, every second index from the rank.
  EXPECT_EQ(distributed::shard(order, 0, 2), (std::vector<int64_t>{7, 9, 4}));
  EXPECT_EQ(distributed::shard(order, 1, 2), (std::vector<int64_t>{3, 1, 7}));
  EXPECT_EQ(distributed::shard(order, 1, 2, true, true), (std::vector<int64_t>{3, 1}));
  // Evaluation: each index exactly once.
  EXPECT_EQ(distributed::shard(order, 0, 2, false), (std::vector<int64_t>{7, 9, 4}));
  EXPECT_EQ(distributed::shard(order, 1, 2, false), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(distributed::shard(order, 2, 3, false), (std::vector<int64_t>{9}));
  EXPECT_EQ(test::error_message([&] { distributed::shard(order, 2, 2); }),
            "distributed: shard: expected 0 <= rank < world, got rank 2 of 2");
}

// Ten samples whose images are never read: the shards come from the order alone.
class Ten : public Dataset {
 public:
  int64_t size() const override { return 10; }
  int64_t get_into(int64_t i, Image&, SampleRng&) const override { return i; }
};

TEST(Distributed, ShardedLoadersCoverTheEpochWithEqualSteps) {
  auto data = std::make_shared<Ten>();
  std::vector<int64_t> seen;
  for (int64_t rank = 0; rank < 3; ++rank) {
    DataLoader loader(data, {.batch_size = 2, .shuffle = true, .seed = 4, .num_replicas = 3, .rank = rank});
    EXPECT_EQ(loader.samples_per_epoch(), 4);
    EXPECT_EQ(loader.size(), 2);
    const std::vector<int64_t> mine = loader.order(1);
    EXPECT_EQ(mine.size(), 4u);
    seen.insert(seen.end(), mine.begin(), mine.end());
  }
  ASSERT_EQ(seen.size(), 12u);  // 10 samples padded to 12: all of them, two twice
  for (int64_t i = 0; i < 10; ++i) EXPECT_NE(std::find(seen.begin(), seen.end(), i), seen.end()) << i;
  DataLoader eval(data, {.batch_size = 4, .num_replicas = 3, .rank = 2, .pad_shards = false});
  EXPECT_EQ(eval.samples_per_epoch(), 3);
  EXPECT_EQ(eval.size(), 1);
  EXPECT_EQ(eval.order(0), (std::vector<int64_t>{2, 5, 8}));
  DataLoader dropped(data, {.batch_size = 2, .num_replicas = 3, .rank = 0, .shard_drop_last = true});
  EXPECT_EQ(dropped.samples_per_epoch(), 3);
  EXPECT_EQ(dropped.order(0), (std::vector<int64_t>{0, 3, 6}));  // 9 of 10 kept: index 9 dropped
  EXPECT_EQ(test::error_message([&] { DataLoader(data, {.num_replicas = 2, .rank = 2}); }),
            "DataLoader: expected 0 <= rank < num_replicas, got rank 2 of num_replicas 2");
}

TEST(DistributedDataParallel, LeavesThePlainGradientsAndBucketsInReverseParameterOrder) {
  manual_seed(8);
  ModulePtr model = models::resnet18_cifar();
  ModulePtr twin = models::resnet18_cifar();
  twin->load_state_dict(model->state_dict());
  auto ddp = std::make_shared<DistributedDataParallel>(model);
  EXPECT_EQ(ddp->state_dict().begin()->first, "module.conv1.weight");
  const Tensor x = randn({2, 3, 8, 8}), y = from_vector(std::vector<int64_t>{1, 7}, {2});
  cross_entropy((*ddp)(x), y).backward();
  cross_entropy((*twin)(x), y).backward();
  const auto a = model->named_parameters(), b = twin->named_parameters();
  for (const auto& [name, p] : a) EXPECT_ALLCLOSE(p.grad(), b[name].grad(), 0, 0) << name;
  // ResNet-18's 44.7 MB of gradients: the first bucket about 1 MB (the head and layer4's last tensors), then
  // buckets of about 25 MB.
  const std::vector<int64_t> bytes = ddp->bucket_bytes();
  int64_t total = 0;
  for (int64_t n : bytes) total += n;
  EXPECT_EQ(total, model->num_parameters() * 4);
  ASSERT_GE(bytes.size(), 3u);
  EXPECT_GE(bytes[0], 1 << 20);
  EXPECT_LT(bytes[0], 11 << 20);
  EXPECT_GE(bytes[1], 25 << 20);
  // Every bucket but the one holding conv1 (the last gradient) starts before backward has ended.
  EXPECT_GE(ddp->buckets_started_during_backward(), static_cast<int64_t>(bytes.size()));
}

TEST(DistributedDataParallel, RefusesBadBucketSizes) {
  EXPECT_EQ(test::error_message([] { DistributedDataParallel(models::simplecnn(), {.bucket_cap_mb = 0}); }),
            "DistributedDataParallel: expected positive bucket sizes, got bucket_cap_mb=0 first_bucket_mb=1");
}

TEST(SyncBatchNorm, OnOneProcessEqualsBatchNormInValuesGradientsAndRunningStatistics) {
  BackendGuard ref("ref");
  manual_seed(9);
  BatchNorm2d plain(3), synced(3);
  {
    NoGradGuard no_grad;
    plain.weight.copy_(test::uniform({3}) + 1.0);
    plain.bias.copy_(test::uniform({3}));
    synced.load_state_dict(plain.state_dict());
  }
  EXPECT_EQ(convert_sync_batchnorm(synced), 1);
  EXPECT_TRUE(synced.sync());
  const Tensor x = randn({4, 3, 5, 2}, 1.0, 2.0).contiguous(MemoryFormat::channels_last);
  const Tensor g = randn({4, 3, 5, 2});
  const Tensor xa = x.detach().clone().requires_grad_(), xb = x.detach().clone().requires_grad_();
  const Tensor ya = plain(xa), yb = synced(xb);
  EXPECT_ALLCLOSE(yb, ya, 1e-5, 1e-5);
  sum(ya * g).backward();
  sum(yb * g).backward();
  EXPECT_ALLCLOSE(xb.grad(), xa.grad(), 1e-4, 1e-5);
  EXPECT_ALLCLOSE(synced.weight.grad(), plain.weight.grad(), 1e-4, 1e-5);
  EXPECT_ALLCLOSE(synced.bias.grad(), plain.bias.grad(), 1e-4, 1e-5);
  EXPECT_ALLCLOSE(synced.running_mean, plain.running_mean, 1e-5, 1e-6);
  EXPECT_ALLCLOSE(synced.running_var, plain.running_var, 1e-5, 1e-6);
  // Eval mode uses the running statistics: the ordinary path.
  synced.eval();
  plain.eval();
  EXPECT_ALLCLOSE(synced(x), plain(x), 1e-5, 1e-6);
}

TEST(SyncBatchNorm, GradientMatchesFiniteDifferences) {
  manual_seed(10);
  BatchNorm1d bn(2);
  bn.set_sync(true);
  const Tensor x = randn({5, 2, 3}).requires_grad_();
  EXPECT_TRUE(test::gradcheck([&bn](const auto& t) { return bn(t[0]); }, {x}));
}

TEST(Engine, LeafHooksFireAsSoonAsTheirGradientIsCompleteAndCallbacksAfterTheWholePass) {
  const Tensor w1 = full({3}, 2.0).requires_grad_(), w2 = full({3}, 3.0).requires_grad_();
  const Tensor x = from_vector(std::vector<float>{1, 2, 3}, {3});
  std::vector<std::string> events;
  w1.register_hook([&](const Tensor&) { events.push_back("w1"); return Tensor(); });
  w2.register_hook([&](const Tensor&) {
    events.push_back("w2");
    queue_callback([&] { events.push_back(w1.grad().defined() ? "end (w1 stored)" : "end (w1 missing)"); });
    return Tensor();
  });
  const Tensor h = x * w1;
  h.register_hook([&](const Tensor&) { events.push_back("h"); return Tensor(); });
  sum(h * w2).backward();
  // w2's gradient is complete after the last op: its hook fires before h's node passes the gradient on to w1.
  EXPECT_EQ(events, (std::vector<std::string>{"w2", "h", "w1", "end (w1 stored)"}));
  EXPECT_ALLCLOSE(w1.grad(), from_vector(std::vector<float>{3, 6, 9}, {3}), 0, 0);
}

}  // namespace
}  // namespace cnn

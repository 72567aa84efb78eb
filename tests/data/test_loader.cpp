// DataLoader: batching, drop_last, seeded per-epoch shuffling, every index once per epoch, prefetching,
// errors from the worker and early exits. Not the file readers (test_idx.cpp).
#include <cnn/data.h>
#include <cnn/random.h>

#include <atomic>
#include <chrono>
#include <numeric>
#include <set>
#include <thread>

#include "test_util.h"

using namespace cnn;

namespace {

// Sample i is an image [1, 2, 2] filled with i, labelled i; counts the samples built, can fail at one index.
class CountingDataset : public Dataset {
 public:
  explicit CountingDataset(int64_t n, int64_t fail_at = -1) : n_(n), fail_at_(fail_at) {}
  int64_t size() const override { return n_; }
  int64_t get_into(int64_t i, Image& out, SampleRng&) const override {
    CNN_CHECK(i != fail_at_, "CountingDataset: sample {} is broken", i);
    out.reset_values(1, 2, 2);
    std::fill(out.values.begin(), out.values.end(), static_cast<float>(i));
    ++built;
    return i;
  }
  mutable std::atomic<int64_t> built{0};

 private:
  int64_t n_, fail_at_;
};

// The labels of one epoch, in order, checking that each image matches its label.
std::vector<int64_t> epoch_labels(DataLoader& loader) {
  std::vector<int64_t> out;
  for (const Batch& b : loader) {
    const std::vector<int64_t> labels = b.labels.to_vector<int64_t>();
    const std::vector<float> images = b.images.to_vector<float>();
    for (size_t k = 0; k < labels.size(); ++k) {
      EXPECT_EQ(images[4 * k], float(labels[k]));
      out.push_back(labels[k]);
    }
  }
  return out;
}

}  // namespace

TEST(DataLoader, BatchesInOrderWithAPartialLastBatch) {
  DataLoader loader(std::make_shared<CountingDataset>(10), {.batch_size = 4});
  EXPECT_EQ(loader.size(), 3);
  std::vector<Shape> shapes;
  for (const Batch& b : loader) {
    shapes.push_back(b.images.shape());
    EXPECT_EQ(b.labels.dtype(), DType::i64);
    EXPECT_EQ(b.labels.shape(), (Shape{b.images.size(0)}));
  }
  EXPECT_EQ(shapes, (std::vector<Shape>{{4, 1, 2, 2}, {4, 1, 2, 2}, {2, 1, 2, 2}}));
  loader.set_epoch(0);
  EXPECT_EQ(epoch_labels(loader), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(DataLoader, DropLastDropsThePartialBatch) {
  DataLoader loader(std::make_shared<CountingDataset>(10), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(loader.size(), 2);
  EXPECT_EQ(epoch_labels(loader).size(), 8u);
  DataLoader exact(std::make_shared<CountingDataset>(8), {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(exact.size(), 2);
}

TEST(DataLoader, ShuffleVisitsEveryIndexOncePerEpoch) {
  DataLoader loader(std::make_shared<CountingDataset>(103), {.batch_size = 8, .shuffle = true, .seed = 7});
  std::vector<std::vector<int64_t>> epochs;
  for (int e = 0; e < 3; ++e) {
    epochs.push_back(epoch_labels(loader));
    std::set<int64_t> seen(epochs.back().begin(), epochs.back().end());
    EXPECT_EQ(seen.size(), 103u);
    EXPECT_EQ(*seen.begin(), 0);
    EXPECT_EQ(*seen.rbegin(), 102);
  }
  EXPECT_NE(epochs[0], epochs[1]);
  EXPECT_NE(epochs[1], epochs[2]);
  std::vector<int64_t> identity(103);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_NE(epochs[0], identity);
}

TEST(DataLoader, ShuffleIsDeterministicFromSeedAndEpoch) {
  auto data = std::make_shared<CountingDataset>(50);
  DataLoader a(data, {.batch_size = 5, .shuffle = true, .seed = 42});
  DataLoader b(data, {.batch_size = 5, .shuffle = true, .seed = 42, .prefetch = 0});
  DataLoader c(data, {.batch_size = 5, .shuffle = true, .seed = 43});
  const auto a0 = epoch_labels(a), a1 = epoch_labels(a);
  EXPECT_EQ(a0, epoch_labels(b));
  EXPECT_EQ(a1, epoch_labels(b));
  EXPECT_NE(a0, epoch_labels(c));
  b.set_epoch(1);
  EXPECT_EQ(a1, epoch_labels(b));
  EXPECT_EQ(a.order(1), a1);
  // Without a seed, the order comes from the global generator: manual_seed makes it repeatable.
  manual_seed(3);
  DataLoader d(data, {.batch_size = 5, .shuffle = true});
  manual_seed(3);
  DataLoader e(data, {.batch_size = 5, .shuffle = true});
  EXPECT_EQ(epoch_labels(d), epoch_labels(e));
}

TEST(DataLoader, PrefetchBuildsTheNextBatchesAhead) {
  auto data = std::make_shared<CountingDataset>(100);
  DataLoader loader(data, {.batch_size = 10, .prefetch = 2});
  auto it = loader.begin();
  // The caller holds batch 0; the worker fills the queue with batches 1 and 2 meanwhile.
  for (int tries = 0; tries < 200 && data->built < 30; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(data->built, 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(data->built, 30) << "the worker must not run further ahead than `prefetch` batches";
  EXPECT_EQ(it->labels.to_vector<int64_t>()[0], 0);
  ++it;
  EXPECT_EQ(it->labels.to_vector<int64_t>()[0], 10);
}

TEST(DataLoader, WithoutPrefetchBuildsOnDemand) {
  auto data = std::make_shared<CountingDataset>(100);
  DataLoader loader(data, {.batch_size = 10, .prefetch = 0});
  auto it = loader.begin();
  EXPECT_EQ(data->built, 10);
  ++it;
  EXPECT_EQ(data->built, 20);
}

TEST(DataLoader, LeavingAnEpochEarlyStopsTheWorker) {
  auto data = std::make_shared<CountingDataset>(1000);
  DataLoader loader(data, {.batch_size = 10});
  for (const Batch& b : loader)
    if (b.labels.to_vector<int64_t>()[0] >= 20) break;
  EXPECT_LE(data->built, 60);
  EXPECT_EQ(epoch_labels(loader).size(), 1000u);
}

TEST(DataLoader, WorkerErrorsReachTheCaller) {
  DataLoader loader(std::make_shared<CountingDataset>(40, 25), {.batch_size = 10});
  int batches = 0;
  try {
    for (const Batch& b : loader) batches += b.images.defined() ? 1 : 0;
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("sample 25 is broken"), std::string::npos) << e.what();
  }
  EXPECT_EQ(batches, 2);
}

TEST(DataLoader, RejectsBadOptions) {
  auto data = std::make_shared<CountingDataset>(4);
  EXPECT_THROW(DataLoader(data, {.batch_size = 0}), Error);
  EXPECT_THROW(DataLoader(nullptr, {.batch_size = 1}), Error);
}

TEST(DataLoader, SubsetTakesTheFirstSamples) {
  auto data = std::make_shared<CountingDataset>(10);
  auto subset = std::make_shared<SubsetDataset>(data, 4);
  DataLoader loader(subset, {.batch_size = 3});
  EXPECT_EQ(epoch_labels(loader), (std::vector<int64_t>{0, 1, 2, 3}));
  EXPECT_EQ(SubsetDataset(data, 50).size(), 10);
}

// DataLoader with worker threads: bit-identical batches for 0/1/2/4 workers, no allocation per batch in steady
// state (counted through operator new) with recycled buffers, held batches left alone, clean shutdown of an
// abandoned epoch, and worker errors reaching the caller in order. Basic batching is in test_loader.cpp.
#include <cnn/data.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>
#include <set>

#include "test_util.h"

namespace {
std::atomic<int64_t> g_allocations{0};
}  // namespace

// Every operator new in the process is counted (the library's too: replacement is process-wide). GCC sees the
// replaced new and delete inlined as malloc/free pairs and would warn about the pairing it cannot know is ours.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

using namespace cnn;
namespace T = cnn::transforms;

namespace {

// n CIFAR-shaped byte images made from their index; sample `fail_at` throws; `odd_at` has another size.
class SyntheticImages : public Dataset {
 public:
  explicit SyntheticImages(int64_t n, int64_t fail_at = -1, int64_t odd_at = -1)
      : n_(n), fail_at_(fail_at), odd_at_(odd_at) {}
  int64_t size() const override { return n_; }
  int64_t get_into(int64_t i, Image& out, SampleRng&) const override {
    CNN_CHECK(i != fail_at_, "SyntheticImages: sample {} is unreadable", i);
    ++built;
    const int64_t side = i == odd_at_ ? 30 : 32;
    out.reset_bytes(side, side, 3);
    for (size_t k = 0; k < out.bytes.size(); ++k) out.bytes[k] = static_cast<uint8_t>((k * 7 + size_t(i) * 13) % 251);
    return i % 10;
  }
  mutable std::atomic<int64_t> built{0};

 private:
  int64_t n_, fail_at_, odd_at_;
};

std::shared_ptr<Dataset> augmented(std::shared_ptr<const Dataset> base) {
  return std::make_shared<TransformedDataset>(
      std::move(base),
      T::compose(T::RandomCrop(32, {.padding = {4}, .padding_mode = T::PaddingMode::reflect}),
                 T::RandomHorizontalFlip(), T::ColorJitter({.brightness = 0.3, .hue = 0.05}), T::ToTensor(),
                 T::Normalize({0.5f, 0.5f, 0.5f}, {0.25f, 0.25f, 0.25f}), T::RandomErasing({.p = 0.5})));
}

// Every value of two epochs, batch after batch.
std::vector<float> two_epochs(DataLoader& loader) {
  std::vector<float> all;
  for (int e = 0; e < 2; ++e)
    for (const Batch& b : loader) {
      const std::vector<float> images = b.images.to_vector<float>();
      all.insert(all.end(), images.begin(), images.end());
      for (int64_t label : b.labels.to_vector<int64_t>()) all.push_back(float(label));
    }
  return all;
}

}  // namespace

TEST(LoaderWorkers, BatchesDoNotDependOnTheNumberOfWorkers) {
  auto data = augmented(std::make_shared<SyntheticImages>(203));
  std::vector<float> reference;
  for (int64_t workers : {0, 1, 2, 4}) {
    DataLoader loader(data, {.batch_size = 16, .shuffle = true, .seed = 5, .num_workers = workers, .prefetch = 3});
    const std::vector<float> got = two_epochs(loader);
    if (reference.empty()) {
      reference = got;
      continue;
    }
    ASSERT_EQ(got.size(), reference.size()) << workers << " workers";
    EXPECT_TRUE(got == reference) << workers << " workers give different batches";
  }
  DataLoader other_seed(data, {.batch_size = 16, .shuffle = true, .seed = 6, .num_workers = 2});
  EXPECT_FALSE(two_epochs(other_seed) == reference);
}

TEST(LoaderWorkers, SteadyStateAllocatesNothingAndRecyclesBuffers) {
  auto data = augmented(std::make_shared<SyntheticImages>(64 * 40));
  DataLoader loader(data, {.batch_size = 64, .shuffle = true, .seed = 1, .num_workers = 2, .prefetch = 2});
  std::vector<const float*> addresses;
  addresses.reserve(64);  // the test itself must not allocate inside the loop
  int64_t step = 0, allocations = 0;
  for (const Batch& b : loader) {
    if (step == 8) allocations = g_allocations.load();  // workers and buffers are warm by now
    if (step >= 8 && step < 36) addresses.push_back(b.images.data<float>());
    if (step == 36) allocations = g_allocations.load() - allocations;
    ++step;
  }
  EXPECT_EQ(step, 40);
  EXPECT_EQ(allocations, 0) << "operator new calls during 28 steady-state batches";
  EXPECT_LE(std::set<const float*>(addresses.begin(), addresses.end()).size(), 3u)
      << "a ring of prefetch + 1 = 3 buffers";
}

TEST(LoaderWorkers, AHeldBatchIsNotOverwritten) {
  auto data = std::make_shared<SyntheticImages>(100);
  DataLoader loader(data, {.batch_size = 10, .num_workers = 2, .prefetch = 1});
  Tensor first;
  std::vector<float> expected;
  for (const Batch& b : loader) {
    if (!first.defined()) {
      first = b.images;
      expected = first.to_vector<float>();
    }
  }
  EXPECT_EQ(first.to_vector<float>(), expected);
}

TEST(LoaderWorkers, AbandonedEpochStopsItsWorkers) {
  auto data = std::make_shared<SyntheticImages>(100000);
  DataLoader loader(data, {.batch_size = 32, .num_workers = 4, .prefetch = 4});
  const auto start = std::chrono::steady_clock::now();
  int batches = 0;
  for (const Batch& b : loader) {
    if (++batches == 3 || !b.images.defined()) break;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_LT(seconds, 2.0);
  EXPECT_LE(data->built.load(), 32 * (3 + 4 + 1)) << "workers stop after the ring is full, and at the break";
  const int64_t built = data->built.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  EXPECT_EQ(data->built.load(), built) << "nothing runs after the epoch is abandoned";
}

TEST(LoaderWorkers, WorkerErrorsArriveInBatchOrderWithTheirMessage) {
  for (int64_t workers : {0, 1, 3}) {
    DataLoader loader(std::make_shared<SyntheticImages>(200, 57), {.batch_size = 10, .num_workers = workers});
    int batches = 0;
    try {
      for (const Batch& b : loader) batches += b.images.defined() ? 1 : 0;
      ADD_FAILURE() << "expected an error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("sample 57 is unreadable"), std::string::npos) << e.what();
    }
    EXPECT_EQ(batches, 5) << workers << " workers: batches 0..4 arrive, batch 5 holds sample 57";
  }
}

TEST(LoaderWorkers, MixedImageSizesInABatchSaySo) {
  DataLoader loader(std::make_shared<SyntheticImages>(40, -1, 13), {.batch_size = 8, .num_workers = 2});
  try {
    for (const Batch& b : loader) (void)b;
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("sample 13 (position 5 of batch 1) has an image [3, 30, 30]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  }
}

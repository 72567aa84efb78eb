// DataLoader: per-epoch sample order seeded by (seed, epoch), N worker threads building whole batches into a ring
// of reused batch buffers, in-order delivery, early exit and error propagation. Not a multi-process loader:
// workers are threads sharing the (const, thread-safe) dataset.
#include <cnn/distributed.h>
#include <cnn/loader.h>
#include <cnn/random.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

namespace cnn {

// One pass over the data. Batch b is built into slot b % R of a ring of R = depth + 1 slots; a worker may start
// batch b only once the consumer has released batch b - R, so the consumer's batch is never overwritten and at
// most `depth` batches are ready or in progress ahead of it. Each sample's randomness is SampleRng(seed, epoch,
// index), so neither the number of workers nor their timing changes any batch.
class EpochRun {
 public:
  EpochRun(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> order, const DataLoaderOptions& options,
           int64_t num_batches, uint64_t seed, int64_t epoch)
      : dataset_(std::move(dataset)),
        order_(std::move(order)),
        options_(options),
        num_batches_(num_batches),
        seed_(seed),
        epoch_(epoch) {
    const bool background = options_.num_workers > 0 && options_.prefetch > 0;
    const int64_t depth = background ? std::max(options_.prefetch, options_.num_workers) : 0;
    slots_.resize(static_cast<size_t>(depth + 1));
    if (!background) return;
    for (int64_t w = 0; w < options_.num_workers; ++w) workers_.emplace_back([this] { work(); });
  }
  ~EpochRun() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : workers_) t.join();
  }
  EpochRun(const EpochRun&) = delete;
  EpochRun& operator=(const EpochRun&) = delete;

  /// Releases the batch handed out last and returns the next one (nullptr at the end of the epoch); rethrows the
  /// error raised while building it.
  const Batch* next() {
    if (workers_.empty()) {
      if (error_) std::rethrow_exception(error_);
      if (consumed_ == num_batches_) return nullptr;
      try {
        build(consumed_++, slots_[0], scratch_);
      } catch (...) {
        error_ = std::current_exception();
        throw;
      }
      return &slots_[0].batch.value();
    }
    std::unique_lock<std::mutex> lock(mutex_);
    released_ = consumed_;
    cv_.notify_all();
    if (consumed_ == num_batches_) return nullptr;
    Slot& slot = slot_of(consumed_);
    cv_.wait(lock, [&] { return slot.ready == consumed_ || error_batch_ <= consumed_; });
    if (slot.ready != consumed_) std::rethrow_exception(error_);
    ++consumed_;
    return &slot.batch.value();
  }

 private:
  struct Slot {
    Tensor images, labels;       // full-size buffers [batch_size, C, H, W] and [batch_size]
    std::optional<Batch> batch;  // what the consumer sees: the buffers, or views of them for a short last batch
    int64_t ready = -1;          // the batch index the slot holds once built
  };

  Slot& slot_of(int64_t b) { return slots_[static_cast<size_t>(b % static_cast<int64_t>(slots_.size()))]; }

  // The slot's buffers, reused unless their size changed or the previous batch's tensors are still held elsewhere.
  // Compares sizes one by one: building a Shape would allocate for every batch.
  void prepare(Slot& slot, int64_t c, int64_t h, int64_t w) {
    slot.batch.reset();
    const int64_t b = options_.batch_size;
    const bool reusable = slot.images.defined() && slot.images.size(0) == b && slot.images.size(1) == c &&
                          slot.images.size(2) == h && slot.images.size(3) == w &&
                          slot.images.impl_ptr().use_count() == 1 && slot.images.impl()->storage.use_count() == 1 &&
                          slot.labels.impl_ptr().use_count() == 1 && slot.labels.impl()->storage.use_count() == 1;
    if (reusable) {
      slot.images.requires_grad_(false);  // a caller may have asked for input gradients (saliency maps)
      slot.images.zero_grad();
      return;
    }
    slot.images = Tensor::empty(Shape{b, c, h, w});
    slot.labels = Tensor::empty(Shape{b}, DType::i64);
  }

  void build(int64_t b, Slot& slot, Image& image) {
    const auto n = static_cast<int64_t>(order_.size());
    const int64_t start = b * options_.batch_size, count = std::min(options_.batch_size, n - start);
    int64_t c = 0, h = 0, w = 0;
    for (int64_t k = 0; k < count; ++k) {
      if (stopping_.load(std::memory_order_relaxed)) return;
      const int64_t index = order_[static_cast<size_t>(start + k)];
      SampleRng rng(seed_, epoch_, index);
      const int64_t label = dataset_->get_into(index, image, rng);
      if (k == 0) {
        c = image.channels, h = image.height, w = image.width;
        prepare(slot, c, h, w);
      }
      if (image.channels != c || image.height != h || image.width != w)
        throw Error(fmt::format(
            "DataLoader: sample {} (position {} of batch {}) has an image {}, but the batch's first sample has {}\n"
            "HINT: images of different sizes cannot share a batch; add Resize and CenterCrop (or RandomResizedCrop) "
            "to the dataset's transform",
            index, k, b, image.shape(), Shape{c, h, w}));
      image.write_chw(slot.images.data<float>() + k * c * h * w);
      slot.labels.data<int64_t>()[k] = label;
    }
    if (count == options_.batch_size)
      slot.batch = Batch{slot.images, slot.labels};
    else
      slot.batch = Batch{slot.images.slice(0, 0, count), slot.labels.slice(0, 0, count)};
  }

  void work() {
    Image image;  // this worker's sample buffer, reused for every sample
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      const auto ring = static_cast<int64_t>(slots_.size());
      cv_.wait(lock, [&] { return stop_ || error_ || next_claim_ >= num_batches_ || next_claim_ < released_ + ring; });
      if (stop_ || error_ || next_claim_ >= num_batches_) return;
      const int64_t b = next_claim_++;
      Slot& slot = slot_of(b);
      lock.unlock();
      std::exception_ptr failure;
      try {
        build(b, slot, image);
      } catch (...) {
        failure = std::current_exception();
      }
      lock.lock();
      if (failure) {
        if (b < error_batch_) {
          error_batch_ = b;
          error_ = failure;
        }
      } else {
        slot.ready = b;
      }
      cv_.notify_all();
    }
  }

  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> order_;
  DataLoaderOptions options_;
  int64_t num_batches_;
  uint64_t seed_;
  int64_t epoch_;
  std::vector<Slot> slots_;
  Image scratch_;  // the caller's sample buffer when there are no workers
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int64_t consumed_ = 0;    // batches handed to the consumer
  int64_t released_ = 0;    // batches the consumer is done with
  int64_t next_claim_ = 0;  // the next batch a worker starts
  bool stop_ = false;
  std::atomic<bool> stopping_{false};
  std::exception_ptr error_;
  int64_t error_batch_ = std::numeric_limits<int64_t>::max();
};

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  CNN_CHECK(dataset_ != nullptr, "DataLoader: dataset is null");
  CNN_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be positive, got {}", options_.batch_size);
  CNN_CHECK(options_.prefetch >= 0, "DataLoader: prefetch must be >= 0, got {}", options_.prefetch);
  CNN_CHECK(options_.num_workers >= 0, "DataLoader: num_workers must be >= 0, got {}", options_.num_workers);
  CNN_CHECK(options_.num_replicas >= 1 && options_.rank >= 0 && options_.rank < options_.num_replicas,
            "DataLoader: expected 0 <= rank < num_replicas, got rank {} of num_replicas {}", options_.rank,
            options_.num_replicas);
  seed_ = options_.seed ? *options_.seed : default_generator().next_u64();
}

int64_t DataLoader::samples_per_epoch() const {
  const int64_t n = dataset_->size(), w = options_.num_replicas, r = options_.rank;
  if (w == 1) return n;
  if (options_.shard_drop_last) return n / w;
  return options_.pad_shards ? (n + w - 1) / w : n / w + (r < n % w ? 1 : 0);
}

int64_t DataLoader::size() const {
  const int64_t n = samples_per_epoch(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
  std::vector<int64_t> order(static_cast<size_t>(dataset_->size()));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (!options_.shuffle) return sharded(order);
  // Fisher-Yates on raw engine output, so the order is the same on every platform (std::shuffle's is not).
  const auto e = static_cast<uint64_t>(epoch);
  std::seed_seq seq{uint32_t(seed_), uint32_t(seed_ >> 32), uint32_t(e), uint32_t(e >> 32)};
  std::mt19937_64 engine(seq);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[engine() % i]);
  return sharded(order);
}

std::vector<int64_t> DataLoader::sharded(const std::vector<int64_t>& order) const {
  if (options_.num_replicas == 1) return order;
  return distributed::shard(order, options_.rank, options_.num_replicas, options_.pad_shards,
                            options_.shard_drop_last);
}

DataLoader::Iterator DataLoader::begin() {
  auto run = std::make_shared<EpochRun>(dataset_, order(epoch_), options_, size(), seed_, epoch_);
  ++epoch_;
  return Iterator(std::move(run));
}

DataLoader::Iterator::Iterator(std::shared_ptr<EpochRun> run) : run_(std::move(run)) {
  current_ = run_->next();
  if (current_ == nullptr) run_.reset();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  current_ = run_->next();
  if (current_ == nullptr) run_.reset();
  return *this;
}

}  // namespace cnn

// DataLoader: per-epoch sample order (seeded by (seed, epoch)), batching, and one background prefetch thread.
// Not a multi-process loader: one worker is plenty for in-memory datasets; it overlaps batching with training.
#include <cnn/data.h>
#include <cnn/random.h>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <random>
#include <thread>

namespace cnn {

class EpochRun {
 public:
  EpochRun(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> order, const DataLoaderOptions& options,
           int64_t num_batches)
      : dataset_(std::move(dataset)), order_(std::move(order)), options_(options), num_batches_(num_batches) {
    if (options_.prefetch > 0) worker_ = std::thread([this] { work(); });
  }
  ~EpochRun() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
  }
  EpochRun(const EpochRun&) = delete;
  EpochRun& operator=(const EpochRun&) = delete;

  /// The next batch, or nullopt at the end of the epoch; rethrows an error raised while building it.
  std::optional<Batch> next() {
    if (consumed_ == num_batches_) return std::nullopt;
    if (options_.prefetch == 0) return make_batch(consumed_++);
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait(lock, [this] { return !queue_.empty() || error_; });
    if (queue_.empty()) std::rethrow_exception(error_);
    Batch batch = std::move(queue_.front());
    queue_.pop_front();
    ++consumed_;
    lock.unlock();
    cv_.notify_all();
    return batch;
  }

 private:
  // Batch b of the epoch: images [B, C, H, W] and labels [B], filled in place sample by sample.
  Batch make_batch(int64_t b) const {
    const auto n = static_cast<int64_t>(order_.size());
    const int64_t start = b * options_.batch_size;
    const int64_t count = std::min(options_.batch_size, n - start);
    const Shape sample = dataset_->image_shape();
    Batch batch{Tensor::empty(Shape{count, sample[0], sample[1], sample[2]}), Tensor::empty(Shape{count}, DType::i64)};
    float* images = batch.images.data<float>();
    int64_t* labels = batch.labels.data<int64_t>();
    for (int64_t k = 0; k < count; ++k)
      dataset_->get_into(order_[static_cast<size_t>(start + k)], images + k * sample.numel(), labels + k);
    return batch;
  }

  // The worker: builds batches in order, keeping at most `prefetch` of them ready.
  void work() {
    for (int64_t b = 0; b < num_batches_; ++b) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        cv_.wait(lock, [this] { return stop_ || static_cast<int64_t>(queue_.size()) < options_.prefetch; });
        if (stop_) return;
      }
      try {
        Batch batch = make_batch(b);
        std::lock_guard<std::mutex> lock(mutex_);
        queue_.push_back(std::move(batch));
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        error_ = std::current_exception();
        b = num_batches_;
      }
      cv_.notify_all();
    }
  }

  std::shared_ptr<const Dataset> dataset_;
  std::vector<int64_t> order_;
  DataLoaderOptions options_;
  int64_t num_batches_ = 0;
  int64_t consumed_ = 0;  // touched by the caller's thread only
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  bool stop_ = false;
  std::exception_ptr error_;
  std::thread worker_;
};

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  CNN_CHECK(dataset_ != nullptr, "DataLoader: dataset is null");
  CNN_CHECK(options_.batch_size > 0, "DataLoader: batch_size must be positive, got {}", options_.batch_size);
  CNN_CHECK(options_.prefetch >= 0, "DataLoader: prefetch must be >= 0, got {}", options_.prefetch);
  CNN_CHECK(dataset_->image_shape().dim() == 3, "DataLoader: expected dataset images [C, H, W], got {}",
            dataset_->image_shape());
  seed_ = options_.seed ? *options_.seed : default_generator().next_u64();
}

int64_t DataLoader::size() const {
  const int64_t n = dataset_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<int64_t> DataLoader::order(int64_t epoch) const {
  std::vector<int64_t> order(static_cast<size_t>(dataset_->size()));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (!options_.shuffle) return order;
  // Fisher-Yates on raw engine output, so the order is the same on every platform (std::shuffle's is not).
  const auto e = static_cast<uint64_t>(epoch);
  std::seed_seq seq{uint32_t(seed_), uint32_t(seed_ >> 32), uint32_t(e), uint32_t(e >> 32)};
  std::mt19937_64 engine(seq);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[engine() % i]);
  return order;
}

DataLoader::Iterator DataLoader::begin() {
  auto run = std::make_shared<EpochRun>(dataset_, order(epoch_), options_, size());
  ++epoch_;
  return Iterator(std::move(run));
}

DataLoader::Iterator::Iterator(std::shared_ptr<EpochRun> run) : run_(std::move(run)) {
  current_ = run_->next();
  if (!current_) run_.reset();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  current_ = run_->next();
  if (!current_) run_.reset();
  return *this;
}

}  // namespace cnn

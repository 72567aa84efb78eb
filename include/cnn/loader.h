// DataLoader: seeded per-epoch order, batches built by N worker threads into a reused ring of batch buffers,
// prefetching, early exit and error propagation. Not the datasets (dataset.h, datasets.h) nor the transforms.
#pragma once

#include <cnn/dataset.h>

#include <memory>
#include <optional>
#include <vector>

namespace cnn {

/// A batch: images [B, C, H, W] f32 and labels [B] i64.
struct Batch {
  Tensor images;
  Tensor labels;
};

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;
  /// Seeds the shuffling (epoch e's order depends only on (seed, e)) and every sample's SampleRng(seed, e, index).
  /// Unset: drawn once from the global generator (so manual_seed makes runs repeatable).
  std::optional<uint64_t> seed = std::nullopt;
  /// Threads that build batches (as DataLoader's num_workers, but threads, not processes). 0: the caller's thread
  /// builds each batch when asked for it. Results are identical for any number of workers.
  int64_t num_workers = 1;
  /// Batches prepared ahead of the one in use, all workers together (at least num_workers are kept in flight).
  /// 0: no background work, as num_workers = 0.
  int64_t prefetch = 2;
  /// As DistributedSampler(num_replicas=, rank=): this process reads only its shard of each epoch's order
  /// (distributed::shard: every world-th index from rank). pad_shards (training) repeats the first indices so
  /// every rank takes the same number of steps; false (evaluation) reads each sample on exactly one rank.
  int64_t num_replicas = 1;
  int64_t rank = 0;
  bool pad_shards = true;
  /// DistributedSampler's drop_last: drop the tail of the order that does not divide by num_replicas instead of
  /// padding (every rank still takes the same number of steps).
  bool shard_drop_last = false;
};

/// One pass over the data with its workers (defined in data/loader.cpp).
class EpochRun;

/// Batches over a dataset, as torch.utils.data.DataLoader. Each begin() starts the next epoch (0, 1, ...) with
/// its own order; workers fill a ring of prefetch + 1 batch buffers that is reused for the whole epoch, so a
/// steady-state epoch allocates nothing per batch. A batch stays valid until the iterator moves on; a batch whose
/// tensors are still held elsewhere at that point is left to its holder and its buffer replaced.
/// Abandoning an epoch (break, exception) stops and joins its workers; a worker's exception is rethrown by the
/// iterator, in batch order, with its message.
/// Usage: for (const Batch& b : loader) { ... b.images ... b.labels ... }
class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, DataLoaderOptions options);

  /// Batches per epoch (len(loader)), of this rank's shard.
  int64_t size() const;
  /// Samples this rank reads per epoch: the dataset's size, or its shard's.
  int64_t samples_per_epoch() const;
  const Dataset& dataset() const { return *dataset_; }
  const DataLoaderOptions& options() const { return options_; }
  /// The seed in use (options.seed, or the one drawn at construction).
  uint64_t seed() const { return seed_; }
  /// Sets the epoch the next begin() starts (as DistributedSampler.set_epoch).
  void set_epoch(int64_t epoch) { epoch_ = epoch; }
  int64_t epoch() const { return epoch_; }
  /// The sample order of an epoch: 0..n-1, or a permutation determined by (seed, epoch) when shuffling; this
  /// rank's shard of it when num_replicas > 1.
  std::vector<int64_t> order(int64_t epoch) const;

  class Iterator {
   public:
    Iterator() = default;
    explicit Iterator(std::shared_ptr<EpochRun> run);
    const Batch& operator*() const { return *current_; }
    const Batch* operator->() const { return current_; }
    Iterator& operator++();
    bool operator!=(const Iterator& other) const { return (current_ != nullptr) != (other.current_ != nullptr); }
    bool operator==(const Iterator& other) const { return !(*this != other); }

   private:
    std::shared_ptr<EpochRun> run_;
    const Batch* current_ = nullptr;
  };
  /// Starts epoch epoch() and advances the counter.
  Iterator begin();
  Iterator end() { return Iterator(); }

 private:
  std::vector<int64_t> sharded(const std::vector<int64_t>& order) const;

  std::shared_ptr<const Dataset> dataset_;
  DataLoaderOptions options_;
  uint64_t seed_ = 0;
  int64_t epoch_ = 0;
};

}  // namespace cnn

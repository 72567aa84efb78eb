// Seeded random splits of a dataset into subsets, as torch.utils.data.random_split.
// Not stratified: class proportions in each part follow from the random permutation only.
#include <cnn/dataset.h>

#include <cmath>
#include <numeric>
#include <random>

namespace cnn {

std::vector<std::shared_ptr<SubsetDataset>> random_split(std::shared_ptr<const Dataset> dataset,
                                                         const std::vector<int64_t>& lengths, uint64_t seed) {
  CNN_CHECK(dataset != nullptr, "random_split: dataset is null");
  const int64_t n = dataset->size();
  int64_t total = 0;
  for (int64_t length : lengths) {
    CNN_CHECK(length >= 0, "random_split: lengths must be non-negative, got {}", fmt::join(lengths, ", "));
    total += length;
  }
  CNN_CHECK(total == n, "random_split: lengths [{}] sum to {}, but the dataset has {} samples",
            fmt::join(lengths, ", "), total, n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  // Fisher-Yates on raw engine output: the same permutation on every platform (std::shuffle's is not).
  std::seed_seq seq{uint32_t(seed), uint32_t(seed >> 32), 0x5EEDu};
  std::mt19937_64 engine(seq);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[engine() % i]);
  std::vector<std::shared_ptr<SubsetDataset>> parts;
  auto start = order.begin();
  for (int64_t length : lengths) {
    parts.push_back(std::make_shared<SubsetDataset>(dataset, std::vector<int64_t>(start, start + length)));
    start += length;
  }
  return parts;
}

std::pair<std::shared_ptr<SubsetDataset>, std::shared_ptr<SubsetDataset>> train_val_split(
    std::shared_ptr<const Dataset> dataset, double val_fraction, uint64_t seed) {
  CNN_CHECK(dataset != nullptr, "train_val_split: dataset is null");
  CNN_CHECK(val_fraction > 0.0 && val_fraction < 1.0, "train_val_split: expected 0 < val_fraction < 1, got {}",
            val_fraction);
  const int64_t n = dataset->size();
  const auto val = static_cast<int64_t>(std::llround(val_fraction * static_cast<double>(n)));
  CNN_CHECK(val > 0 && val < n,
            "train_val_split: a validation fraction of {} of {} samples leaves {} for validation and {} for "
            "training\nHINT: both parts need at least one sample",
            val_fraction, n, val, n - val);
  auto parts = random_split(std::move(dataset), {n - val, val}, seed);
  return {parts[0], parts[1]};
}

}  // namespace cnn

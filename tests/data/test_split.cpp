// Seeded splits: random_split and train_val_split are deterministic for a seed, disjoint and complete; subsets by
// index, TransformedDataset on one part only, and the errors for bad lengths. Not the loader's shuffling.
#include <cnn/data.h>

#include <set>

#include "test_util.h"

using namespace cnn;

namespace {

// Sample i is a 1x1 byte image holding i % 256, labelled i.
class Indexed : public Dataset {
 public:
  explicit Indexed(int64_t n) : n_(n) {}
  int64_t size() const override { return n_; }
  int64_t get_into(int64_t i, Image& out, SampleRng&) const override {
    out.reset_bytes(1, 1, 1);
    out.bytes[0] = static_cast<uint8_t>(i % 256);
    return i;
  }

 private:
  int64_t n_;
};

std::vector<int64_t> labels(const Dataset& d) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < d.size(); ++i) out.push_back(d.label(i));
  return out;
}

}  // namespace

TEST(Split, RandomSplitIsDisjointCompleteAndSeeded) {
  auto data = std::make_shared<Indexed>(1000);
  auto parts = random_split(data, {700, 200, 100}, 42);
  ASSERT_EQ(parts.size(), 3u);
  std::set<int64_t> all;
  for (const auto& p : parts)
    for (int64_t l : labels(*p)) all.insert(l);
  EXPECT_EQ(parts[1]->size(), 200);
  EXPECT_EQ(all.size(), 1000u);
  EXPECT_EQ(labels(*random_split(data, {700, 200, 100}, 42)[1]), labels(*parts[1]));
  EXPECT_NE(labels(*random_split(data, {700, 200, 100}, 43)[1]), labels(*parts[1]));
  std::vector<int64_t> first = labels(*parts[0]);
  EXPECT_FALSE(std::is_sorted(first.begin(), first.end())) << "a permutation, not a prefix";
  EXPECT_EQ(parts[0]->indices(), first);
  EXPECT_THROW(random_split(data, {500, 400}, 0), Error);
  EXPECT_THROW(random_split(data, {1100, -100}, 0), Error);
}

TEST(Split, TrainValSplitAndPerPartTransforms) {
  auto data = std::make_shared<Indexed>(50);
  auto [train, val] = train_val_split(data, 0.1, 7);
  EXPECT_EQ(train->size(), 45);
  EXPECT_EQ(val->size(), 5);
  auto again = train_val_split(data, 0.1, 7);
  EXPECT_EQ(labels(*again.second), labels(*val));
  // The same validation indices cut from another copy, and a transform on the training part only.
  SubsetDataset val_copy(data, val->indices());
  EXPECT_EQ(labels(val_copy), labels(*val));
  TransformedDataset augmented(train, transforms::compose(transforms::ToTensor()));
  Image im;
  SampleRng rng;
  const int64_t label = augmented.get_into(3, im, rng);
  EXPECT_EQ(im.format, ImageFormat::f32_chw);
  EXPECT_FLOAT_EQ(im.values[0], float(label % 256) / 255.0f);
  EXPECT_THROW(train_val_split(data, 0.0, 1), Error);
  EXPECT_THROW(train_val_split(data, 0.001, 1), Error) << "rounds to an empty validation part";
  EXPECT_THROW(SubsetDataset(data, std::vector<int64_t>{3, 50}), Error);
  EXPECT_EQ(SubsetDataset(data, 5).indices(), (std::vector<int64_t>{0, 1, 2, 3, 4}));
}

// Figures of the data and of training: how far filters moved from their start, the per-class sample grid and the
// augmentation grid, on a tiny in-memory dataset.
#include <cnn/cnn.h>
#include <cnn/transforms.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

namespace T = transforms;

// 4x4 grey images whose pixels are the index; labels cycle 0, 1, 2 (so class 2 of 5 images has one).
class Tiny : public Dataset {
 public:
  int64_t size() const override { return 5; }
  int64_t get_into(int64_t i, Image& out, SampleRng&) const override {
    out = Image::from_bytes(4, 4, 1, std::vector<uint8_t>(16, static_cast<uint8_t>(40 * i)));
    return i % 3;
  }
};

TEST(DataFigures, FilterMovementIsTheRelativeChangePerFilter) {
  // Filter 0: [3, 4] -> [3, 4] (0%); filter 1: [3, 4] -> [0, 0] (100%); filter 2: [1, 0] -> [2, 0] (100%).
  const Tensor w0 = from_vector(std::vector<float>{3, 4, 3, 4, 1, 0}, {3, 2, 1, 1});
  const Tensor w = from_vector(std::vector<float>{3, 4, 0, 0, 2, 0}, {3, 2, 1, 1});
  const std::vector<double> m = viz::filter_movement(w, w0);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_DOUBLE_EQ(m[0], 0.0);
  EXPECT_DOUBLE_EQ(m[1], 1.0);
  EXPECT_DOUBLE_EQ(m[2], 1.0);
  EXPECT_TRUE(std::isinf(viz::filter_movement(w, zeros({3, 2, 1, 1}))[0]));
  const std::string msg = test::error_message([&] { viz::filter_movement(w, zeros({3, 2, 3, 3})); });
  EXPECT_NE(msg.find("[3, 2, 1, 1] and [3, 2, 3, 3]"), std::string::npos) << msg;
}

TEST(DataFigures, SampleGridHasOneRowPerClass) {
  const Tiny data;
  const viz::Section s = viz::sample_section(data, {"zero", "one", "two"}, 2);
  EXPECT_EQ(s.columns, 2);
  ASSERT_EQ(s.panels.size(), 6u);
  EXPECT_EQ(s.panels[0].title, "zero (#0)");
  EXPECT_EQ(s.panels[1].title, "zero (#3)");
  EXPECT_EQ(s.panels[3].title, "one (#4)");
  EXPECT_EQ(s.panels[4].title, "two (#2)");
  EXPECT_EQ(s.panels[5].title, "") << "class two has one image: a blank cell";
}

TEST(DataFigures, AugmentationGridShowsEachRandomStepAlone) {
  const Tiny data;
  const auto pipeline = T::compose(T::RandomHorizontalFlip(1.0), T::ToTensor(), T::Normalize({0.5}, {0.5}));
  const auto sections = viz::augmentation_sections(data, 4, *pipeline, 3, 0, {"zero", "one"});
  ASSERT_EQ(sections.size(), 3u) << "original, the flip alone, the whole pipeline";
  EXPECT_EQ(sections[0].title, "original: training image #4 (one)");
  EXPECT_EQ(sections[1].title, "RandomHorizontalFlip(p=1)");
  EXPECT_EQ(sections[1].panels.size(), 3u);
  EXPECT_EQ(sections[2].title, "the whole pipeline");
  EXPECT_EQ(sections[1].panels[0].rgb.shape(), (Shape{3, 4, 4}));
  EXPECT_THROW(viz::augmentation_sections(data, 5, *pipeline), Error);
}

}  // namespace
}  // namespace cnn

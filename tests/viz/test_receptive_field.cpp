// The gradient receptive field of stacked 3x3 convolutions (exercise 3): exactly 7x7 for three plain convs,
// 15x15 for dilations 1, 2, 4, only even offsets for 2, 2, 2 (gridding), no holes for 1, 2, 5.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

namespace cnn {
namespace {

// Positions (dy, dx) relative to the centre where the gradient is non-zero.
std::vector<std::pair<int64_t, int64_t>> nonzero_offsets(const Tensor& g, int64_t cy, int64_t cx) {
  std::vector<std::pair<int64_t, int64_t>> out;
  const std::vector<float> v = g.to_vector<float>();
  for (int64_t r = 0; r < g.size(0); ++r)
    for (int64_t c = 0; c < g.size(1); ++c)
      if (v[static_cast<size_t>(r * g.size(1) + c)] != 0.0f) out.emplace_back(r - cy, c - cx);
  return out;
}

Tensor rf_of(const std::vector<int64_t>& dilations) {
  ModulePtr stack = viz::dilated_stack(dilations);
  return viz::gradient_receptive_field(*stack, {1, 33, 33}, {16, 16});
}

TEST(GradientReceptiveField, ThreePlainConvsSeeExactly7x7) {
  const auto offsets = nonzero_offsets(rf_of({1, 1, 1}), 16, 16);
  EXPECT_EQ(offsets.size(), 49u);
  for (auto [dy, dx] : offsets) EXPECT_TRUE(std::abs(dy) <= 3 && std::abs(dx) <= 3) << dy << "," << dx;
}

TEST(GradientReceptiveField, Dilations124SeeExactly15x15) {
  const auto offsets = nonzero_offsets(rf_of({1, 2, 4}), 16, 16);
  EXPECT_EQ(offsets.size(), 225u);
  for (auto [dy, dx] : offsets) EXPECT_TRUE(std::abs(dy) <= 7 && std::abs(dx) <= 7) << dy << "," << dx;
}

TEST(GradientReceptiveField, Dilations222OnlySeeEvenOffsets) {
  const auto offsets = nonzero_offsets(rf_of({2, 2, 2}), 16, 16);
  EXPECT_EQ(offsets.size(), 49u);  // 7 even offsets (-6..6) per axis, the odd ones are holes
  for (auto [dy, dx] : offsets) {
    EXPECT_EQ(dy % 2, 0) << dy << "," << dx;
    EXPECT_EQ(dx % 2, 0) << dy << "," << dx;
    EXPECT_TRUE(std::abs(dy) <= 6 && std::abs(dx) <= 6);
  }
}

TEST(GradientReceptiveField, Dilations125HaveNoHoles) {
  EXPECT_EQ(nonzero_offsets(rf_of({1, 2, 5}), 16, 16).size(), 17u * 17u);
}

TEST(AnalyticReceptiveField, MatchesTheGradientBox) {
  for (const auto& [dilations, size] : std::vector<std::pair<std::vector<int64_t>, int64_t>>{
           {{1, 1, 1}, 7}, {{1, 2, 4}, 15}, {{2, 2, 2}, 13}, {{1, 2, 5}, 17}}) {
    ModulePtr stack = viz::dilated_stack(dilations);
    const viz::Window w = viz::analytic_receptive_field(*stack, {1, 33, 33}, {16, 16});
    EXPECT_EQ(w.height, size);
    EXPECT_EQ(w.width, size);
    EXPECT_EQ(w.top, 16 - size / 2);
    const viz::Window seen = viz::bounding_box(viz::gradient_receptive_field(*stack, {1, 33, 33}, {16, 16}), 0.0);
    EXPECT_EQ(seen.top, w.top);
    EXPECT_EQ(seen.height, w.height);
  }
}

TEST(AnalyticReceptiveField, FoldsStridesAndPoolingOfAModel) {
  // SimpleCNN's conv2 output: conv3 (p1) -> pool2 -> conv3 (p1): position (3, 3) sees rows 3..10 (size 8).
  ModulePtr model = models::create("simplecnn");
  const viz::Window w = viz::analytic_receptive_field(*model, {1, 28, 28}, {3, 3}, "conv2");
  EXPECT_EQ(w.height, 8);
  EXPECT_EQ(w.top, 3);
}

}  // namespace
}  // namespace cnn

// t-SNE: calibrated perplexity per row, three separated clusters kept apart, determinism for a seed, the size
// limit; and the scatter chart that draws an embedding.
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "test_util.h"

namespace cnn {
namespace {

// Three Gaussian clusters (sigma 1) of `per` points in 10-D, centres 10 apart on the first three axes.
std::pair<Tensor, std::vector<int64_t>> clusters(int64_t per) {
  Generator gen(7);
  std::vector<float> v;
  std::vector<int64_t> labels;
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t i = 0; i < per; ++i) {
      for (int64_t d = 0; d < 10; ++d) v.push_back(static_cast<float>(gen.normal() + (d == c ? 10.0 : 0.0)));
      labels.push_back(c);
    }
  return {from_vector(v, {3 * per, 10}), labels};
}

TEST(Tsne, EachRowHasThePerplexityAsked) {
  manual_seed(1);
  const Tensor x = randn({80, 6});
  for (double perplexity : {5.0, 20.0}) {
    const Tensor p = viz::tsne_conditional_affinities(x, perplexity);
    ASSERT_EQ(p.shape(), Shape({80, 80}));
    const std::vector<float> v = p.to_vector<float>();
    for (int64_t i = 0; i < 80; ++i) {
      double total = 0, entropy = 0;
      for (int64_t j = 0; j < 80; ++j) {
        const double q = v[static_cast<size_t>(i * 80 + j)];
        total += q;
        if (q > 0) entropy -= q * std::log(q);
      }
      EXPECT_EQ(v[static_cast<size_t>(i * 80 + i)], 0.0f);
      EXPECT_NEAR(total, 1.0, 1e-5) << "row " << i;
      EXPECT_NEAR(entropy, std::log(perplexity), 1e-4) << "row " << i << ", perplexity " << perplexity;
    }
  }
}

TEST(Tsne, SeparatedClustersStaySeparatedAndSeedsRepeat) {
  auto [x, labels] = clusters(30);
  const viz::TsneOptions options{.perplexity = 10, .iterations = 400, .seed = 5};
  const viz::Tsne a = viz::tsne(x, options);
  EXPECT_EQ(a.embedding.shape(), Shape({90, 2}));
  EXPECT_DOUBLE_EQ(viz::neighbour_agreement(a.embedding, labels, 5), 1.0);  // every point's 5 neighbours
  EXPECT_EQ(a.kl_history.size(), 8u);
  EXPECT_LT(a.kl, a.kl_history.front());
  const viz::Tsne b = viz::tsne(x, options);
  EXPECT_EQ(a.embedding.to_vector<float>(), b.embedding.to_vector<float>());
  viz::TsneOptions other = options;
  other.seed = 6;
  EXPECT_NE(viz::tsne(x, other).embedding.to_vector<float>(), a.embedding.to_vector<float>());
}

TEST(Tsne, RefusesTooManyPointsAndTooHighAPerplexity) {
  auto [x, labels] = clusters(30);
  EXPECT_NE(test::error_message([&] { viz::tsne(x, {.max_points = 50}); }).find("at most 50 points"),
            std::string::npos);
  EXPECT_NE(test::error_message([&] { viz::tsne(x, {.perplexity = 40}); }).find("perplexity 40"), std::string::npos);
}

TEST(ScatterChart, WritesPngAndSvg) {
  const std::string dir = test::temp_dir("scatter");
  const std::vector<viz::Series> groups{{.label = "zero", .x = {0, 1, 2}, .y = {1, 0, 2}},
                                        {.label = "one", .x = {-1, 3}, .y = {2, -2}}};
  viz::save_scatter_chart(dir + "/s.png", groups, {.title = "t-SNE", .x_label = "t-SNE 1", .y_label = "t-SNE 2"});
  viz::save_scatter_chart(dir + "/s.svg", groups, {.title = "t-SNE"});
  EXPECT_EQ(test::slurp(dir + "/s.png").substr(1, 3), "PNG");
  EXPECT_NE(test::slurp(dir + "/s.svg").find("<svg"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cnn

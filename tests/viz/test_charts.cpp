// Charts and grids come out as real files: PNG with its signature that cairo reads back at the right size,
// SVG with an <svg> element; plus the course figures (conv-params, transpose table, autoencoder).
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() { return cnn::test::temp_dir("viz"); }

using cnn::test::slurp;

void expect_png(const fs::path& p) {
  const std::string bytes = slurp(p);
  ASSERT_GE(bytes.size(), 8u) << p;
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << p;
  const Tensor back = viz::read_png(p.string());
  EXPECT_EQ(back.size(0), 3);
  EXPECT_GT(back.size(1), 10);
}

TEST(Charts, LineChartAsPngAndSvg) {
  const fs::path dir = temp_dir();
  const std::vector<viz::Series> series{{"train", {1, 2, 3}, {0.9, 0.5, 0.3}, ""}, {"test", {1, 2, 3}, {1.0, 0.6, 0.45}, ""}};
  const viz::ChartOptions options{.title = "Loss", .x_label = "epoch", .y_label = "cross-entropy", .width = 500, .height = 300};
  viz::save_line_chart((dir / "loss.png").string(), series, options);
  viz::save_line_chart((dir / "loss.svg").string(), series, options);
  expect_png(dir / "loss.png");
  EXPECT_EQ(viz::read_png((dir / "loss.png").string()).shape(), Shape({3, 300, 500}));
  const std::string svg = slurp(dir / "loss.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // A single point (one epoch) still gets axes.
  viz::save_line_chart((dir / "one.png").string(), {{"train", {1}, {0.2}, ""}}, options);
  expect_png(dir / "one.png");
  EXPECT_THROW(viz::save_line_chart((dir / "bad.jpg").string(), series, options), Error);
}

TEST(Charts, SeveralChartsInOnePicture) {
  const fs::path dir = temp_dir();
  const viz::ChartOptions o{.title = "a", .width = 300, .height = 200};
  std::vector<viz::Series> steps{{.label = "per step", .x = {0.25, 0.5, 0.75, 1}, .y = {2, 1, 1.5, 0.5},
                                  .line_width = 1, .markers = false, .alpha = 0.3}};
  viz::save_line_charts((dir / "three.png").string(), {{steps, o}, {steps, o}, {steps, o}}, "run", 2);
  EXPECT_EQ(viz::read_png((dir / "three.png").string()).shape(), Shape({3, 36 + 2 * 200, 2 * 300}));
  EXPECT_THROW(viz::save_line_charts((dir / "none.png").string(), {}), Error);
}

TEST(Charts, EmaSmoothingIsTensorBoards) {
  // weight 0.5: ema 0.5, debiased by 1 - 0.5 -> 1; then 0.25 + 1.5 = 1.75 over 0.75 -> 7/3; then 0.875 + 0 over
  // 0.875 -> 1.
  const std::vector<double> s = viz::ema_smooth({1, 3, 0}, 0.5);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_DOUBLE_EQ(s[0], 1.0);
  EXPECT_DOUBLE_EQ(s[1], 7.0 / 3.0);
  EXPECT_DOUBLE_EQ(s[2], 1.0);
  EXPECT_EQ(viz::ema_smooth({4, 5}, 0.0), (std::vector<double>{4, 5}));
  EXPECT_THROW(viz::ema_smooth({1}, 1.0), Error);
}

TEST(Charts, NiceTicksCoverTheRange) {
  const auto t = viz::nice_ticks(0.13, 0.92, 6);
  EXPECT_LE(t.front(), 0.13);
  EXPECT_GE(t.back(), 0.92);
  EXPECT_NEAR(t[1] - t[0], 0.2, 1e-12);
}

TEST(Charts, ConfusionMatrixAndFigure) {
  const fs::path dir = temp_dir();
  viz::save_confusion_matrix((dir / "cm.png").string(), {{5, 1, 0}, {0, 7, 2}, {1, 0, 9}}, {"a", "b", "c"});
  viz::save_confusion_matrix((dir / "cm.svg").string(), {{5, 1, 0}, {0, 7, 2}, {1, 0, 9}}, {"a", "b", "c"});
  expect_png(dir / "cm.png");
  EXPECT_NE(slurp(dir / "cm.svg").find("<svg"), std::string::npos);
  manual_seed(0);
  ModulePtr model = models::create("simplecnn");
  const Tensor w = dynamic_cast<Conv2d&>(viz::find_module(*model, "conv1")).weight;
  viz::save_figure((dir / "filters.png").string(),
                   {{.title = "conv1 [32, 1, 3, 3]", .panels = viz::filter_panels(w), .columns = 8}},
                   {.title = "filters", .cell = 32});
  expect_png(dir / "filters.png");
}

TEST(Images, PngRoundTripKeepsPixels) {
  const fs::path dir = temp_dir();
  const Tensor rgb = viz::colorize(arange(12).reshape({3, 4}), viz::Colormap::viridis);
  viz::write_png((dir / "img.png").string(), rgb);
  EXPECT_ALLCLOSE(viz::read_png((dir / "img.png").string()), rgb, 0, 1.0 / 255);
  EXPECT_THROW(viz::read_png((dir / "missing.png").string()), Error);
}

TEST(CourseFigures, ConvParamsTransposeAutoencoder) {
  const fs::path dir = temp_dir();
  manual_seed(0);
  viz::save_conv_params_figure((dir / "conv.png").string(), test::uniform({1, 16, 16}));
  expect_png(dir / "conv.png");
  const auto rows = viz::transpose_sizes((dir / "transpose.png").string(), 8);
  expect_png(dir / "transpose.png");
  EXPECT_NE(std::find(rows.begin(), rows.end(), "k=3 s=2 p=1 output_padding=1  ->  16x16"), rows.end());
  EXPECT_NE(std::find(rows.begin(), rows.end(), "k=3 s=2 p=1 output_padding=0  ->  15x15"), rows.end());
  const Tensor images = rand({4, 1, 8, 8});
  const double loss = viz::autoencoder_demo((dir / "ae.png").string(), images, 30);
  expect_png(dir / "ae.png");
  EXPECT_LT(loss, 0.2);
}

}  // namespace
}  // namespace cnn

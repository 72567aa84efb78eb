// save_bar_chart: PNG (signature, read back) and SVG files with one colour per group, the dashed reference line,
// an axis that need not start at 0, and errors for no bars or non-finite values.
#include <cnn/cnn.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir() { return cnn::test::temp_dir("bar_chart"); }

using cnn::test::slurp;

const std::vector<viz::Bar> kBars{{"baseline", 86.1, 0.3, "baseline"},
                                  {"depth=2", 84.0, 0.5, "depth"},
                                  {"depth=5", 87.2, 0.2, "depth"},
                                  {"bn=off", 82.5, 1.1, "bn"}};

TEST(BarChart, PngAndSvg) {
  const fs::path dir = temp_dir();
  const viz::ChartOptions options{.title = "Ablation", .y_label = "test accuracy (%)", .width = 500, .height = 320,
                                  .reference_y = 86.1, .reference_label = "baseline"};
  viz::save_bar_chart((dir / "bars.png").string(), kBars, options);
  viz::save_bar_chart((dir / "bars.svg").string(), kBars, options);
  const std::string png = slurp(dir / "bars.png");
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  const Tensor back = viz::read_png((dir / "bars.png").string());
  EXPECT_EQ(back.size(0), 3);
  EXPECT_EQ(back.size(2), 500);  // four bars fit the requested width
  EXPECT_GE(back.size(1), 200);

  const std::string svg = slurp(dir / "bars.svg");
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // cairo writes text as glyph outlines, so the labels show as glyph uses; the groups' colours and the dashed
  // baseline line are there as plain attributes.
  EXPECT_NE(svg.find("glyph"), std::string::npos);
  EXPECT_NE(svg.find("stroke-dasharray"), std::string::npos);
  for (const char* color : {"rgb(12.156863%,46.666667%,70.588235%)",   // #1f77b4: baseline
                            "rgb(100%,49.803922%,5.490196%)",          // #ff7f0e: depth
                            "rgb(17.254902%,62.745098%,17.254902%)"})  // #2ca02c: bn
    EXPECT_NE(svg.find(color), std::string::npos) << color;
}

TEST(BarChart, ManyBarsWidenTheChartAndErrorsAreClear) {
  const fs::path dir = temp_dir();
  std::vector<viz::Bar> bars;
  for (int i = 0; i < 30; ++i) bars.push_back({"width=" + std::to_string(16 * (i + 1)), 80.0 + 0.1 * i, 0.0, "width"});
  viz::save_bar_chart((dir / "many.png").string(), bars, {.y_label = "acc"});
  EXPECT_GT(viz::read_png((dir / "many.png").string()).size(2), 640);  // at least 22 px per bar
  // No reference line without reference_y.
  viz::save_bar_chart((dir / "many.svg").string(), bars, {.y_label = "acc"});
  EXPECT_EQ(slurp(dir / "many.svg").find("stroke-dasharray"), std::string::npos);

  EXPECT_THROW(viz::save_bar_chart((dir / "none.png").string(), {}, {}), Error);
  try {
    viz::save_bar_chart((dir / "nan.png").string(), {{"x", std::nan(""), 0.0, ""}}, {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cnn

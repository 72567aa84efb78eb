// Charts drawn with cairo: line charts with axes, ticks and a legend, bar charts with error bars, scatter plots,
// and a confusion-matrix heatmap.
// Not images of tensors (viz_image.h). Every chart is written as PNG or SVG, chosen by the file's extension.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cnn::viz {

/// One line: y against x, with its legend label and an optional colour (default: a palette by position).
struct Series {
  std::string label{};
  std::vector<double> x{}, y{};
  std::string color{};
  double line_width = 2;  // 0: points only
  bool markers = true;    // a dot at every point (off for per-step curves of thousands of points)
  double alpha = 1.0;     // opacity (e.g. 0.3 for raw per-step values under their smoothed curve)
};

struct ChartOptions {
  std::string title{}, x_label{}, y_label{};
  double width = 640, height = 400;
  bool log_y = false;
  /// Bar charts: a dashed horizontal line at this value (e.g. a baseline's), labelled reference_label; NaN: none.
  double reference_y = std::numeric_limits<double>::quiet_NaN();
  std::string reference_label{};
  /// Line charts: the legend in the bottom right corner instead of the top right (for rising curves).
  bool legend_bottom = false;
};

/// Usage: save_line_chart("loss.svg", {{"train", epochs, train_loss}, {"test", epochs, test_loss}},
///                        {.title = "Loss", .x_label = "epoch", .y_label = "cross-entropy"});
void save_line_chart(const std::string& path, const std::vector<Series>& series, const ChartOptions& options);

/// A chart of a multi-chart picture: its lines and options (options.width/height size its cell).
struct Chart {
  std::vector<Series> series{};
  ChartOptions options{};
};

/// Several line charts in one picture, `columns` per row, under an optional title.
/// Usage: save_line_charts("curves.png", {{loss_series, {.title = "Loss"}}, {acc_series, {.title = "Accuracy"}}});
void save_line_charts(const std::string& path, const std::vector<Chart>& charts, const std::string& title = "",
                      int64_t columns = 2);

/// TensorBoard's scalar smoothing: an exponential moving average with weight in [0, 1), debiased so the first
/// values are not pulled towards 0 (y_i = ema_i / (1 - weight^i)). weight 0 returns the values.
std::vector<double> ema_smooth(const std::vector<double>& values, double weight);

/// One bar: its height, a ± error drawn as a whisker (0: none), and the group that picks its colour.
struct Bar {
  std::string label{};
  double value = 0.0, error = 0.0;
  std::string group{};
};

/// Bars left to right in the given order, coloured by group (a legend names the groups in order of appearance),
/// each labelled below (rotated) and with its value above. The y axis spans the data (value ± error) with a
/// margin rather than starting at 0, so small differences show; the y label then says where the axis starts.
/// Each bar gets 22 to 90 px: the image is as wide as the bars and the title need, options.width is a target.
/// Usage: save_bar_chart("results.svg", {{"depth=2", 85.1, 0.3, "depth"}, {"depth=3", 86.0, 0.2, "depth"}},
///                       {.title = "Ablation", .y_label = "test accuracy (%)", .reference_y = 86.0});
void save_bar_chart(const std::string& path, const std::vector<Bar>& bars, const ChartOptions& options);

/// Points (x[i], y[i]) of each series as dots in its colour (default: a 10-colour palette by position), drawn in
/// order, with axes, ticks and a legend of the series' labels to the right of the plot (an embedding coloured by
/// class). Usage: save_scatter_chart("tsne.png", {{"0", xs0, ys0}, {"1", xs1, ys1}}, {.title = "t-SNE"});
void save_scatter_chart(const std::string& path, const std::vector<Series>& series, const ChartOptions& options);

/// counts[true][predicted]; cells shaded by count (row-normalised), each with its count written inside.
void save_confusion_matrix(const std::string& path, const std::vector<std::vector<int64_t>>& counts,
                           const std::vector<std::string>& classes, const std::string& title = "Confusion matrix");

/// "Nice" tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart), about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace cnn::viz

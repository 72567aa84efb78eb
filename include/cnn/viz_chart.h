// Charts drawn with cairo: line charts with axes, ticks and a legend, and a confusion-matrix heatmap.
// Not images of tensors (viz_image.h). Every chart is written as PNG or SVG, chosen by the file's extension.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cnn::viz {

/// One line: y against x, with its legend label and an optional colour (default: a palette by position).
struct Series {
  std::string label{};
  std::vector<double> x{}, y{};
  std::string color{};
};

struct ChartOptions {
  std::string title{}, x_label{}, y_label{};
  double width = 640, height = 400;
  bool log_y = false;
};

/// Usage: save_line_chart("loss.svg", {{"train", epochs, train_loss}, {"test", epochs, test_loss}},
///                        {.title = "Loss", .x_label = "epoch", .y_label = "cross-entropy"});
void save_line_chart(const std::string& path, const std::vector<Series>& series, const ChartOptions& options);

/// counts[true][predicted]; cells shaded by count (row-normalised), each with its count written inside.
void save_confusion_matrix(const std::string& path, const std::vector<std::vector<int64_t>>& counts,
                           const std::vector<std::string>& classes, const std::string& title = "Confusion matrix");

/// "Nice" tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart), about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace cnn::viz

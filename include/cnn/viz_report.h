// The run report and the course figures: report.html for a training run, and the pictures of 001 §1.2 and
// exercise 2 (conv parameters, transposed-convolution sizes, a small autoencoder). Not the drawing primitives.
#pragma once

#include <cnn/module.h>
#include <cnn/viz_chart.h>

#include <string>
#include <vector>

namespace cnn::viz {

struct ReportOptions {
  int64_t eval_samples = 2000;  // test images for the confusion matrix (all when fewer)
  int64_t explain_samples = 4;  // test images shown with saliency and Grad-CAM
};

/// Writes RUN_DIR/report.html from RUN_DIR/metrics.json and RUN_DIR/model.safetensors: the resolved config, the
/// summary table, loss/accuracy/lr curves, first-layer filters, the confusion matrix, sample predictions, saliency
/// and Grad-CAM. One self-contained file (pictures base64-embedded; also saved under RUN_DIR/figures/).
/// Returns the report's path. Usage: viz::write_report("runs/simplecnn-mnist");
std::string write_report(const std::string& run_dir, const ReportOptions& options = {});

struct CurveOptions {
  double smoothing = 0.9;  // TensorBoard's EMA weight for the per-step lines (its slider; 0: none)
  std::string title{};     // prefixed to each chart's title, e.g. the run's name
  double width = 560, height = 380;
};

/// The training curves of RUN_DIR/metrics.json: loss, accuracy and learning rate against epochs. Training loss
/// and accuracy per step (faint) with their smoothed curve (ema_smooth) and each epoch's mean; the test (or
/// validation) value after each epoch; the lr per step. Runs without per-step records get the epoch points only.
/// Usage: save_line_charts("curves.png", training_charts("runs/x"), "runs/x", 3);
std::vector<Chart> training_charts(const std::string& run_dir, const CurveOptions& options = {});

/// Several runs on one pair of charts, one line per run (labels in the legend): the training error (100 - the
/// batch accuracy, in %) per step smoothed by ema_smooth, and the test error after each epoch. He et al.'s
/// Figure 6 for plain vs residual nets. Throws naming a run without a per-step log.
std::vector<Chart> comparison_charts(const std::vector<std::string>& runs, const std::vector<std::string>& labels,
                                     const CurveOptions& options = {});

/// 001 §1.2: one image through 3x3 convolutions with different padding, stride and dilation (weights: an edge
/// kernel), output shapes in the titles. image [C, H, W].
void save_conv_params_figure(const std::string& path, const Tensor& image);

/// Exercise 2: ConvTranspose2d output sizes for an input of `in_size` over kernel/stride/padding/output_padding,
/// as a table (rows of "k s p op -> out"). Returns the rows; writes a PNG/SVG table when path is not empty.
std::vector<std::string> transpose_sizes(const std::string& path, int64_t in_size = 8);

/// Exercise 2's challenge: Conv2d(1, 8, 3, stride 2, padding 1) then ConvTranspose2d(8, 1, 3, stride 2, padding 1,
/// output_padding 1) trained with MSE for `steps` Adam steps on `images` [N, 1, H, W]; saves inputs above their
/// reconstructions. Returns the final loss.
double autoencoder_demo(const std::string& path, const Tensor& images, int64_t steps = 200);

}  // namespace cnn::viz

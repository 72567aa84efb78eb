// ClassificationMetrics: top-1/top-5 counts, the confusion matrix and per-class accuracy from logits and labels,
// and its text rendering. Not the metrics.json log (metrics_log.cpp).
#include <cnn/distributed.h>
#include <cnn/metrics.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cnn {

ClassificationMetrics::ClassificationMetrics(int64_t num_classes) : num_classes_(num_classes) {
  CNN_CHECK(num_classes >= 0, "ClassificationMetrics: num_classes must be >= 0, got {}", num_classes);
  confusion_.assign(static_cast<size_t>(num_classes * num_classes), 0);
}

void ClassificationMetrics::update(const Tensor& logits, const Tensor& labels, double loss_sum) {
  CNN_CHECK(logits.dim() == 2 && labels.dim() == 1 && labels.size(0) == logits.size(0),
            "metrics: expected logits [B, C] and labels [B], got {} and {}", logits.shape(), labels.shape());
  CNN_CHECK(labels.dtype() == DType::i64, "metrics: expected i64 labels, got {}", dtype_name(labels.dtype()));
  const int64_t rows = logits.size(0), cols = logits.size(1);
  if (num_classes_ == 0) {
    num_classes_ = cols;
    confusion_.assign(static_cast<size_t>(cols * cols), 0);
  }
  CNN_CHECK(cols == num_classes_, "metrics: expected logits with {} classes, got {}", num_classes_, logits.shape());
  const Tensor l = logits.detach().contiguous();
  const Tensor y = labels.contiguous();
  const float* p = l.data<float>();
  const int64_t* t = y.data<int64_t>();
  const int64_t k = std::min<int64_t>(5, cols);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = p + r * cols;
    const int64_t label = t[r];
    CNN_CHECK(label >= 0 && label < cols, "metrics: label {} of row {} is outside [0, {})", label, r, cols);
    int64_t best = 0, ahead = 0;
    for (int64_t c = 0; c < cols; ++c) {
      if (row[c] > row[best]) best = c;
      if (row[c] > row[label] || (row[c] == row[label] && c < label)) ++ahead;
    }
    top1_ += best == label ? 1 : 0;
    top5_ += ahead < k ? 1 : 0;
    ++confusion_[static_cast<size_t>(label * cols + best)];
  }
  samples_ += rows;
  loss_sum_ += loss_sum;
}

void ClassificationMetrics::all_reduce() {
  if (distributed::world_size() == 1) return;
  CNN_CHECK(distributed::sum_over_ranks(static_cast<double>(num_classes_)) ==
                static_cast<double>(num_classes_ * distributed::world_size()),
            "metrics: the ranks evaluated different numbers of classes (rank {} saw {})", distributed::rank(),
            num_classes_);
  if (confusion_.empty()) confusion_.assign(static_cast<size_t>(num_classes_ * num_classes_), 0);
  Tensor counts = Tensor::empty(Shape{static_cast<int64_t>(confusion_.size()) + 3}, DType::i64);
  int64_t* c = counts.data<int64_t>();
  c[0] = samples_, c[1] = top1_, c[2] = top5_;
  std::copy(confusion_.begin(), confusion_.end(), c + 3);
  distributed::all_reduce_sum(counts);
  samples_ = c[0], top1_ = c[1], top5_ = c[2];
  std::copy(c + 3, c + counts.numel(), confusion_.begin());
  loss_sum_ = distributed::sum_over_ranks(loss_sum_);
}

double ClassificationMetrics::loss() const { return samples_ ? loss_sum_ / double(samples_) : 0.0; }
double ClassificationMetrics::top1() const { return samples_ ? double(top1_) / double(samples_) : 0.0; }
double ClassificationMetrics::top5() const { return samples_ ? double(top5_) / double(samples_) : 0.0; }

std::vector<double> ClassificationMetrics::per_class_accuracy() const {
  std::vector<double> out;
  for (int64_t c = 0; c < num_classes_; ++c) {
    int64_t total = 0;
    for (int64_t j = 0; j < num_classes_; ++j) total += confusion(c, j);
    out.push_back(total ? double(confusion(c, c)) / double(total) : std::numeric_limits<double>::quiet_NaN());
  }
  return out;
}

int64_t ClassificationMetrics::confusion(int64_t label, int64_t predicted) const {
  CNN_CHECK(label >= 0 && label < num_classes_ && predicted >= 0 && predicted < num_classes_,
            "metrics: confusion({}, {}) is outside the {} classes", label, predicted, num_classes_);
  return confusion_[static_cast<size_t>(label * num_classes_ + predicted)];
}

std::string format_confusion_matrix(const ClassificationMetrics& m, const std::vector<std::string>& classes) {
  const int64_t n = m.num_classes();
  std::vector<std::string> rows;
  size_t width = std::string("true \\ predicted").size(), cell = 3;
  for (int64_t c = 0; c < n; ++c) {
    const bool named = c < static_cast<int64_t>(classes.size()) && classes[static_cast<size_t>(c)] != std::to_string(c);
    rows.push_back(named ? fmt::format("{} {}", c, classes[static_cast<size_t>(c)]) : std::to_string(c));
    width = std::max(width, rows.back().size());
    cell = std::max(cell, std::to_string(c).size());
  }
  for (int64_t v : m.confusion_matrix()) cell = std::max(cell, std::to_string(v).size());
  std::string out = fmt::format("{:<{}}", "true \\ predicted", width);
  for (int64_t c = 0; c < n; ++c) out += fmt::format(" {:>{}}", c, cell);
  out += "  accuracy\n";
  const std::vector<double> acc = m.per_class_accuracy();
  for (int64_t r = 0; r < n; ++r) {
    out += fmt::format("{:<{}}", rows[static_cast<size_t>(r)], width);
    for (int64_t c = 0; c < n; ++c) out += fmt::format(" {:>{}}", m.confusion(r, c), cell);
    const double a = acc[static_cast<size_t>(r)];
    out += std::isnan(a) ? "         -\n" : fmt::format("  {:7.2f}%\n", 100.0 * a);
  }
  return out;
}

}  // namespace cnn

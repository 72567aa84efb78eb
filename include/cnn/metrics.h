// Classification metrics accumulated over batches: mean loss, top-1 and top-5 accuracy, per-class accuracy and
// the confusion matrix (as torchmetrics' MulticlassAccuracy / ConfusionMatrix). Not the loss itself (ops.h).
#pragma once

#include <cnn/tensor.h>

#include <string>
#include <vector>

namespace cnn {

/// Usage: ClassificationMetrics m;  for (batch...) m.update(logits, labels, loss_sum);  m.top1(), m.confusion(3, 5)
class ClassificationMetrics {
 public:
  /// num_classes 0: taken from the first batch's logits.
  explicit ClassificationMetrics(int64_t num_classes = 0);
  /// Adds a batch: logits [B, C], labels [B] (i64), and the loss summed over the batch (not its mean).
  /// A row counts for top-k when fewer than k entries beat its label's (ties go to the lower class index, so
  /// top-1 agrees with argmax). Labels outside [0, C) throw, naming the row.
  void update(const Tensor& logits, const Tensor& labels, double loss_sum);

  int64_t samples() const { return samples_; }
  int64_t num_classes() const { return num_classes_; }
  /// Mean loss per sample; 0 before any update.
  double loss() const;
  /// Fractions in [0, 1]. top5 uses min(5, C) classes.
  double top1() const;
  double top5() const;
  /// Per class: correct / samples of that class (NaN for a class with no samples).
  std::vector<double> per_class_accuracy() const;
  /// Samples of true class `label` predicted (top-1) as `predicted`.
  int64_t confusion(int64_t label, int64_t predicted) const;
  /// The confusion matrix row-major: rows are true classes, columns predictions (num_classes^2 counts).
  const std::vector<int64_t>& confusion_matrix() const { return confusion_; }
  /// Sums the counts, the loss and the confusion matrix over every rank (distributed.h), so a sharded evaluation
  /// reports on the whole split; every rank must have seen the same number of classes. A world of one: no-op.
  void all_reduce();

 private:
  int64_t num_classes_ = 0, samples_ = 0, top1_ = 0, top5_ = 0;
  double loss_sum_ = 0.0;
  std::vector<int64_t> confusion_;
};

/// The confusion matrix as an aligned text table with class names (or indices when `classes` is empty) and a
/// per-class accuracy column. Usage: fmt::print("{}", format_confusion_matrix(m, {"cat", "dog"}));
std::string format_confusion_matrix(const ClassificationMetrics& metrics, const std::vector<std::string>& classes);

}  // namespace cnn

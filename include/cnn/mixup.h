// mixup and CutMix of a training batch, as timm's Mixup (mode "batch"): one lam per batch from Beta(alpha, alpha),
// each image mixed with the batch's flipped order, targets one-hot (label-smoothed) then mixed with the same lam.
// Not the loss (soft_target_cross_entropy, ops.h) nor the loop that applies it (train_one_epoch, train.h).
#pragma once

#include <cnn/dataset.h>
#include <cnn/tensor.h>

#include <cstdint>

namespace cnn {

/// How mixing parameters are drawn: batch (one lam and box per batch). timm's pair and elem modes (per pair or
/// per sample) are not implemented.
enum class MixupMode { batch };

/// timm's Mixup arguments (train.py's --mixup, --cutmix, --mixup-prob, --mixup-switch-prob, --mixup-mode).
struct MixupOptions {
  double mixup_alpha = 0.0;   // > 0: mixup with lam ~ Beta(alpha, alpha)
  double cutmix_alpha = 0.0;  // > 0: CutMix with lam ~ Beta(alpha, alpha)
  double prob = 1.0;          // probability that a batch is mixed at all
  double switch_prob = 0.5;   // with both alphas: probability of CutMix instead of mixup
  MixupMode mode = MixupMode::batch;
  bool correct_lam = true;  // CutMix: lam = 1 - box area / image area after clipping the box to the image
};

/// A CutMix box: rows [y0, y1), columns [x0, x1) (empty when y0 == y1 or x0 == x1).
struct CutBox {
  int64_t y0 = 0, y1 = 0, x0 = 0, x1 = 0;
  int64_t area() const { return (y1 - y0) * (x1 - x0); }
};

/// One batch's draw: lam is the weight of each sample's own image and label (1: unmixed).
struct MixupDraw {
  double lam = 1.0;
  bool cutmix = false;
  CutBox box{};
};

/// Beta(a, b) through two Gamma draws (Marsaglia and Tsang): numpy's distribution, not its bit stream.
double sample_beta(double a, double b, SampleRng& rng);

/// timm's rand_bbox (margin 0): a box of side int(H sqrt(1 - lam)) x int(W sqrt(1 - lam)) centred on a uniform
/// pixel (cy, then cx), clipped to the image.
CutBox rand_bbox(int64_t height, int64_t width, double lam, SampleRng& rng);

/// timm's mixup_target: one-hot targets [N, num_classes] with label smoothing (off = smoothing / C, on = 1 -
/// smoothing + off), mixed as lam * y + (1 - lam) * y.flip(0). labels i64 [N].
Tensor mixup_target(const Tensor& labels, int64_t num_classes, double lam, double smoothing = 0.0);

/// Usage: Mixup mix({.mixup_alpha = 0.2, .cutmix_alpha = 1.0});
///        MixupDraw d = mix.draw(rng, 28, 28);  Tensor x = mix.mix_images(batch.images, d);
///        loss = soft_target_cross_entropy(model(x), mixup_target(batch.labels, classes, d.lam, smoothing));
class Mixup {
 public:
  /// Throws naming the option (as cnn train's flag) for a negative alpha or a probability outside [0, 1].
  explicit Mixup(const MixupOptions& options = {});
  /// False when both alphas are 0: the loop then trains with plain cross-entropy.
  bool enabled() const { return options_.mixup_alpha > 0.0 || options_.cutmix_alpha > 0.0; }
  const MixupOptions& options() const { return options_; }

  /// timm's _params_per_batch then cutmix_bbox_and_lam, drawing in its order: mixed at all (prob), CutMix or
  /// mixup (switch_prob, when both alphas), lam ~ Beta, then the box (cy, cx) for CutMix.
  MixupDraw draw(SampleRng& rng, int64_t height, int64_t width) const;
  /// images [N, C, H, W] mixed with images.flip(0): lam * x + (1 - lam) * x_flipped, or for CutMix the box
  /// pasted from x_flipped. A new tensor; `images` is left as it is. lam 1 returns `images` itself.
  Tensor mix_images(const Tensor& images, const MixupDraw& draw) const;

 private:
  MixupOptions options_;
};

/// The label that dominates each mixed sample, for training accuracy: labels when lam >= 0.5, else labels.flip(0).
Tensor dominant_labels(const Tensor& labels, double lam);

}  // namespace cnn

// mixup and CutMix as timm's timm/data/mixup.py in mode "batch": the draw (Beta lam, the CutMix box with lam
// corrected to its area), the mixed images and the mixed soft targets. Not the loss nor the loop (train.cpp).
#include <cnn/mixup.h>

#include <algorithm>
#include <cmath>

namespace cnn {

namespace {

// Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) * U^(1 / shape).
double sample_gamma(double shape, SampleRng& rng) {
  if (shape < 1.0) return sample_gamma(shape + 1.0, rng) * std::pow(1.0 - rng.uniform(), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = rng.normal();
    const double v = std::pow(1.0 + c * x, 3);
    if (v <= 0.0) continue;
    const double u = 1.0 - rng.uniform();  // in (0, 1]
    if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

void check_images(const Tensor& images) {
  CNN_CHECK(images.dim() == 4 && images.dtype() == DType::f32,
            "mixup: expected float images [N, C, H, W], got {} of shape {}", dtype_name(images.dtype()),
            images.shape());
}

}  // namespace

double sample_beta(double a, double b, SampleRng& rng) {
  CNN_CHECK(a > 0.0 && b > 0.0, "sample_beta: expected positive a and b, got {} and {}", a, b);
  for (;;) {
    const double x = sample_gamma(a, rng), y = sample_gamma(b, rng);
    if (x + y > 0.0) return x / (x + y);  // both underflow to 0 only for tiny a, b: draw again
  }
}

CutBox rand_bbox(int64_t height, int64_t width, double lam, SampleRng& rng) {
  CNN_CHECK(height > 0 && width > 0 && lam >= 0.0 && lam <= 1.0,
            "rand_bbox: expected a positive image size and lam in [0, 1], got {}x{} and lam {}", height, width, lam);
  const double ratio = std::sqrt(1.0 - lam);
  const auto cut_h = static_cast<int64_t>(static_cast<double>(height) * ratio);
  const auto cut_w = static_cast<int64_t>(static_cast<double>(width) * ratio);
  const int64_t cy = rng.randint(0, height), cx = rng.randint(0, width);
  return {.y0 = std::clamp<int64_t>(cy - cut_h / 2, 0, height),
          .y1 = std::clamp<int64_t>(cy + cut_h / 2, 0, height),
          .x0 = std::clamp<int64_t>(cx - cut_w / 2, 0, width),
          .x1 = std::clamp<int64_t>(cx + cut_w / 2, 0, width)};
}

Tensor mixup_target(const Tensor& labels, int64_t num_classes, double lam, double smoothing) {
  CNN_CHECK(labels.dim() == 1 && labels.dtype() == DType::i64, "mixup_target: expected i64 labels [N], got {} of {}",
            dtype_name(labels.dtype()), labels.shape());
  CNN_CHECK(num_classes > 0, "mixup_target: num_classes must be positive, got {}", num_classes);
  const Tensor y = labels.contiguous();
  const int64_t n = y.numel();
  const float off = static_cast<float>(smoothing / static_cast<double>(num_classes));
  const float on = static_cast<float>(1.0 - smoothing) + off;
  const auto lam_f = static_cast<float>(lam), rest = static_cast<float>(1.0 - lam);
  Tensor out = zeros({n, num_classes});
  float* t = out.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t a = y.data<int64_t>()[i], b = y.data<int64_t>()[n - 1 - i];
    CNN_CHECK(a >= 0 && a < num_classes, "mixup_target: label {} at index {} is outside [0, {})", a, i, num_classes);
    for (int64_t c = 0; c < num_classes; ++c)
      t[i * num_classes + c] = (c == a ? on : off) * lam_f + (c == b ? on : off) * rest;
  }
  return out;
}

Tensor dominant_labels(const Tensor& labels, double lam) {
  if (lam >= 0.5) return labels;
  const Tensor y = labels.contiguous();
  const int64_t n = y.numel();
  std::vector<int64_t> flipped(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) flipped[static_cast<size_t>(i)] = y.data<int64_t>()[n - 1 - i];
  return from_vector(flipped, labels.shape());
}

Mixup::Mixup(const MixupOptions& o) : options_(o) {
  CNN_CHECK(o.mixup_alpha >= 0.0, "mixup: --mixup (alpha) must be >= 0, got {}", o.mixup_alpha);
  CNN_CHECK(o.cutmix_alpha >= 0.0, "mixup: --cutmix (alpha) must be >= 0, got {}", o.cutmix_alpha);
  CNN_CHECK(o.prob >= 0.0 && o.prob <= 1.0, "mixup: --mixup-prob must be in [0, 1], got {}", o.prob);
  CNN_CHECK(o.switch_prob >= 0.0 && o.switch_prob <= 1.0, "mixup: --mixup-switch-prob must be in [0, 1], got {}",
            o.switch_prob);
}

MixupDraw Mixup::draw(SampleRng& rng, int64_t height, int64_t width) const {
  MixupDraw d;
  if (!enabled() || !(rng.uniform() < options_.prob)) return d;
  const MixupOptions& o = options_;
  if (o.mixup_alpha > 0.0 && o.cutmix_alpha > 0.0)
    d.cutmix = rng.uniform() < o.switch_prob;
  else
    d.cutmix = o.cutmix_alpha > 0.0;
  const double alpha = d.cutmix ? o.cutmix_alpha : o.mixup_alpha;
  d.lam = sample_beta(alpha, alpha, rng);
  if (d.cutmix) {
    d.box = rand_bbox(height, width, d.lam, rng);
    if (o.correct_lam)
      d.lam = 1.0 - static_cast<double>(d.box.area()) / static_cast<double>(height * width);
  }
  return d;
}

Tensor Mixup::mix_images(const Tensor& images, const MixupDraw& d) const {
  check_images(images);
  if (d.lam == 1.0) return images;
  const Tensor x = images.contiguous();
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), image = c * h * w;
  Tensor out = x.clone(MemoryFormat::contiguous);
  const float* src = x.data<float>();
  float* dst = out.data<float>();
  if (d.cutmix) {
    CNN_CHECK(d.box.y0 >= 0 && d.box.y1 <= h && d.box.x0 >= 0 && d.box.x1 <= w,
              "mixup: the CutMix box rows [{}, {}) columns [{}, {}) is outside the {}x{} images", d.box.y0, d.box.y1,
              d.box.x0, d.box.x1, h, w);
    for (int64_t i = 0; i < n; ++i)
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = d.box.y0; y < d.box.y1; ++y)
          for (int64_t xx = d.box.x0; xx < d.box.x1; ++xx) {
            const int64_t at = (ch * h + y) * w + xx;
            dst[i * image + at] = src[(n - 1 - i) * image + at];
          }
    return out;
  }
  const auto lam = static_cast<float>(d.lam), rest = static_cast<float>(1.0 - d.lam);
  for (int64_t i = 0; i < n; ++i) {
    const float* own = src + i * image;
    const float* other = src + (n - 1 - i) * image;
    for (int64_t k = 0; k < image; ++k) dst[i * image + k] = own[k] * lam + other[k] * rest;
  }
  return out;
}

}  // namespace cnn

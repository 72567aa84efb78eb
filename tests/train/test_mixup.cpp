// mixup and CutMix as timm's Mixup (mode batch): Beta draws, a 2-image batch mixed into the exact convex
// combination, the CutMix box and its lam correction, smoothed-then-mixed targets, the draw order, the options'
// errors, and a fit() under mixup + CutMix that resumes bit for bit.
#include <cnn/backend.h>
#include <cnn/mixup.h>
#include <cnn/ops.h>
#include <cnn/random.h>
#include <cnn/train.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "synthetic.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace cnn {
namespace {

TEST(Mixup, BetaDrawsHaveTheBetaMoments) {
  for (const auto& [a, b] : {std::pair{0.2, 0.2}, std::pair{1.0, 1.0}, std::pair{2.0, 5.0}}) {
    SampleRng rng(3, 0, 0);
    constexpr int kDraws = 20000;
    double sum = 0.0, sum_sq = 0.0;
    for (int i = 0; i < kDraws; ++i) {
      const double x = sample_beta(a, b, rng);
      ASSERT_TRUE(x >= 0.0 && x <= 1.0) << x;
      sum += x;
      sum_sq += x * x;
    }
    const double mean = sum / kDraws, var = sum_sq / kDraws - mean * mean;
    EXPECT_NEAR(mean, a / (a + b), 0.01) << "Beta(" << a << ", " << b << ")";
    EXPECT_NEAR(var, a * b / ((a + b) * (a + b) * (a + b + 1)), 0.01) << "Beta(" << a << ", " << b << ")";
  }
}

// Two 1x2x2 images and labels 0, 1 of 3 classes: each image becomes lam * itself + (1 - lam) * the other, each
// target lam * its smoothed one-hot + (1 - lam) * the other's (smoothing 0.1: off 0.1/3, on 0.9 + 0.1/3).
TEST(Mixup, TwoImageBatchIsTheExactConvexCombination) {
  const Tensor images = from_vector(std::vector<float>{1, 2, 3, 4, -1, 0.5f, 8, 0}, {2, 1, 2, 2});
  const Tensor labels = from_vector(std::vector<int64_t>{0, 1}, {2});
  const Mixup mix({.mixup_alpha = 0.4});
  SampleRng rng(7, 0, 0);
  const MixupDraw d = mix.draw(rng, 2, 2);
  SampleRng replay(7, 0, 0);
  replay.uniform();  // mixed at all (prob 1)
  EXPECT_EQ(d.lam, sample_beta(0.4, 0.4, replay)) << "the draw is prob, then lam";
  ASSERT_FALSE(d.cutmix);
  ASSERT_TRUE(d.lam > 0.0 && d.lam < 1.0) << d.lam;

  const std::vector<float> x = images.to_vector<float>(), out = mix.mix_images(images, d).to_vector<float>();
  const auto lam = static_cast<float>(d.lam), rest = static_cast<float>(1.0 - d.lam);
  // Equal up to float rounding (FLOAT_EQ: 4 ulps): the library may fuse a * b + c into one FMA (-march=native).
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_FLOAT_EQ(out[k], x[k] * lam + x[4 + k] * rest) << k;
    EXPECT_FLOAT_EQ(out[4 + k], x[4 + k] * lam + x[k] * rest) << k;
  }
  EXPECT_EQ(images.to_vector<float>(), x) << "the batch itself is left as it is";

  const std::vector<float> t = mixup_target(labels, 3, d.lam, 0.1).to_vector<float>();
  const float off = static_cast<float>(0.1 / 3), on = static_cast<float>(1.0 - 0.1) + off;
  const std::vector<float> expected{on * lam + off * rest, off * lam + on * rest, off * lam + off * rest,
                                    off * lam + on * rest, on * lam + off * rest, off * lam + off * rest};
  ASSERT_EQ(t.size(), expected.size());
  for (size_t k = 0; k < t.size(); ++k) EXPECT_FLOAT_EQ(t[k], expected[k]) << k;
  EXPECT_EQ(dominant_labels(labels, d.lam).to_vector<int64_t>(),
            (d.lam >= 0.5 ? std::vector<int64_t>{0, 1} : std::vector<int64_t>{1, 0}));
}

TEST(Mixup, UnmixedTargetsGiveTheLabelSmoothedCrossEntropy) {
  manual_seed(1);
  const Tensor logits = test::uniform({4, 5});
  const Tensor labels = from_vector(std::vector<int64_t>{0, 3, 4, 1}, {4});
  EXPECT_NEAR(soft_target_cross_entropy(logits, mixup_target(labels, 5, 1.0, 0.1)).item(),
              cross_entropy(logits, labels, {.label_smoothing = 0.1}).item(), 1e-6);
}

// timm's rand_bbox: cut = int(side * sqrt(1 - lam)), centre (cy, cx) uniform, edges centre -/+ cut // 2 clipped.
TEST(CutMix, BoxIsTimmsRandBboxAndLamIsCorrectedToItsArea) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    SampleRng rng(seed, 0, 0), replay(seed, 0, 0);
    const CutBox box = rand_bbox(10, 12, 0.64, rng);  // sqrt(0.36) = 0.6: cut 6 x 7
    const int64_t cy = replay.randint(0, 10), cx = replay.randint(0, 12);
    EXPECT_EQ(box.y0, std::clamp<int64_t>(cy - 3, 0, 10));
    EXPECT_EQ(box.y1, std::clamp<int64_t>(cy + 3, 0, 10));
    EXPECT_EQ(box.x0, std::clamp<int64_t>(cx - 3, 0, 12));
    EXPECT_EQ(box.x1, std::clamp<int64_t>(cx + 3, 0, 12));
  }
  const Mixup cutmix({.cutmix_alpha = 1.0});
  const Tensor images = arange(0, 2 * 3 * 8 * 8).reshape({2, 3, 8, 8});
  int corrected = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    SampleRng rng(seed, 0, 0), replay(seed, 0, 0);
    const MixupDraw d = cutmix.draw(rng, 8, 8);
    ASSERT_TRUE(d.cutmix);
    replay.uniform();
    const double raw_lam = sample_beta(1.0, 1.0, replay);
    EXPECT_EQ(d.box.area(), rand_bbox(8, 8, raw_lam, replay).area());
    EXPECT_DOUBLE_EQ(d.lam, 1.0 - static_cast<double>(d.box.area()) / 64.0) << "correct_lam";
    corrected += d.lam != raw_lam;
    const Tensor out = cutmix.mix_images(images, d);
    const std::vector<float> x = images.to_vector<float>(), y = out.to_vector<float>();
    int64_t pasted = 0;
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t r = 0; r < 8; ++r)
          for (int64_t q = 0; q < 8; ++q) {
            const bool inside = r >= d.box.y0 && r < d.box.y1 && q >= d.box.x0 && q < d.box.x1;
            const auto at = static_cast<size_t>(((i * 3 + c) * 8 + r) * 8 + q);
            const auto other = static_cast<size_t>((((1 - i) * 3 + c) * 8 + r) * 8 + q);
            ASSERT_EQ(y[at], inside ? x[other] : x[at]) << "image " << i << " row " << r << " column " << q;
            pasted += inside;
          }
    EXPECT_EQ(pasted, 2 * 3 * d.box.area());
  }
  EXPECT_GT(corrected, 10) << "the box's area rarely equals 1 - lam exactly";
}

TEST(Mixup, ProbabilitiesChooseWhetherAndHowToMix) {
  SampleRng rng(5, 0, 0);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Mixup({.mixup_alpha = 1.0, .prob = 0.0}).draw(rng, 4, 4).lam, 1.0) << "prob 0: never mixed";
    EXPECT_FALSE(Mixup({.mixup_alpha = 1.0, .cutmix_alpha = 1.0, .switch_prob = 0.0}).draw(rng, 4, 4).cutmix);
    EXPECT_TRUE(Mixup({.mixup_alpha = 1.0, .cutmix_alpha = 1.0, .switch_prob = 1.0}).draw(rng, 4, 4).cutmix);
  }
  EXPECT_FALSE(Mixup().enabled());
  const Tensor x = ones({2, 1, 2, 2});
  EXPECT_TRUE(Mixup().mix_images(x, {}).is_same(x)) << "lam 1: the batch itself";
}

TEST(Mixup, OptionErrorsNameTheFlag) {
  EXPECT_NE(test::error_message([] { Mixup({.cutmix_alpha = -1}); }).find("--cutmix (alpha) must be >= 0, got -1"),
            std::string::npos);
  EXPECT_NE(test::error_message([] { Mixup({.prob = 1.5}); }).find("--mixup-prob must be in [0, 1], got 1.5"),
            std::string::npos);
}

// fit() with mixup + CutMix for 3 epochs, and the same stopped after 1 and resumed: the same weights, byte for byte.
FitResult fit_mixed(const std::string& dir, int64_t stop_after, const std::string& resume = "") {
  struct StopAfter : Callback {
    int64_t epochs, seen = 0;
    explicit StopAfter(int64_t e) : epochs(e) {}
    void on_epoch_end(const EpochMetrics&, const EvalResult&) override { ++seen; }
    bool stop_training() const override { return epochs > 0 && seen >= epochs; }
  };
  manual_seed(11);
  auto model = test::small_cnn(4);
  DataLoader train(test::band_data(48, 4, true), {.batch_size = 16, .shuffle = true, .seed = 5, .num_workers = 2});
  DataLoader val(test::band_data(16, 4, false), {.batch_size = 16, .num_workers = 1});
  SGD opt(model->parameters(), {.lr = 0.05, .momentum = 0.9});
  return fit(*model, train, val, opt,
             {.epochs = 3,
              .output_dir = dir,
              .callbacks = {std::make_shared<StopAfter>(stop_after)},
              .label_smoothing = 0.1,
              .mixup = {.mixup_alpha = 0.4, .cutmix_alpha = 1.0},
              .resume = resume});
}

TEST(Mixup, FitUnderMixupResumesBitForBit) {
  const int threads = get_num_threads();
  set_num_threads(1);
  const std::string whole = test::temp_dir("mixup_whole"), parts = test::temp_dir("mixup_parts");
  const FitResult full = fit_mixed(whole, 0);
  fit_mixed(parts, 1);
  const FitResult resumed = fit_mixed(parts, 0, parts);
  set_num_threads(threads);
  EXPECT_EQ(resumed.start_epoch, 1);
  EXPECT_EQ(test::slurp(whole + "/model.safetensors"), test::slurp(parts + "/model.safetensors"));
  ASSERT_EQ(full.history.size(), resumed.history.size());
  for (size_t e = 0; e < full.history.size(); ++e) {
    EXPECT_TRUE(std::isfinite(full.history[e].train_loss));
    EXPECT_EQ(full.history[e].train_loss, resumed.history[e].train_loss) << "epoch " << e + 1;
  }
}

}  // namespace
}  // namespace cnn

// Post-training int8 quantisation: calibration ranges are what the layers saw (minmax) or below it (percentile),
// the quantised model stays close to the f32 one, its state_dict round-trips through a file into a prepared
// model with identical outputs, and errors name the bad setting.
#include <cnn/cnn.h>
#include <cnn/io.h>
#include <cnn/layers_quantized.h>
#include <cnn/models.h>
#include <cnn/quantize.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace cnn {
namespace {

// Random grayscale 28x28 images as f32 tensors (what a dataset with the eval transform hands out).
class RandomImages : public Dataset {
 public:
  explicit RandomImages(int64_t n) : n_(n) {}
  int64_t size() const override { return n_; }
  int64_t get_into(int64_t i, Image& out, SampleRng&) const override {
    Generator g(static_cast<uint64_t>(i));
    std::vector<float> v(28 * 28);
    for (float& x : v) x = static_cast<float>(g.normal());
    out = Image::from_tensor(from_vector(v, {1, 28, 28}));
    return i % 10;
  }

 private:
  int64_t n_;
};

ModulePtr plain_model() {
  manual_seed(3);
  ModulePtr m = models::create("plaincnn", {.num_classes = 10, .in_channels = 1,
                                            .kwargs = {{"depth", "3"}, {"width", "16"}}});
  m->eval();
  return m;
}

TEST(Quantize, MinmaxRangesAreTheLargestInputsAndPercentileClipsBelow) {
  ModulePtr model = plain_model();
  auto data = std::make_shared<RandomImages>(40);
  const auto ranges = quant::calibrate(*model, data, {.images = 40, .batch_size = 16});
  std::vector<std::string> names;
  for (const auto& [name, r] : ranges) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"classifier.2", "features.0", "features.4", "features.8"}));
  // The first conv sees the images themselves: its range is their largest |value|.
  double max_abs = 0;
  SampleRng rng;
  for (int64_t i = 0; i < 40; ++i) {
    Image im;
    data->get_into(i, im, rng);
    const Tensor t = im.to_tensor().contiguous();
    for (int64_t k = 0; k < t.numel(); ++k) max_abs = std::max(max_abs, static_cast<double>(std::abs(t.data<float>()[k])));
  }
  EXPECT_NEAR(ranges.at("features.0"), max_abs, 1e-6);
  const auto clipped = quant::calibrate(*model, data, {.images = 40, .method = "percentile", .percentile = 99.0});
  for (const auto& [name, r] : ranges) {
    EXPECT_LE(clipped.at(name), r) << name;
    EXPECT_GT(clipped.at(name), 0.3 * r) << name;
  }
  EXPECT_EQ(test::error_message([&] { quant::calibrate(*model, data, {.method = "kl"}); }),
            "quantize: calibration method must be minmax or percentile, got 'kl'");
  EXPECT_EQ(test::error_message([&] { quant::calibrate(*model, data, {.images = 0}); }),
            "quantize: calibration images must be positive, got 0");
}

TEST(Quantize, Int8ModelStaysCloseAndRoundTripsThroughAFile) {
  ModulePtr model = plain_model();
  auto data = std::make_shared<RandomImages>(64);
  manual_seed(8);
  const Tensor x = randn({6, 1, 28, 28});
  Tensor f32;
  {
    NoGradGuard no_grad;
    f32 = (*model)(x).contiguous();
  }
  const auto ranges = quant::calibrate(*model, data, {.images = 64});
  EXPECT_EQ(quant::quantize_model(*model, ranges), 4);
  EXPECT_NE(dynamic_cast<QuantizedConv2d*>(model->get_submodule("features.0").get()), nullptr);
  EXPECT_NE(dynamic_cast<QuantizedLinear*>(model->get_submodule("classifier.2").get()), nullptr);
  Tensor int8;
  {
    NoGradGuard no_grad;
    int8 = (*model)(x).contiguous();
  }
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < f32.numel(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(int8.data<float>()[i] - f32.data<float>()[i])));
    scale = std::max(scale, static_cast<double>(std::abs(f32.data<float>()[i])));
  }
  EXPECT_LT(worst, 0.05 * scale) << "int8 logits within 5% of the largest f32 logit";

  const StateDict state = model->state_dict();
  EXPECT_EQ(state.at("features.0.weight").dtype(), DType::i8);
  EXPECT_EQ(state.at("features.0.weight_scale").shape(), Shape({16}));
  EXPECT_NEAR(state.at("features.0.input_scale").item(), ranges.at("features.0") / 127, 1e-8) << "stored as float32";
  const std::string dir = test::temp_dir("quantize");
  save_safetensors(dir + "/int8.safetensors", state);
  ModulePtr loaded = plain_model();
  EXPECT_EQ(quant::prepare_quantized(*loaded), 4);
  loaded->load_state_dict(load_safetensors(dir + "/int8.safetensors"));
  loaded->eval();
  NoGradGuard no_grad;
  EXPECT_ALLCLOSE((*loaded)(x), int8, 0, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cnn

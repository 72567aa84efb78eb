// Maximally activating patches: exact top images, positions and clipped receptive fields on a constructed case.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

// Five 1x4x4 images, all zero but one pixel: image i has value peaks[i] at positions[i].
class OnePixelImages : public Dataset {
 public:
  int64_t size() const override { return 5; }
  int64_t get_into(int64_t i, Image& out, SampleRng&) const override {
    static const float peaks[] = {1.0f, 5.0f, -3.0f, 4.0f, 5.0f};
    static const int64_t positions[] = {5, 0, 10, 15, 6};
    std::vector<float> v(16, 0.0f);
    v[static_cast<size_t>(positions[i])] = peaks[i];
    out = Image::from_tensor(from_vector(v, {1, 4, 4}));
    return 10 + i;
  }
};

// A 3x3 conv (padding 1) with only its centre tap: channel 0 is the image, channel 1 its negative.
std::shared_ptr<Sequential> centre_model() {
  auto seq = std::make_shared<Sequential>(Conv2d(1, 2, {.kernel_size = 3, .padding = 1, .bias = false}));
  NoGradGuard no_grad;
  std::vector<float> w(18, 0.0f);
  w[4] = 1.0f;
  w[13] = -1.0f;
  seq->at<Conv2d>(0)->weight.copy_(from_vector(w, {2, 1, 3, 3}));
  return seq;
}

TEST(TopActivations, ExactImagesPositionsAndFields) {
  auto model = centre_model();
  OnePixelImages data;
  const auto top = viz::top_activations(*model, data, "0", {.top = 3, .batch = 2});
  ASSERT_EQ(top.size(), 2u);  // both channels (max_channels 8 > 2)
  ASSERT_EQ(top[0].size(), 3u);
  // Channel 0: images 1 and 4 tie at 5 (lower index first), then image 3 (4).
  EXPECT_EQ(top[0][0].image, 1);
  EXPECT_EQ(top[0][0].label, 11);
  EXPECT_EQ(top[0][0].position.h, 0);
  EXPECT_EQ(top[0][0].position.w, 0);
  EXPECT_DOUBLE_EQ(top[0][0].value, 5.0);
  EXPECT_EQ(top[0][1].image, 4);
  EXPECT_EQ(top[0][1].position.h, 1);
  EXPECT_EQ(top[0][1].position.w, 2);
  EXPECT_EQ(top[0][2].image, 3);
  EXPECT_EQ(top[0][2].position.h, 3);
  EXPECT_EQ(top[0][2].position.w, 3);
  // Receptive field 3x3 around the position, clipped at the corner.
  EXPECT_EQ(top[0][0].receptive_field.top, -1);
  EXPECT_EQ(top[0][0].receptive_field.height, 3);
  EXPECT_EQ(top[0][0].field.top, 0);
  EXPECT_EQ(top[0][0].field.left, 0);
  EXPECT_EQ(top[0][0].field.height, 2);
  EXPECT_EQ(top[0][0].field.width, 2);
  EXPECT_EQ(top[0][1].field.top, 0);
  EXPECT_EQ(top[0][1].field.left, 1);
  EXPECT_EQ(top[0][1].field.height, 3);
  EXPECT_EQ(top[0][1].field.width, 3);
  EXPECT_EQ(top[0][2].field.top, 2);
  EXPECT_EQ(top[0][2].field.height, 2);
  // Channel 1 (the negative): image 2's -(-3) = 3 first, then zeros everywhere else: the first 0 of image 0.
  EXPECT_EQ(top[1][0].image, 2);
  EXPECT_EQ(top[1][0].position.h, 2);
  EXPECT_EQ(top[1][0].position.w, 2);
  EXPECT_DOUBLE_EQ(top[1][0].value, 3.0);
  EXPECT_EQ(top[1][1].image, 0);
  EXPECT_EQ(top[1][1].position.h, 0);
  EXPECT_EQ(top[1][1].position.w, 0);
  EXPECT_DOUBLE_EQ(top[1][1].value, 0.0);
}

TEST(TopActivations, ChannelsLimitCropAndErrors) {
  auto model = centre_model();
  OnePixelImages data;
  const auto top = viz::top_activations(*model, data, "0", {.channels = {1}, .top = 9, .limit = 2});
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].size(), 2u);  // only two images searched
  const Tensor image = data.get(4).image;
  const Tensor patch = viz::crop(image, {.top = 0, .left = 1, .height = 3, .width = 3});
  EXPECT_EQ(patch.shape(), Shape({1, 3, 3}));
  EXPECT_EQ(patch[0][1][1].item(), 5.0);  // image 4's pixel (1, 2)
  EXPECT_NE(test::error_message([&] { viz::top_activations(*model, data, "0", {.channels = {2}}); })
                .find("channel 2 is out of range"),
            std::string::npos);
}

TEST(TopActivations, ReceptiveFieldOfARepeatedModuleByCall) {
  // simplecnn calls relu three times; relu#1 rectifies conv2, so it sees what conv2 sees (8x8, from (-2, -2)).
  ModulePtr model = models::create("simplecnn");
  const viz::Window conv2 = viz::analytic_receptive_field(*model, {1, 28, 28}, {0, 0}, "conv2");
  const viz::Window relu1 = viz::analytic_receptive_field(*model, {1, 28, 28}, {0, 0}, "relu#1");
  EXPECT_EQ(relu1.top, conv2.top);
  EXPECT_EQ(relu1.height, 8);
  EXPECT_EQ(relu1.width, conv2.width);
  EXPECT_EQ(viz::analytic_receptive_field(*model, {1, 28, 28}, {0, 0}, "relu#0").height, 3);  // after conv1
}

TEST(DatasetFeatures, FlattensTheLayerPerSample) {
  auto model = centre_model();
  OnePixelImages data;
  auto [features, labels] = viz::dataset_features(*model, data, "0", 3, 2);
  EXPECT_EQ(features.shape(), Shape({3, 32}));
  EXPECT_EQ(labels.to_vector<int64_t>(), (std::vector<int64_t>{10, 11, 12}));
  EXPECT_EQ(features[1][0].item(), 5.0);   // image 1, channel 0, pixel 0
  EXPECT_EQ(features[1][16].item(), -5.0);  // channel 1
}

}  // namespace
}  // namespace cnn

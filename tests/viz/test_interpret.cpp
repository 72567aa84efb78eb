// Saliency and Grad-CAM: shapes on a zoo model, and exact values on a tiny model where both are known by hand.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

// logits = [mean(x), 2 mean(x)]: a 1x1 conv with weights 1 and 2, global average pooling, flatten.
std::shared_ptr<Sequential> tiny_model() {
  auto seq = std::make_shared<Sequential>(Conv2d(1, 2, {.kernel_size = 1, .bias = false}), AdaptiveAvgPool2d(1),
                                          Flatten());
  NoGradGuard no_grad;
  seq->at<Conv2d>(0)->weight.copy_(from_vector(std::vector<float>{1, 2}, {2, 1, 1, 1}));
  return seq;
}

TEST(Saliency, ShapesOnSimpleCnn) {
  manual_seed(0);
  ModulePtr model = models::create("simplecnn");
  const Tensor image = test::uniform({1, 28, 28});
  EXPECT_EQ(viz::saliency(*model, image).shape(), Shape({28, 28}));
  const Tensor smooth = viz::saliency(*model, image, {.samples = 4, .noise = 0.1});
  EXPECT_EQ(smooth.shape(), Shape({28, 28}));
  EXPECT_GT(max(smooth).item(), 0.0);
  EXPECT_TRUE(model->is_training());  // the mode is restored
}

TEST(Saliency, KnownOnTinyModel) {
  auto model = tiny_model();
  const Tensor image = test::uniform({1, 4, 5});
  // d (2 mean x) / dx = 2 / 20 everywhere.
  EXPECT_ALLCLOSE(viz::saliency(*model, image, {.target = 1}), full({4, 5}, 0.1));
  EXPECT_ALLCLOSE(viz::saliency(*model, image, {.target = 0}), full({4, 5}, 0.05));
}

TEST(GradCam, KnownOnTinyModel) {
  auto model = tiny_model();
  // A bright blob top-left on a negative background: class 1's map is relu(2 x / 20), normalised.
  std::vector<float> v(20, -1.0f);
  v[0] = 4.0f;
  v[1] = 2.0f;
  v[5] = 1.0f;
  const Tensor image = from_vector(v, {1, 4, 5});
  const viz::GradCam cam = viz::gradcam(*model, "0", image, 1);
  EXPECT_EQ(cam.target, 1);
  EXPECT_EQ(cam.heatmap.shape(), Shape({4, 5}));
  std::vector<float> expected(20, 0.0f);
  expected[0] = 1.0f;
  expected[1] = 0.5f;
  expected[5] = 0.25f;
  EXPECT_ALLCLOSE(cam.heatmap, from_vector(expected, {4, 5}));
  EXPECT_ALLCLOSE(cam.coarse, from_vector(expected, {4, 5}) * 0.4);  // alpha_1 = 1/20, A_1 = 2x: relu(0.1 x)
}

TEST(GradCam, ShapesAndRangeOnSimpleCnn) {
  manual_seed(1);
  ModulePtr model = models::create("simplecnn");
  const Tensor image = test::uniform({1, 28, 28});
  EXPECT_EQ(viz::gradcam_layer(*model, {1, 28, 28}), "relu#1");  // after conv2 (conv1, relu#0, pool, conv2, relu#1)
  const viz::GradCam cam = viz::gradcam(*model, "conv2", image);
  EXPECT_EQ(cam.heatmap.shape(), Shape({28, 28}));
  EXPECT_EQ(cam.coarse.shape(), Shape({14, 14}));
  EXPECT_LE(max(cam.heatmap).item(), 1.0 + 1e-6);
  EXPECT_GE(min(cam.heatmap).item(), 0.0);
  EXPECT_EQ(cam.target, viz::predict(*model, image));
  EXPECT_EQ(viz::gradcam(*model, "conv2", image, 3).target, 3);
}

TEST(BoxMass, BoundingBoxAndMassInside) {
  std::vector<float> v(16, 0.0f);
  v[5] = 1.0f;
  v[10] = 3.0f;
  const Tensor plane = from_vector(v, {4, 4});
  const viz::Window box = viz::bounding_box(plane, 0.0);
  EXPECT_EQ(box.top, 1);
  EXPECT_EQ(box.left, 1);
  EXPECT_EQ(box.height, 2);
  EXPECT_EQ(box.width, 2);
  EXPECT_DOUBLE_EQ(viz::mass_inside(plane, {.top = 2, .left = 2, .height = 2, .width = 2}), 0.75);
}

}  // namespace
}  // namespace cnn

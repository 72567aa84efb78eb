// Grad-CAM looks at the digit: a simplecnn trained briefly on MNIST (first 3,000 training images, one pass, batch 32,
// Adam lr 2e-3) puts most of its Grad-CAM mass inside each test digit's bounding box, over 100 test images.
// The full one-epoch figure comes from `cnn viz gradcam --count 100` (docs/viz.md).
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/train.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

TEST(GradCamMnist, MassInsideTheDigitsBoundingBox) {
  const std::string dir = test::mnist_dir();
  if (dir.empty()) GTEST_SKIP() << "MNIST not found under ../shared/data/mnist";
  manual_seed(0);
  auto train = std::make_shared<SubsetDataset>(load_dataset("mnist", dir, true), 3000);
  auto test = load_dataset("mnist", dir, false);
  DataLoader loader(train, {.batch_size = 32, .shuffle = true, .seed = 0});
  ModulePtr model = models::create("simplecnn");
  Adam opt(model->parameters(), {.lr = 2e-3});
  const EvalResult r = train_one_epoch(*model, loader, opt);
  EXPECT_GT(r.accuracy, 0.5);  // the running mean over the pass, from chance upwards

  const std::string layer = viz::gradcam_layer(*model, {1, 28, 28});
  double mass = 0;
  const int64_t n = 100;
  for (int64_t i = 0; i < n; ++i) {
    const Example e = test->get(i);
    const viz::GradCam cam = viz::gradcam(*model, layer, e.image);
    const Tensor plane = e.image[0];
    const double lo = min(plane).item(), hi = max(plane).item();
    mass += viz::mass_inside(cam.heatmap, viz::bounding_box(plane, lo + 0.01 * (hi - lo)));
  }
  mass /= static_cast<double>(n);
  std::printf("Grad-CAM mass inside the digit's bounding box: %.1f%% (mean over %lld test images)\n", 100 * mass,
              static_cast<long long>(n));
  EXPECT_GE(mass, 0.7);
}

}  // namespace
}  // namespace cnn

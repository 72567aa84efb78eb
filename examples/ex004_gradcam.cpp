// Seeds 004 "What a CNN can see" (interpretation methods; the grad-cam library) and "Visualizing convnets":
// Grad-CAM at SimpleCNN's last rectified conv maps, next to saliency and SmoothGrad, for MNIST test digits after
// a short training run when --data-dir holds MNIST (else random weights on a synthetic stroke). Writes
// ex004_gradcam.png (one row per digit: image, saliency, SmoothGrad, Grad-CAM overlay) into --output.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/train.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"What a CNN can see\": Grad-CAM and saliency maps",
                           {{"--data-dir", "../shared/data/mnist", "MNIST folder"},
                            {"--steps", "200", "training steps"},
                            {"--count", "4", "images to explain"},
                            {"--output", ".", "folder for the written files"}});

  const std::string data_dir = flags.str("--data-dir");
  const int64_t steps = flags.i64("--steps");
  const int64_t count = flags.i64("--count");
  const std::filesystem::path out = flags.str("--output");
  std::filesystem::create_directories(out);
  cnn::manual_seed(0);
  auto model = cnn::models::simplecnn({.num_classes = 10});
  const std::string layer = cnn::viz::gradcam_layer(*model, {1, 28, 28});
  fmt::print("Grad-CAM layer: {} (the rectified maps of the last Conv2d)\n", layer);

  if (!std::filesystem::exists(std::filesystem::path(data_dir) / "t10k-images-idx3-ubyte.gz")) {
    fmt::print("MNIST not found in {}: random weights on a synthetic stroke\n", data_dir);
    cnn::Tensor image = cnn::zeros({1, 28, 28});
    image.slice(1, 6, 22).slice(2, 13, 16).fill_(1.0);
    const cnn::viz::GradCam cam = cnn::viz::gradcam(*model, layer, image);
    fmt::print("class {}: coarse map {}, heatmap {}\n", cam.target, cam.coarse.shape().str(),
               cam.heatmap.shape().str());
    cnn::viz::save_figure((out / "ex004_gradcam.png").string(),
                           {{.title = "Grad-CAM (random weights)",
                            .panels = {{.rgb = cnn::viz::to_rgb(image), .title = "input"},
                                       {.rgb = cnn::viz::overlay(cnn::viz::to_rgb(image), cam.heatmap),
                                        .title = "Grad-CAM"}}}});
    return 0;
  }

  auto train = cnn::load_dataset("mnist", data_dir, true);
  auto test = cnn::load_dataset("mnist", data_dir, false);
  if (steps > 0) {
    auto subset = std::make_shared<cnn::SubsetDataset>(train, steps * 64);
    cnn::DataLoader loader(subset, {.batch_size = 64, .shuffle = true, .seed = 0, .num_workers = 0});
    cnn::Adam opt(model->parameters(), {.lr = 1e-3});
    const cnn::EvalResult r = cnn::train_one_epoch(*model, loader, opt, {.max_steps = steps});
    fmt::print("trained {} Adam steps on MNIST: train accuracy {:.1f}%\n", steps, 100.0 * r.accuracy);
  }
  for (int64_t i = 0; i < count; ++i) {
    const cnn::Example ex = test->get(i);
    const cnn::viz::GradCam cam = cnn::viz::gradcam(*model, layer, ex.image);
    // How much of the heat lies on the digit's strokes (pixels brighter than the background).
    const cnn::Tensor ink = cnn::clamp((ex.image.select(0, 0) - cnn::min(ex.image).item()) * 1e6, 0.0, 1.0);
    const double on_ink = cnn::sum(cam.heatmap * ink).item() / std::max(cnn::sum(cam.heatmap).item(), 1e-12);
    fmt::print("test {}: label {}, explained class {}, coarse {}, heatmap {}, {:.0f}% of the heat on ink\n", i,
               ex.label, cam.target, cam.coarse.shape().str(), cam.heatmap.shape().str(), 100.0 * on_ink);
  }
  cnn::viz::save_figure((out / "ex004_gradcam.png").string(),
                        {cnn::viz::explanation_section(*model, *test, cnn::dataset_info("mnist").classes, layer,
                                                       count)},
                        {.title = "SimpleCNN on MNIST: saliency, SmoothGrad, Grad-CAM"});
  fmt::print("wrote ex004_gradcam.png in {}\n", out.string());
  return 0;
}

// Seeds 002 §9 and notebook cell 3: first-layer filters as 3x3 images (§9.1), activations captured with forward
// hooks (§9.2), and two of §14's suggested modifications: conv2's 64 activation maps of 7x7 and the saliency
// map |d score / d x|. SimpleCNN is trained briefly on MNIST when --data-dir holds it (else random weights).
// Writes ex002_9_filters.png, ex002_9_activations.png and ex002_9_saliency.png into --output.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/train.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §9 and notebook cell 3",
                           {{"--data-dir", "../shared/data/mnist", "MNIST folder"},
                            {"--steps", "200", "training steps"},
                            {"--output", ".", "folder for the written files"}});

  const std::string data_dir = flags.str("--data-dir");
  const int64_t steps = flags.i64("--steps");
  const std::filesystem::path out = flags.str("--output");
  std::filesystem::create_directories(out);
  cnn::manual_seed(0);
  auto model = cnn::models::simplecnn({.num_classes = 10});

  cnn::Tensor sample;
  int64_t label = -1;
  if (std::filesystem::exists(std::filesystem::path(data_dir) / "t10k-images-idx3-ubyte.gz")) {
    auto train = cnn::load_dataset("mnist", data_dir, true);
    auto subset = std::make_shared<cnn::SubsetDataset>(train, std::max<int64_t>(steps, 1) * 64);
    cnn::DataLoader loader(subset, {.batch_size = 64, .shuffle = true, .seed = 0, .num_workers = 0});
    cnn::Adam opt(model->parameters(), {.lr = 1e-3});
    if (steps > 0) {
      const cnn::EvalResult r = cnn::train_one_epoch(*model, loader, opt, {.max_steps = steps});
      fmt::print("trained {} Adam steps on MNIST: train accuracy {:.1f}%\n", steps, 100.0 * r.accuracy);
    }
    const cnn::Example ex = cnn::load_dataset("mnist", data_dir, false)->get(0);
    sample = ex.image;
    label = ex.label;
  } else {
    fmt::print("MNIST not found in {}: random weights and a synthetic stroke\n", data_dir);
    sample = cnn::zeros({1, 28, 28});
    sample.slice(1, 6, 22).slice(2, 13, 16).fill_(1.0);
  }
  model->eval();

  fmt::print("\n== 9.1 First-layer filters ==\n");
  fmt::print("conv1.weight {} -> {} filters of 3x3\n", model->conv1->weight.shape().str(),
             model->conv1->weight.size(0));
  cnn::viz::save_figure((out / "ex002_9_filters.png").string(),
                        {{.title = "conv1 " + model->conv1->weight.shape().str(),
                          .panels = cnn::viz::filter_panels(model->conv1->weight, 32)}},
                        {.title = "SimpleCNN first-layer filters"});

  fmt::print("\n== 9.2 Forward hooks for activations ==\n");
  std::map<std::string, cnn::Tensor> activations;
  int64_t pool_calls = 0;
  auto h1 = model->conv1->register_forward_hook(
      [&](cnn::Module&, const cnn::Tensor&, const cnn::Tensor& y) { activations["conv1"] = y.detach(); });
  auto h2 = model->conv2->register_forward_hook(
      [&](cnn::Module&, const cnn::Tensor&, const cnn::Tensor& y) { activations["conv2"] = y.detach(); });
  auto h3 = model->pool->register_forward_hook([&](cnn::Module&, const cnn::Tensor&, const cnn::Tensor& y) {
    activations[fmt::format("pool#{}", pool_calls++)] = y.detach();
  });
  const cnn::Tensor logits = (*model)(sample.unsqueeze(0));
  for (const char* name : {"conv1", "pool#0", "conv2", "pool#1"})
    fmt::print("activations['{}'] {}\n", name, activations[name].shape().str());
  fmt::print("document: (1, 32, 14, 14) and (1, 64, 7, 7) = the pooled conv1 and conv2 blocks (pool#0, pool#1)\n");
  h1.remove();
  h2.remove();
  h3.remove();
  const int64_t predicted = cnn::argmax(logits, 1).data<int64_t>()[0];
  fmt::print("test image label {}, predicted {}\n", label, predicted);
  cnn::viz::save_figure((out / "ex002_9_activations.png").string(),
                        {cnn::viz::feature_section("conv1 (after pool)", activations["pool#0"], 32),
                         cnn::viz::feature_section("conv2 (after pool)", activations["pool#1"], 64)},
                        {.title = "SimpleCNN activations"});

  fmt::print("\n== Saliency: |d score / d x| ==\n");
  const cnn::Tensor sal = cnn::viz::saliency(*model, sample);
  fmt::print("saliency {} max {:.4g}\n", sal.shape().str(), cnn::max(sal).item());
  cnn::viz::save_figure((out / "ex002_9_saliency.png").string(),
                        {{.title = "input and saliency",
                          .panels = {{.rgb = cnn::viz::to_rgb(sample), .title = "input"},
                                     {.rgb = cnn::viz::colorize(sal, cnn::viz::Colormap::hot), .title = "saliency"}}}});
  fmt::print("wrote ex002_9_filters.png, ex002_9_activations.png, ex002_9_saliency.png in {}\n", out.string());
  return 0;
}

// Seeds 001 §4 "Training a CNN on CIFAR-10" with the library API: §4.1 the transforms (RandomCrop(32, padding=4),
// RandomHorizontalFlip, ToTensor, Normalize with the CIFAR-10 statistics), the datasets and loaders, show_samples
// (DIR/samples.png); §4.2 train_epoch / evaluate for ResNet-18 with SGD(0.1, momentum 0.9, weight decay 5e-4) and
// CosineAnnealingLR(T_max=20), the notebook's per-epoch line, and the loss / accuracy curves (DIR/curves.png).
// There is no CIFAR-10 here: without --data-dir the program writes a small synthetic set in the CIFAR binary format
// (class-coloured noise) so the whole pipeline runs. `cnn train --config recipes/resnet18_cifar10.json` is the same
// recipe on the command line. Run: build/examples/ex001_4_cifar_recipe [--data-dir CIFAR_DIR] [--epochs E]
//   [--steps N] [--batch-size B] [--synthetic N] [--output DIR]   (N steps per epoch; -1: the whole epoch)
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/train.h>
#include <cnn/viz.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <string>

#include "example_args.h"

namespace {

/// Writes cifar-10-batches-bin with `n` training and n/2 test images: noise around a colour that depends on the label.
std::string write_synthetic_cifar(const std::string& root, int64_t n) {
  const std::string dir = root + "/cifar-10-batches-bin";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& file, int64_t count) {
    const auto labels = cnn::randint(0, 10, {count}).to_vector<int64_t>();
    const auto noise = cnn::randint(0, 96, {count, 3072}).to_vector<int64_t>();
    std::vector<uint8_t> pixels(static_cast<size_t>(count * 3072)), bytes;
    for (int64_t i = 0; i < count; ++i) {
      bytes.push_back(static_cast<uint8_t>(labels[static_cast<size_t>(i)]));
      for (int64_t p = 0; p < 3072; ++p) {
        const int64_t c = p % 3, base = ((labels[static_cast<size_t>(i)] + 3 * c) % 10) * 16;
        const auto at = static_cast<size_t>(i * 3072 + p);
        pixels[at] = static_cast<uint8_t>(base + noise[at]);
      }
    }
    cnn::write_cifar_file(dir + "/" + file, cnn::CifarKind::cifar10, pixels, bytes);
  };
  for (int b = 1; b <= 5; ++b) write(fmt::format("data_batch_{}.bin", b), n / 5);
  write("test_batch.bin", n / 2);
  return dir;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §4 \"Training a CNN on CIFAR-10\" with the library API",
                           {{"--data-dir", "", "dataset folder (empty: synthetic or built-in data)"},
                            {"--output", ".", "folder for the written files"},
                            {"--epochs", "20", "training epochs"},
                            {"--steps", "-1", "steps per epoch (-1: the whole epoch)"},
                            {"--batch-size", "128", "batch size"},
                            {"--synthetic", "1000", "synthetic CIFAR images when no --data-dir"}});
  std::string data_dir = flags.str("--data-dir");
  const std::string out_dir = flags.str("--output");
  const int64_t epochs = flags.i64("--epochs"), steps = flags.i64("--steps");
  const int64_t batch_size = flags.i64("--batch-size"), synthetic = flags.i64("--synthetic");
  cnn::manual_seed(42);
  std::filesystem::create_directories(out_dir);
  if (data_dir.empty()) {
    data_dir = write_synthetic_cifar(out_dir + "/synthetic-cifar10", synthetic);
    fmt::print("No --data-dir: wrote a synthetic CIFAR-10 ({} train / {} test images) to {}\n", synthetic / 5 * 5,
               synthetic / 2, data_dir);
  }

  // ---- 4.1 Data preparation ----
  using namespace cnn::transforms;
  const std::vector<float> mean{0.4914f, 0.4822f, 0.4465f}, stdev{0.2470f, 0.2435f, 0.2616f};
  auto train_transform = compose(RandomCrop(32, {.padding = {4}}), RandomHorizontalFlip(), ToTensor(),
                                 Normalize(mean, stdev));
  auto test_transform = compose(ToTensor(), Normalize(mean, stdev));
  fmt::print("train_transform: {}\ntest_transform: {}\n", train_transform->repr(), test_transform->repr());
  auto train_dataset = std::make_shared<cnn::CifarDataset>(data_dir, cnn::CifarOptions{.transform = train_transform});
  auto test_dataset =
      std::make_shared<cnn::CifarDataset>(data_dir, cnn::CifarOptions{.train = false, .transform = test_transform});
  cnn::DataLoader train_loader(train_dataset, {.batch_size = batch_size, .shuffle = true, .num_workers = 2});
  cnn::DataLoader test_loader(test_dataset, {.batch_size = batch_size, .num_workers = 2});
  const auto classes = train_dataset->classes();
  fmt::print("Training samples: {}\nTest samples: {}\nClasses: {}\n", train_dataset->size(), test_dataset->size(),
             fmt::join(classes, ", "));

  std::vector<cnn::viz::Panel> samples;
  for (int64_t i = 0; i < std::min<int64_t>(16, train_dataset->size()); ++i) {
    const cnn::Example e = train_dataset->get(i);
    samples.push_back({.rgb = cnn::viz::to_rgb(e.image), .title = classes[static_cast<size_t>(e.label)]});
  }
  cnn::viz::save_figure(out_dir + "/samples.png", {{.title = "", .panels = samples, .columns = 4}}, {.cell = 96});

  // ---- 4.2 Training loop ----
  auto model = cnn::models::create("resnet18_cifar", {.num_classes = 10});
  cnn::SGD optimizer(model->parameters(), {.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4});
  cnn::CosineAnnealingLR scheduler(optimizer, {.T_max = 20});
  std::vector<double> x, train_loss, test_loss, train_acc, test_acc;
  fmt::print("Training ResNet-18 for {} epochs{}...\n", epochs,
             steps > 0 ? fmt::format(" ({} steps of {} images each)", steps, batch_size) : "");
  for (int64_t epoch = 0; epoch < epochs; ++epoch) {
    const cnn::EvalResult tr =
        cnn::train_one_epoch(*model, train_loader, optimizer, {.epoch = epoch, .epochs = epochs, .max_steps = steps});
    const cnn::EvalResult te = cnn::evaluate(*model, test_loader, steps);
    scheduler.step();
    x.push_back(static_cast<double>(epoch + 1));
    train_loss.push_back(tr.loss);
    test_loss.push_back(te.loss);
    train_acc.push_back(100.0 * tr.accuracy);
    test_acc.push_back(100.0 * te.accuracy);
    fmt::print("Epoch {:2d}/{} | Train Loss: {:.3f} Acc: {:.1f}% | Test Loss: {:.3f} Acc: {:.1f}% | LR: {:.4f}\n",
               epoch + 1, epochs, tr.loss, 100.0 * tr.accuracy, te.loss, 100.0 * te.accuracy,
               scheduler.get_last_lr()[0]);
  }
  cnn::viz::save_line_chart(out_dir + "/curves.png", {{"Train loss", x, train_loss}, {"Test loss", x, test_loss}},
                            {.title = "Loss Curves", .x_label = "Epoch", .y_label = "Loss"});
  cnn::viz::save_line_chart(out_dir + "/accuracy.png", {{"Train", x, train_acc}, {"Test", x, test_acc}},
                            {.title = "Accuracy Curves", .x_label = "Epoch", .y_label = "Accuracy (%)"});
  fmt::print("wrote {0}/samples.png, {0}/curves.png, {0}/accuracy.png\n", out_dir);
  return 0;
}

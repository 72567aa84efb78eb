// Seeds 000 Exercise 1 "Visualizing First Layer Filters": trains simplecnn (2 conv layers) briefly on MNIST, reads
// the first conv layer's weight [32, 1, 3, 3], draws each filter as a grayscale image in a grid and names what it
// looks like (best cosine match with edge, line and blob templates; colour filters by their channel mean).
// Challenge: the same training on a second dataset (Fashion-MNIST by default; CIFAR-10 with --compare cifar10
// --compare-dir DIR, then on the notebook's simplecnn_cifar), drawn beside it. Writes DIR/filters.png.
// Run: build/examples/ex000_ex1_filters [--data-dir DIR] [--compare NAME|none] [--compare-dir DIR] [--steps N]
//                                      [--eval N] [--output DIR]
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/train.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

#include "example_args.h"

namespace {

struct Template {
  const char* name;
  std::array<float, 9> w;
};
// Zero-mean 3x3 patterns; a filter and its negative match the same template.
const Template kTemplates[] = {
    {"vertical edge", {-1, 0, 1, -2, 0, 2, -1, 0, 1}},    {"horizontal edge", {-1, -2, -1, 0, 0, 0, 1, 2, 1}},
    {"diagonal edge /", {0, 1, 2, -1, 0, 1, -2, -1, 0}},  {"diagonal edge \\", {-2, -1, 0, -1, 0, 1, 0, 1, 2}},
    {"spot / blob", {-1, -1, -1, -1, 8, -1, -1, -1, -1}}, {"vertical line", {-1, 2, -1, -1, 2, -1, -1, 2, -1}},
    {"horizontal line", {-1, -1, -1, 2, 2, 2, -1, -1, -1}}};

/// The template with the largest |cosine| against the filter with its mean removed; "flat" when the filter is
/// mostly its mean (an overall brightness detector).
std::pair<std::string, double> describe(const std::vector<float>& f) {
  double mean = 0, total = 0;
  for (float v : f) {
    mean += v / 9.0;
    total += v * v;
  }
  std::vector<double> z(9);
  double norm = 0;
  for (size_t i = 0; i < 9; ++i) {
    z[i] = f[i] - mean;
    norm += z[i] * z[i];
  }
  if (norm < 0.25 * total) return {"flat (brightness)", 1.0};
  std::pair<std::string, double> best{"", 0.0};
  for (const Template& t : kTemplates) {
    double dot = 0, tn = 0;
    for (size_t i = 0; i < 9; ++i) {
      dot += z[i] * t.w[i];
      tn += t.w[i] * t.w[i];
    }
    const double c = std::fabs(dot) / std::sqrt(norm * tn);
    if (c > best.second) best = {t.name, c};
  }
  return best;
}

struct Trained {
  cnn::Tensor filters, initial;
  double accuracy;
};

Trained train(const std::string& dataset, const std::string& dir, int64_t steps, int64_t eval_images) {
  cnn::manual_seed(0);
  const auto train_set = cnn::load_dataset(dataset, dir, true);
  // simplecnn takes 1x28x28 images; colour 32x32 ones (CIFAR-10) get the notebook's three-conv simplecnn_cifar.
  const cnn::Shape image = train_set->image_shape();
  auto model = image == cnn::Shape({1, 28, 28})
                   ? cnn::models::create("simplecnn", {.num_classes = 10})
                   : cnn::models::create("simplecnn_cifar", {.num_classes = 10, .in_channels = image[0]});
  cnn::DataLoader train_loader(train_set, {.batch_size = 64, .shuffle = true, .seed = 0, .num_workers = 0});
  cnn::DataLoader test_loader(cnn::load_dataset(dataset, dir, false), {.batch_size = 100, .num_workers = 0});
  const cnn::Tensor weight = cnn::viz::find_module(*model, "conv1").named_parameters()["weight"];
  const cnn::Tensor initial = weight.detach().clone();
  cnn::Adam optimizer(model->parameters(), {.lr = 1e-3});
  const cnn::EvalResult r = cnn::train_one_epoch(*model, train_loader, optimizer, {.max_steps = steps});
  const cnn::EvalResult e = cnn::evaluate(*model, test_loader, (eval_images + 99) / 100);
  fmt::print("{}: {} steps of 64 images, train loss {:.4f}; test accuracy {:.2f}% on {} images\n", dataset, steps,
             r.loss, 100.0 * e.accuracy, e.samples);
  return {weight.detach(), initial, e.accuracy};
}

std::map<std::string, int> analyse(const std::string& dataset, const cnn::Tensor& filters) {
  fmt::print("First-layer filters of the {} model: {}\n", dataset, filters.shape().str());
  std::map<std::string, int> counts;
  for (int64_t k = 0; k < filters.size(0); ++k) {
    const auto [name, cosine] = describe(cnn::mean(filters[k], {0}).reshape({9}).to_vector<float>());
    ++counts[name];
    if (k < 8) fmt::print("  f{:<2} {:<18} |cos| {:.2f}\n", k, name, cosine);
  }
  std::string tally;
  for (const auto& [name, n] : counts) tally += fmt::format("{}{} {}", tally.empty() ? "" : "; ", name, n);
  fmt::print("  ... all {}: {}\n\n", filters.size(0), tally);
  return counts;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 000 Exercise 1 \"Visualizing First Layer Filters\"",
                           {{"--data-dir", "", "MNIST folder (empty: the default location)"},
                            {"--compare", "fashion-mnist", "second dataset to train on, or none"},
                            {"--compare-dir", "", "folder of the second dataset"},
                            {"--steps", "300", "training steps"},
                            {"--eval", "1000", "test images to evaluate"},
                            {"--output", ".", "folder for the written files"}});
  const std::string data_dir = flags.str("--data-dir"), compare = flags.str("--compare");
  const std::string compare_dir = flags.str("--compare-dir"), out_dir = flags.str("--output");
  const int64_t steps = flags.i64("--steps"), eval_images = flags.i64("--eval");
  const Trained mnist = train("mnist", data_dir, steps, eval_images);
  std::vector<cnn::viz::Section> sections{{.title = fmt::format("MNIST conv1 {} ({:.1f}%)", mnist.filters.shape().str(),
                                                                100.0 * mnist.accuracy),
                                           .panels = cnn::viz::filter_panels(mnist.filters), .columns = 8}};
  if (compare != "none") {
    const Trained other = train(compare, compare_dir, steps, eval_images);
    fmt::print("\n");
    analyse("mnist", mnist.filters);
    analyse(compare, other.filters);
    auto mean_abs = [](const cnn::Tensor& t) { return cnn::mean(cnn::abs(t)).item(); };
    const bool same_net = mnist.filters.shape() == other.filters.shape();
    fmt::print("{} (seed 0, mean |w| {:.4f}), different data:\n",
               same_net ? "Same initialisation" : "Different networks", mean_abs(mnist.initial));
    fmt::print("  moved from the initialisation: mnist {:.4f}, {} {:.4f}", mean_abs(mnist.filters - mnist.initial),
               compare, mean_abs(other.filters - other.initial));
    if (same_net) fmt::print("; apart from each other: {:.4f}", mean_abs(mnist.filters - other.filters));
    fmt::print("\n");
    sections.push_back({.title = fmt::format("{} conv1 ({:.1f}%)", compare, 100.0 * other.accuracy),
                        .panels = cnn::viz::filter_panels(other.filters), .columns = 8});
  } else {
    analyse("mnist", mnist.filters);
  }
  std::filesystem::create_directories(out_dir);
  const std::string path = out_dir + "/filters.png";
  cnn::viz::save_figure(path, sections, {.title = "simplecnn first-layer filters", .cell = 40, .side_by_side = true});
  fmt::print("wrote {}\n", path);
  return 0;
}

// Does bf16 mixed precision train like float32? ResNet-18 (CIFAR stem, 1 input channel) on Fashion-MNIST 28x28,
// two copies from the same initialisation fed the same batches, one in f32 and one under AutocastGuard (bf16), SGD
// 0.05 / momentum 0.9 / weight decay 5e-4, batch 32. Writes DIR/bf16_loss_curve.csv (step, loss_f32, loss_bf16) and
// DIR/bf16_loss_curve.png (both curves, smoothed as TensorBoard's 0.9), and prints the mean losses of the last 50.
// Usage: bf16_loss_curve [--steps 300] [--threads 2] [--data /usr/share/datasets/fashion-mnist] [--out .]
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/datasets.h>
#include <cnn/models.h>
#include <cnn/transforms.h>
#include <cnn/viz_chart.h>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <string>

using namespace cnn;

namespace {

std::vector<double> smoothed(const std::vector<double>& v, double weight = 0.9) {
  std::vector<double> out;
  double last = v.empty() ? 0 : v[0];
  for (double x : v) out.push_back(last = weight * last + (1 - weight) * x);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t steps = 300;
  int threads = 2;
  std::string data = "/usr/share/datasets/fashion-mnist", out = ".";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--steps") steps = std::stoll(value);
    else if (flag == "--threads") threads = std::stoi(value);
    else if (flag == "--data") data = value;
    else if (flag == "--out") out = value;
    else {
      std::fprintf(stderr, "usage: bf16_loss_curve [--steps N] [--threads N] [--data DIR] [--out DIR]\n");
      return 2;
    }
  }
  try {
    set_num_threads(threads);
    CNN_CHECK(backend().supports_bf16(), "bf16_loss_curve: no native bf16 on this CPU ({})", cpu_isa_name());
    manual_seed(0);
    auto train = std::make_shared<MnistDataset>(
        data, true, transforms::compose(transforms::ToTensor(), transforms::Normalize({0.2860}, {0.3530})));
    DataLoader loader(train, {.batch_size = 32, .shuffle = true, .drop_last = true, .seed = 1, .num_workers = 1});
    const models::ModelOptions options{.num_classes = 10, .in_channels = 1, .cifar_stem = true};
    ModulePtr f32 = models::create("resnet18", options), bf16 = models::create("resnet18", options);
    bf16->load_state_dict(f32->state_dict());
    const SGDOptions sgd{.lr = 0.05, .momentum = 0.9, .weight_decay = 5e-4};
    SGD opt32(f32->parameters(), sgd), opt16(bf16->parameters(), sgd);
    f32->train();
    bf16->train();
    std::vector<double> x, l32, l16;
    int64_t step = 0;
    while (step < steps) {
      for (const Batch& b : loader) {
        if (step == steps) break;
        opt32.zero_grad();
        Tensor loss32 = cross_entropy((*f32)(b.images), b.labels);
        loss32.backward();
        opt32.step();
        opt16.zero_grad();
        Tensor loss16;
        {
          AutocastGuard amp;
          loss16 = cross_entropy((*bf16)(b.images), b.labels);
        }
        loss16.backward();
        opt16.step();
        x.push_back(static_cast<double>(++step));
        l32.push_back(loss32.item());
        l16.push_back(loss16.item());
        if (step % 50 == 0) std::fprintf(stderr, "step %lld: f32 %.4f bf16 %.4f\n", static_cast<long long>(step),
                                         l32.back(), l16.back());
      }
    }
    std::ofstream csv(out + "/bf16_loss_curve.csv");
    csv << "step,loss_f32,loss_bf16\n";
    for (size_t i = 0; i < x.size(); ++i) csv << fmt::format("{},{:.6f},{:.6f}\n", x[i], l32[i], l16[i]);
    viz::save_line_chart(out + "/bf16_loss_curve.png",
                         {{"float32", x, smoothed(l32)}, {"bf16 autocast", x, smoothed(l16)}},
                         {.title = fmt::format("ResNet-18 on Fashion-MNIST, batch 32, {} ({})", "SGD 0.05",
                                               cpu_isa_name()),
                          .x_label = "step",
                          .y_label = "training loss (smoothed 0.9)"});
    const size_t tail = std::min<size_t>(50, x.size());
    double m32 = 0, m16 = 0;
    for (size_t i = x.size() - tail; i < x.size(); ++i) m32 += l32[i] / tail, m16 += l16[i] / tail;
    std::printf("mean loss of the last %zu steps: f32 %.4f, bf16 %.4f\n", tail, m32, m16);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bf16_loss_curve: %s\n", e.what());
    return 1;
  }
  return 0;
}

// cnnkit side of the simplecnn benchmark: training (forward, cross-entropy, backward, Adam) and inference
// images/s on random MNIST-shaped batches; the network is written with the functional ops and the library's Adam.
// bench/run.sh runs it next to bench_simplecnn.py (PyTorch).
// Prints one JSON line; --profile adds the time per phase of a training step.
#include <cnn/cnn.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

using namespace cnn;

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }
// CPU seconds used by the process (all threads, user + system): with one thread, a measure of the work done
// that the machine's other load does not inflate.
double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

struct Args {
  int threads = 2, steps = 50, warmup = 5, batch = 64;
  std::string backend = "onednn";
  bool profile = false;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "bench_simplecnn: %s needs a value\n", flag.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--threads") a.threads = std::stoi(value());
    else if (flag == "--steps") a.steps = std::stoi(value());
    else if (flag == "--warmup") a.warmup = std::stoi(value());
    else if (flag == "--batch") a.batch = std::stoi(value());
    else if (flag == "--backend") a.backend = value();
    else if (flag == "--profile") a.profile = true;
    else {
      std::fprintf(stderr, "usage: bench_simplecnn [--threads N] [--steps N] [--warmup N] [--batch N] "
                           "[--backend onednn|ref] [--profile]\n");
      std::exit(2);
    }
  }
  return a;
}

// A parameter initialised as PyTorch's Conv2d/Linear do: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
Tensor parameter(const Shape& shape, int64_t fan_in) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return rand(shape, -bound, bound).requires_grad_();
}

// conv 1->32 3x3 pad 1, ReLU, maxpool 2, conv 32->64 3x3 pad 1, ReLU, maxpool 2, flatten, linear 3136->128,
// ReLU, linear 128->10 (the same network as bench_simplecnn.py).
struct SimpleCnn {
  Tensor conv1_w = parameter({32, 1, 3, 3}, 9), conv1_b = parameter({32}, 9);
  Tensor conv2_w = parameter({64, 32, 3, 3}, 288), conv2_b = parameter({64}, 288);
  Tensor fc1_w = parameter({128, 3136}, 3136), fc1_b = parameter({128}, 3136);
  Tensor fc2_w = parameter({10, 128}, 128), fc2_b = parameter({10}, 128);

  Tensor forward(const Tensor& x) const {
    Tensor h = max_pool2d(relu(conv2d(x, conv1_w, conv1_b, {.padding = 1})), {.kernel_size = 2});
    h = max_pool2d(relu(conv2d(h, conv2_w, conv2_b, {.padding = 1})), {.kernel_size = 2});
    h = relu(linear(flatten(h, 1), fc1_w, fc1_b));
    return linear(h, fc2_w, fc2_b);
  }
  std::vector<Tensor> parameters() const { return {conv1_w, conv1_b, conv2_w, conv2_b, fc1_w, fc1_b, fc2_w, fc2_b}; }
};

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  set_backend(args.backend);
  set_num_threads(args.threads);
  manual_seed(0);
  SimpleCnn model;
  Adam opt(model.parameters(), {.lr = 1e-3});
  const Tensor x = rand({args.batch, 1, 28, 28});
  const Tensor target = randint(0, 10, {args.batch});

  double forward_s = 0, backward_s = 0, step_s = 0;
  auto train_step = [&] {
    opt.zero_grad();
    auto t0 = Clock::now();
    Tensor loss = cross_entropy(model.forward(x), target);
    auto t1 = Clock::now();
    loss.backward();
    auto t2 = Clock::now();
    opt.step();
    forward_s += std::chrono::duration<double>(t1 - t0).count();
    backward_s += std::chrono::duration<double>(t2 - t1).count();
    step_s += seconds_since(t2);
  };
  auto infer_step = [&] {
    NoGradGuard no_grad;
    model.forward(x);
  };

  for (int i = 0; i < args.warmup; ++i) train_step();
  forward_s = backward_s = step_s = 0;
  double cpu = cpu_seconds();
  auto t = Clock::now();
  for (int i = 0; i < args.steps; ++i) train_step();
  const double train_s = seconds_since(t), train_cpu = cpu_seconds() - cpu;
  for (int i = 0; i < args.warmup; ++i) infer_step();
  cpu = cpu_seconds();
  t = Clock::now();
  for (int i = 0; i < args.steps; ++i) infer_step();
  const double infer_s = seconds_since(t), infer_cpu = cpu_seconds() - cpu;

  const double images = static_cast<double>(args.batch) * args.steps;
  std::printf("{\"engine\": \"cnnkit %s\", \"threads\": %d, \"train_images_per_s\": %.1f, "
              "\"infer_images_per_s\": %.1f",
              backend().name().c_str(), get_num_threads(), images / train_s, images / infer_s);
  std::printf(", \"train_cpu_ms_per_step\": %.2f, \"infer_cpu_ms_per_step\": %.2f", 1e3 * train_cpu / args.steps,
              1e3 * infer_cpu / args.steps);
  if (args.profile)
    std::printf(", \"ms_per_step\": {\"forward\": %.2f, \"backward\": %.2f, \"optimizer\": %.2f}",
                1e3 * forward_s / args.steps, 1e3 * backward_s / args.steps, 1e3 * step_s / args.steps);
  std::printf("}\n");
  return 0;
}

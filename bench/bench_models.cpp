// cnnkit side of the model benchmark (bench/run.sh): images/s of one zoo model in one mode (train: forward,
// cross-entropy, backward, SGD momentum 0.9; infer: eval mode, batch norms folded, no gradients) at one batch
// size, in float32 or bf16 mixed precision, on random inputs. One configuration per process, so that the peak
// resident memory it prints is that configuration's. bench_models.py measures PyTorch the same way.
// Prints one JSON line.
#include <cnn/cnn.h>
#include <cnn/fuse.h>
#include <cnn/models.h>
#include <cnn/train.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace cnn;

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  std::string model = "resnet18_cifar", mode = "train", amp = "none", backend = "onednn";
  int threads = 2, steps = 10, warmup = 3, batch = 128;
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_models [--model resnet18_cifar|mobilenet_v2|simplecnn] [--mode train|infer] "
                       "[--batch N] [--amp none|bf16] [--steps N] [--warmup N] [--threads N] [--backend onednn|ref]\n");
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage();
    const std::string value = argv[++i];
    if (flag == "--model") a.model = value;
    else if (flag == "--mode") a.mode = value;
    else if (flag == "--amp") a.amp = value;
    else if (flag == "--backend") a.backend = value;
    else if (flag == "--threads") a.threads = std::stoi(value);
    else if (flag == "--steps") a.steps = std::stoi(value);
    else if (flag == "--warmup") a.warmup = std::stoi(value);
    else if (flag == "--batch") a.batch = std::stoi(value);
    else usage();
  }
  if (a.mode != "train" && a.mode != "infer") usage();
  return a;
}

struct Setup {
  ModulePtr model;
  Shape input;
  int64_t classes;
};

// resnet18_cifar: ResNet-18 with the CIFAR stem on 3x32x32; mobilenet_v2 on 3x224x224; simplecnn on 1x28x28.
Setup build(const Args& a) {
  if (a.model == "resnet18_cifar")
    return {models::create("resnet18", {.num_classes = 10, .cifar_stem = true}), Shape{a.batch, 3, 32, 32}, 10};
  if (a.model == "mobilenet_v2") return {models::create("mobilenet_v2"), Shape{a.batch, 3, 224, 224}, 1000};
  if (a.model == "simplecnn") return {models::create("simplecnn"), Shape{a.batch, 1, 28, 28}, 10};
  usage();
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  set_backend(args.backend);
  set_num_threads(args.threads);
  manual_seed(0);
  Setup s = build(args);
  Module& model = *s.model;
  const Amp amp = parse_amp(args.amp);
  const Tensor x = rand(s.input).contiguous(MemoryFormat::channels_last);
  const Tensor target = randint(0, s.classes, {args.batch});
  SGD opt(model.parameters(), {.lr = 0.01, .momentum = 0.9});

  auto train_step = [&] {
    opt.zero_grad();
    Tensor loss;
    {
      const AutocastGuard autocast(DType::bf16, amp == Amp::bf16);
      loss = cross_entropy(model(x), target);
    }
    loss.backward();
    opt.step();
  };
  auto infer_step = [&] {
    NoGradGuard no_grad;
    const AutocastGuard autocast(DType::bf16, amp == Amp::bf16);
    model(x);
  };
  const bool train = args.mode == "train";
  if (train) {
    model.train();
  } else {
    model.eval();
    fuse_conv_bn(model, s.input);
  }
  for (int i = 0; i < args.warmup; ++i) train ? train_step() : infer_step();
  const auto start = Clock::now();
  for (int i = 0; i < args.steps; ++i) train ? train_step() : infer_step();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const bool bf16 = amp == Amp::bf16 && backend().supports_bf16();
  std::printf("{\"engine\": \"cnnkit\", \"version\": \"%s\", \"model\": \"%s\", \"mode\": \"%s\", \"batch\": %d, "
              "\"precision\": \"%s\", \"format\": \"channels_last\", \"threads\": %d, \"isa\": \"%s\", "
              "\"images_per_s\": %.2f, \"peak_rss_mb\": %.1f}\n",
              backend().name().c_str(), args.model.c_str(), args.mode.c_str(), args.batch, bf16 ? "bf16" : "f32",
              get_num_threads(), cpu_isa_name().c_str(), double(args.batch) * args.steps / seconds, peak_rss_mb());
  return 0;
}

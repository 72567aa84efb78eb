// Data-parallel scaling on one machine (docs/distributed.md): ResNet-18/CIFAR training steps on random batches,
// under `mpirun -np N bench_ddp` or alone, with the per-step breakdown: forward, backward compute, the wait at the
// end of backward for the allreduces, and how much of that wait was for a slower rank (from the ranks' clocks: one
// machine), optimiser; then a blocking allreduce of the whole gradient, timed alone, as the communication's full
// cost: hidden_fraction = 1 - (wait - slower rank) / allreduce alone. Rank 0 prints one JSON line.
// Usage: [mpirun -np 2] bench_ddp [--batch 64] [--steps 6] [--warmup 2] [--threads 1]
#include <cnn/cnn.h>
#include <cnn/ddp.h>
#include <cnn/distributed.h>
#include <cnn/models.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

using namespace cnn;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string bucket_list(const DistributedDataParallel& ddp) {
  std::string out;
  for (int64_t b : ddp.bucket_bytes()) out += fmt::format("{}{:.2f}", out.empty() ? "" : ", ", b / 1e6);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t batch = 64, steps = 6, warmup = 2;
  int threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--batch") batch = std::stoll(value);
    else if (flag == "--steps") steps = std::stoll(value);
    else if (flag == "--warmup") warmup = std::stoll(value);
    else if (flag == "--threads") threads = std::stoi(value);
    else {
      std::fprintf(stderr, "usage: bench_ddp [--batch N] [--steps N] [--warmup N] [--threads N]\n");
      return 2;
    }
  }
  try {
    distributed::init();
    set_num_threads(threads);
    manual_seed(0);
    ModulePtr model = models::create("resnet18", {.num_classes = 10, .cifar_stem = true});
    auto ddp = std::make_shared<DistributedDataParallel>(model);
    SGD opt(model->parameters(), {.lr = 0.01, .momentum = 0.9});
    manual_seed(1 + distributed::rank());
    const Tensor x = randn({batch, 3, 32, 32}).contiguous(MemoryFormat::channels_last);
    const Tensor y = randint(0, 10, {batch});
    double forward = 0, backward = 0, wait = 0, step_time = 0, optim = 0, skew = 0;
    int64_t early = 0;
    for (int64_t s = 0; s < warmup + steps; ++s) {
      distributed::barrier();
      const auto t0 = Clock::now();
      opt.zero_grad();
      Tensor loss = cross_entropy((*ddp)(x), y);
      const double f = since(t0);
      const auto t1 = Clock::now();
      loss.backward();
      const double b = since(t1);
      // When this rank's own backward compute ended (its wait began); a later rank makes the others wait too.
      const double ready = std::chrono::duration<double>(t1.time_since_epoch()).count() + b - ddp->last_wait_seconds();
      const auto t2 = Clock::now();
      opt.step();
      const double o = since(t2);
      if (s < warmup) continue;
      forward += f / steps, backward += (b - ddp->last_wait_seconds()) / steps;
      wait += ddp->last_wait_seconds() / steps, optim += o / steps, step_time += since(t0) / steps;
      double latest = ready;
      for (const std::string& t : distributed::all_gather(fmt::format("{:.9f}", ready))) latest = std::max(latest, std::stod(t));
      skew += (latest - ready) / steps;
      early = ddp->buckets_started_during_backward();
    }
    // The communication alone: every gradient in one blocking allreduce (what a reducer without overlap pays).
    Tensor all = Tensor::empty(Shape{model->num_parameters()});
    double allreduce = 0;
    for (int r = 0; r < 4; ++r) {
      distributed::barrier();
      const auto t = Clock::now();
      distributed::all_reduce_sum(all);
      if (r > 0) allreduce += since(t) / 3;
    }
    const int world = distributed::world_size();
    if (distributed::is_main())
      std::printf("{\"world\": %d, \"threads\": %d, \"batch_per_rank\": %lld, \"images_per_second\": %.1f, "
                  "\"step_s\": %.4f, \"forward_s\": %.4f, \"backward_compute_s\": %.4f, \"allreduce_wait_s\": %.4f, \"of_which_slower_rank_s\": %.4f, "
                  "\"optimizer_s\": %.4f, \"allreduce_alone_s\": %.4f, \"hidden_fraction\": %.3f, "
                  "\"buckets_mb\": [%s], \"buckets_started_during_backward\": %lld, \"gradient_mb\": %.1f}\n",
                  world, threads, static_cast<long long>(batch), world * batch / step_time, step_time, forward,
                  backward, wait, skew, optim, allreduce,
                  world > 1 && allreduce > 0 ? std::clamp(1 - std::max(0.0, wait - skew) / allreduce, 0.0, 1.0) : 0.0,
                  bucket_list(*ddp).c_str(), static_cast<long long>(early), model->num_parameters() * 4 / 1e6);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_ddp: rank %d: %s\n", distributed::rank(), e.what());
    return 1;
  }
  return 0;
}

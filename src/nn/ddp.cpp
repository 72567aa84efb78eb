// DistributedDataParallel's reducer (see ddp.h). Each parameter's gradient hook copies the complete gradient
// (the engine calls a leaf's hooks once every node feeding it has run) into its bucket; full buckets start their
// MPI_Iallreduce at once, in index order (the same on every rank), and every hook pokes the ones in flight so MPI
// moves them while backward computes. A callback queued for the end of backward starts what is left (parameters
// that got no gradient send zeros), waits, and writes each parameter's mean gradient into .grad.
#include <cnn/autograd.h>
#include <cnn/batchnorm.h>
#include <cnn/ddp.h>
#include <cnn/distributed.h>

#include <chrono>
#include <cstring>

namespace cnn {

struct DistributedDataParallel::Reducer {
  struct Slot {
    Tensor param;
    int64_t offset = 0;  // in its bucket, in floats
    bool arrived = false;
  };
  struct Bucket {
    std::vector<size_t> slots;
    std::vector<float> data;
    int64_t arrived = 0;
    std::unique_ptr<distributed::PendingAllReduce> pending;
    bool started_in_backward = false;
  };
  std::vector<Slot> slots;
  std::vector<size_t> bucket_of;
  std::vector<Bucket> buckets;
  std::vector<TensorHookHandle> hooks;
  size_t next = 0;  // buckets start in index order on every rank (MPI matches collectives by order)
  bool queued = false;
  double wait_seconds = 0;  // of the last backward: in finish(), waiting for the allreduces

  void start(Bucket& b, bool in_backward) {
    b.started_in_backward = in_backward;
    b.pending = std::make_unique<distributed::PendingAllReduce>(b.data.data(), static_cast<int64_t>(b.data.size()));
  }

  void arrive(size_t s, const Tensor& grad) {
    Slot& slot = slots[s];
    Bucket& b = buckets[bucket_of[s]];
    if (!queued) {
      queued = true;
      queue_callback([this] { finish(); });
    }
    if (slot.arrived) return;  // a second backward without its end callback: finish() reports the missing ones
    const Tensor g = grad.dtype() == DType::f32 ? grad.contiguous() : grad.to(DType::f32).contiguous();
    std::memcpy(b.data.data() + slot.offset, g.data<float>(), static_cast<size_t>(g.numel()) * sizeof(float));
    slot.arrived = true;
    ++b.arrived;
    while (next < buckets.size() && buckets[next].arrived == static_cast<int64_t>(buckets[next].slots.size()))
      start(buckets[next++], true);
    for (Bucket& other : buckets)
      if (other.pending) other.pending->poke();
  }

  void finish() {
    queued = false;
    next = 0;
    const double scale = 1.0 / distributed::world_size();
    for (Bucket& b : buckets) {
      if (b.pending) continue;
      for (size_t s : b.slots)
        if (!slots[s].arrived) {
          const Tensor& p = slots[s].param;
          std::fill_n(b.data.data() + slots[s].offset, p.numel(), 0.0f);
        }
      start(b, false);
    }
    const auto wait_start = std::chrono::steady_clock::now();
    for (Bucket& b : buckets) b.pending->wait();
    wait_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
    for (Bucket& b : buckets) {
      for (size_t s : b.slots) {
        Slot& slot = slots[s];
        Tensor mean = Tensor::empty(slot.param.shape());
        const float* from = b.data.data() + slot.offset;
        float* to = mean.data<float>();
        for (int64_t i = 0; i < mean.numel(); ++i) to[i] = static_cast<float>(from[i] * scale);
        slot.param.set_grad(mean);
        slot.arrived = false;
      }
      b.arrived = 0;
      b.pending.reset();
    }
  }

  int64_t started_during_backward() const {
    int64_t n = 0;
    for (const Bucket& b : buckets) n += b.started_in_backward;
    return n;
  }

  ~Reducer() {
    for (TensorHookHandle& h : hooks) h.remove();
  }
};

DistributedDataParallel::DistributedDataParallel(ModulePtr module, const DistributedDataParallelOptions& options)
    : module_(register_module("module", std::move(module))), options_(options),
      reducer_(std::make_shared<Reducer>()) {
  CNN_CHECK(options.bucket_cap_mb > 0 && options.first_bucket_mb > 0, "DistributedDataParallel: expected positive "
            "bucket sizes, got bucket_cap_mb={} first_bucket_mb={}", options.bucket_cap_mb, options.first_bucket_mb);
  {
    NoGradGuard no_grad;
    for (Tensor p : module_->parameters()) {
      Tensor d = p.detach();
      distributed::broadcast(d);
    }
    for (Tensor b : module_->buffers()) distributed::broadcast(b);
  }
  Reducer& r = *reducer_;
  std::vector<Tensor> params;
  for (const Tensor& p : module_->parameters())
    if (p.requires_grad()) params.push_back(p);
  double cap = options.first_bucket_mb * 1024 * 1024;
  for (auto it = params.rbegin(); it != params.rend(); ++it) {
    if (r.buckets.empty() || static_cast<double>(r.buckets.back().data.size() * sizeof(float)) >= cap) {
      if (!r.buckets.empty()) cap = options.bucket_cap_mb * 1024 * 1024;
      r.buckets.emplace_back();
    }
    Reducer::Bucket& b = r.buckets.back();
    r.slots.push_back({*it, static_cast<int64_t>(b.data.size()), false});
    r.bucket_of.push_back(r.buckets.size() - 1);
    b.slots.push_back(r.slots.size() - 1);
    b.data.resize(b.data.size() + static_cast<size_t>(it->numel()));
  }
  for (size_t s = 0; s < r.slots.size(); ++s) {
    Reducer* reducer = reducer_.get();
    r.hooks.push_back(r.slots[s].param.register_hook([reducer, s](const Tensor& g) {
      reducer->arrive(s, g);
      return Tensor();
    }));
  }
}

DistributedDataParallel::~DistributedDataParallel() = default;

Tensor DistributedDataParallel::forward(const Tensor& x) {
  if (is_training() && options_.broadcast_buffers && distributed::world_size() > 1) {
    NoGradGuard no_grad;
    for (Tensor b : module_->buffers()) distributed::broadcast(b);
  }
  return (*module_)(x);
}

std::vector<int64_t> DistributedDataParallel::bucket_bytes() const {
  std::vector<int64_t> out;
  for (const Reducer::Bucket& b : reducer_->buckets) out.push_back(static_cast<int64_t>(b.data.size() * sizeof(float)));
  return out;
}

int64_t DistributedDataParallel::buckets_started_during_backward() const { return reducer_->started_during_backward(); }

double DistributedDataParallel::last_wait_seconds() const { return reducer_->wait_seconds; }

int64_t convert_sync_batchnorm(Module& model) {
  int64_t n = 0;
  for (auto& [name, m] : model.named_modules())
    if (auto* bn = dynamic_cast<BatchNorm*>(m)) {
      bn->set_sync(true);
      ++n;
    }
  return n;
}

}  // namespace cnn

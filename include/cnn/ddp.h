// Data-parallel training over MPI, as torch.nn.parallel.DistributedDataParallel: parameters and buffers
// broadcast from rank 0, gradients averaged over ranks by a bucketed asynchronous allreduce that starts while
// backward still runs, and SyncBatchNorm. Not the process group or the collectives (distributed.h).
#pragma once

#include <cnn/module.h>

#include <memory>

namespace cnn {

struct DistributedDataParallelOptions {
  /// Gradients are grouped into buckets in reverse parameter order (about the order backward produces them),
  /// the first of first_bucket_mb, the others of bucket_cap_mb, as DDP's Reducer; each bucket's allreduce starts
  /// as soon as all its gradients have arrived.
  double bucket_cap_mb = 25.0;
  double first_bucket_mb = 1.0;
  /// Rank 0's buffers (batch-norm running statistics) copied to every rank before each training forward.
  bool broadcast_buffers = true;
};

/// Wraps `module` (registered as child "module", so state_dict names gain "module." as in PyTorch). Each backward
/// leaves every parameter's .grad holding the mean over ranks of that step's gradients (call zero_grad before each
/// backward, as the training loop does); on a world of one they pass through the buckets unchanged.
/// Usage: distributed::init(); auto ddp = std::make_shared<DistributedDataParallel>(model);
///        loss = cross_entropy((*ddp)(x), y); loss.backward(); opt.step();
class DistributedDataParallel : public Module {
 public:
  explicit DistributedDataParallel(ModulePtr module, const DistributedDataParallelOptions& options = {});
  ~DistributedDataParallel() override;
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "DistributedDataParallel"; }
  const ModulePtr& module() const { return module_; }

  /// Bytes of gradient in each bucket, in launch order.
  std::vector<int64_t> bucket_bytes() const;
  /// Of the last backward: buckets whose allreduce started before backward ended (the overlap DDP is for).
  int64_t buckets_started_during_backward() const;
  /// Of the last backward: seconds spent at its end waiting for the allreduces (the communication not hidden).
  double last_wait_seconds() const;

  struct Reducer;

 private:
  ModulePtr module_;
  DistributedDataParallelOptions options_;
  std::shared_ptr<Reducer> reducer_;
};

/// Turns every BatchNorm layer of `model` into a synchronised one, as nn.SyncBatchNorm.convert_sync_batchnorm:
/// in training, its batch statistics (mean and variance per channel) are over the whole global batch, reduced
/// across ranks in forward and backward. Returns the number of layers converted.
int64_t convert_sync_batchnorm(Module& model);

}  // namespace cnn

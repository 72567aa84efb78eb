// Data-parallel communication over MPI, as torch.distributed with the MPI backend: the process group (rank,
// world size), collectives on tensors (allreduce, broadcast, asynchronous allreduce), a differentiable allreduce
// (SyncBatchNorm's statistics) and the per-rank epoch shard of a dataset (DistributedSampler).
// Not the gradient reducer (ddp.h). A build without MPI, or a process not started by mpirun/srun, is one rank of
// a world of one: every collective is then the identity.
#pragma once

#include <cnn/tensor.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cnn::distributed {

/// Joins the MPI job this process was started in (mpirun, mpiexec, srun: read from the launcher's environment),
/// once; later calls return at once. Returns whether the world has more than one rank. A process not started by
/// an MPI launcher stays a world of one (no MPI_Init); so does a build without MPI (then a launch by mpirun
/// throws, since the ranks would silently train alone). Usage: distributed::init(); if (is_main()) print(...);
bool init();
/// Whether init() joined an MPI job (of any size).
bool is_initialized();
/// Whether this build has MPI (CMake found it).
bool available();
/// This process's rank (0 .. world_size() - 1); 0 before init().
int rank();
int world_size();
/// Rank 0: the one that prints and writes files.
inline bool is_main() { return rank() == 0; }
/// The launcher named by the environment ("mpirun", "srun") or "" when none started this process.
std::string launcher();

/// Waits for every rank.
void barrier();
/// In place: the sum over ranks of `t` (f32 or i64, dense), on every rank.
void all_reduce_sum(Tensor& t);
/// The sum over ranks of one number, in double precision.
double sum_over_ranks(double value);
/// In place: the element-wise sum over ranks of `values`, in double precision.
void all_reduce_sum(std::vector<double>& values);
/// In place: rank `root`'s `t` on every rank.
void broadcast(Tensor& t, int root = 0);
/// Every rank's `text`, in rank order, on every rank.
std::vector<std::string> all_gather(const std::string& text);
/// Throws on every rank when `text` (e.g. a hash of the settings) differs between ranks, naming the ranks whose
/// text differs from rank 0's and `what` it is.
void check_same(const std::string& text, const std::string& what);

/// The sum over ranks of `x` as a graph op: its gradient is the sum over ranks of the output's gradients
/// (SyncBatchNorm's statistics, as torch.distributed.nn.all_reduce). f32.
Tensor differentiable_all_reduce_sum(const Tensor& x);

/// One asynchronous in-place sum over ranks of a dense f32 buffer (MPI_Iallreduce). The buffer must stay alive
/// and untouched until wait() returns. poke() lets MPI progress the transfer (MPI moves data only inside calls).
class PendingAllReduce {
 public:
  PendingAllReduce(float* data, int64_t count);
  ~PendingAllReduce();
  PendingAllReduce(const PendingAllReduce&) = delete;
  PendingAllReduce& operator=(const PendingAllReduce&) = delete;
  bool poke();  // true once done
  void wait();

 private:
  struct Request;
  std::unique_ptr<Request> request_;
  bool done_ = false;
};

/// The indices rank `rank` of `world` reads in an epoch whose full order is `order`, as DistributedSampler:
/// training pads the order with its own first indices to a multiple of `world` (every rank takes the same number
/// of steps) and takes every world-th index from `rank`; drop_last instead drops the tail that does not divide.
/// Evaluation (pad = false, drop_last = false) gives each index to exactly one rank (shards differ by at most one).
std::vector<int64_t> shard(const std::vector<int64_t>& order, int64_t rank, int64_t world, bool pad = true,
                           bool drop_last = false);

}  // namespace cnn::distributed

// The MPI process group and its collectives (see distributed.h). Compiled with MPI when CMake finds it
// (CNN_HAVE_MPI); without, a world of one whose collectives are the identity.
#include <cnn/autograd.h>
#include <cnn/distributed.h>
#include <cnn/error.h>
#include <fmt/ranges.h>

#include <cstdlib>
#include <cstring>

#ifdef CNN_HAVE_MPI
#include <mpi.h>
#endif

namespace cnn::distributed {

namespace {

bool g_initialized = false;
int g_rank = 0, g_world = 1;

const char* env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

// The world size an MPI launcher announced in the environment: OpenMPI's mpirun, MPICH's Hydra and Slurm's srun
// (PMI or PMIx). 0 when none started this process.
int launched_world() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"})
    if (const char* v = env(name)) return std::atoi(v);
  if (env("PMIX_RANK") != nullptr) return 1;
  return 0;
}

#ifdef CNN_HAVE_MPI
void check_mpi(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(fmt::format("distributed: {} failed on rank {} of {}: {}", what, g_rank, g_world,
                          std::string(text, length)));
}

MPI_Datatype mpi_type(const Tensor& t) {
  switch (t.dtype()) {
    case DType::f32: return MPI_FLOAT;
    case DType::i64: return MPI_INT64_T;
    default:
      throw Error(fmt::format("distributed: collectives take float32 or int64 tensors, got {}",
                              dtype_name(t.dtype())));
  }
}

void finalize_at_exit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}
#endif

void check_dense(const Tensor& t, const char* op) {
  CNN_CHECK(t.is_contiguous(), "distributed: {} needs a contiguous tensor, got shape {} with strides [{}]", op,
            t.shape(), fmt::join(t.strides(), ", "));
}

[[maybe_unused]] char* base_of(const Tensor& t) {
  const int64_t offset = t.storage_offset() * static_cast<int64_t>(dtype_size(t.dtype()));
  return static_cast<char*>(t.impl()->storage->data()) + offset;
}

}  // namespace

bool available() {
#ifdef CNN_HAVE_MPI
  return true;
#else
  return false;
#endif
}

std::string launcher() {
  if (launched_world() == 0) return "";
  return env("SLURM_STEP_ID") != nullptr || env("SLURM_PROCID") != nullptr ? "srun" : "mpirun";
}

bool init() {
  if (g_initialized || launched_world() == 0) return g_world > 1;
#ifdef CNN_HAVE_MPI
  int provided = 0;
  check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  std::atexit(finalize_at_exit);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_world);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  g_initialized = true;
  return g_world > 1;
#else
  CNN_CHECK(launched_world() <= 1,
            "distributed: started by {} as one of {} ranks, but this cnnkit was built without MPI, so every rank "
            "would train alone\nHINT: install libopenmpi-dev (scripts/install-deps.sh does) and rebuild",
            launcher(), launched_world());
  return false;
#endif
}

bool is_initialized() { return g_initialized; }
int rank() { return g_rank; }
int world_size() { return g_world; }

void barrier() {
#ifdef CNN_HAVE_MPI
  if (g_initialized) check_mpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
#endif
}

void all_reduce_sum(Tensor& t) {
  check_dense(t, "all_reduce");
  if (g_world == 1 || t.numel() == 0) return;
#ifdef CNN_HAVE_MPI
  check_mpi(MPI_Allreduce(MPI_IN_PLACE, base_of(t), static_cast<int>(t.numel()), mpi_type(t),
                          MPI_SUM, MPI_COMM_WORLD),
            "MPI_Allreduce");
#endif
}

double sum_over_ranks(double value) {
#ifdef CNN_HAVE_MPI
  if (g_world > 1)
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD), "MPI_Allreduce");
#endif
  return value;
}

void all_reduce_sum(std::vector<double>& values) {
#ifdef CNN_HAVE_MPI
  if (g_world > 1 && !values.empty())
    check_mpi(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM,
                            MPI_COMM_WORLD),
              "MPI_Allreduce");
#endif
}

void broadcast(Tensor& t, int root) {
  check_dense(t, "broadcast");
  if (g_world == 1 || t.numel() == 0) return;
#ifdef CNN_HAVE_MPI
  const int bytes = static_cast<int>(t.numel() * static_cast<int64_t>(dtype_size(t.dtype())));
  check_mpi(MPI_Bcast(base_of(t), bytes, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
#endif
}

std::vector<std::string> all_gather(const std::string& text) {
  if (g_world == 1) return {text};
  std::vector<std::string> out(g_world);
#ifdef CNN_HAVE_MPI
  int length = static_cast<int>(text.size());
  std::vector<int> lengths(g_world), offsets(g_world);
  check_mpi(MPI_Allgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD), "MPI_Allgather");
  int total = 0;
  for (int r = 0; r < g_world; ++r) offsets[r] = total, total += lengths[r];
  std::string all(total, '\0');
  check_mpi(MPI_Allgatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
                           MPI_COMM_WORLD),
            "MPI_Allgatherv");
  for (int r = 0; r < g_world; ++r) out[r] = all.substr(offsets[r], lengths[r]);
#endif
  return out;
}

void check_same(const std::string& text, const std::string& what) {
  const std::vector<std::string> all = all_gather(text);
  std::string differ;
  for (size_t r = 1; r < all.size(); ++r)
    if (all[r] != all[0]) differ += fmt::format("\n  rank {}: {}", r, all[r]);
  CNN_CHECK(differ.empty(), "distributed: the ranks were started with different {}; rank 0: {}{}", what, all[0],
            differ);
}

Tensor differentiable_all_reduce_sum(const Tensor& x) {
  Tensor y = x.detach().contiguous().clone();
  all_reduce_sum(y);
  return record("AllReduceBackward", y, {x}, [](const Tensor& dy, const NeedsGrad&) {
    Tensor g = dy.contiguous().clone();
    all_reduce_sum(g);
    return std::vector<Tensor>{g};
  });
}

#ifdef CNN_HAVE_MPI
struct PendingAllReduce::Request {
  MPI_Request request = MPI_REQUEST_NULL;
};
#else
struct PendingAllReduce::Request {};
#endif

PendingAllReduce::PendingAllReduce(float* data, int64_t count) : request_(std::make_unique<Request>()) {
#ifdef CNN_HAVE_MPI
  if (g_world > 1 && count > 0) {
    check_mpi(MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                             &request_->request),
              "MPI_Iallreduce");
    return;
  }
#endif
  done_ = true;
}

PendingAllReduce::~PendingAllReduce() {
  if (!done_) {
    try {
      wait();
    } catch (...) {  // a destructor may not throw; the rank is failing anyway
    }
  }
}

bool PendingAllReduce::poke() {
#ifdef CNN_HAVE_MPI
  if (!done_) {
    int flag = 0;
    check_mpi(MPI_Test(&request_->request, &flag, MPI_STATUS_IGNORE), "MPI_Test");
    done_ = flag != 0;
  }
#endif
  return done_;
}

void PendingAllReduce::wait() {
#ifdef CNN_HAVE_MPI
  if (!done_) check_mpi(MPI_Wait(&request_->request, MPI_STATUS_IGNORE), "MPI_Wait");
#endif
  done_ = true;
}

std::vector<int64_t> shard(const std::vector<int64_t>& order, int64_t rank, int64_t world, bool pad,
                           bool drop_last) {
  CNN_CHECK(world >= 1 && rank >= 0 && rank < world, "distributed: shard: expected 0 <= rank < world, got rank {} "
            "of {}", rank, world);
  std::vector<int64_t> indices = order;
  const int64_t n = static_cast<int64_t>(order.size());
  if (drop_last) {
    indices.resize(static_cast<size_t>(n / world * world));
  } else if (pad && n > 0) {
    const int64_t total = (n + world - 1) / world * world;
    for (int64_t i = n; i < total; ++i) indices.push_back(order[static_cast<size_t>((i - n) % n)]);
  }
  std::vector<int64_t> out;
  for (size_t i = static_cast<size_t>(rank); i < indices.size(); i += static_cast<size_t>(world))
    out.push_back(indices[i]);
  return out;
}

}  // namespace cnn::distributed

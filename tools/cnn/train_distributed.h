// `cnn train` and `cnn finetune` under mpirun/srun: joining the job, quieting ranks other than 0, and refusing
// ranks started with different settings. The gradient reduction itself is the library's (ddp.h).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "train_args.h"

namespace cnn::cli {

/// Joins the MPI job this process was started in, if any (distributed::init). Ranks other than 0 then print
/// nothing on stdout and show no progress (errors still reach stderr, prefixed with the rank). Returns the world size.
int join_distributed(TrainArgs& a);

/// Throws on every rank when the resolved settings differ between ranks, listing each differing key with rank 0's
/// value and the other's (the comparison is of the whole resolved configuration, hashed first).
void check_same_settings(const nlohmann::ordered_json& config);

/// " per rank x 2 ranks (mpirun) = global batch 64", or "" on a world of one.
std::string global_batch_note(int64_t batch_size);

}  // namespace cnn::cli

// Training checkpoints: model, optimiser (state and group options), scheduler and the training loop's own state
// in one safetensors file, written atomically and verified on reading; and the global generator's state.
// Not the loop that decides when to write them (train.h).
#pragma once

#include <cnn/optim.h>
#include <cnn/scheduler.h>

#include <optional>
#include <string>

namespace cnn {

/// What a checkpoint file holds. Usage: save_checkpoint("run/last.ckpt", {model.state_dict(), opt.full_state()});
struct Checkpoint {
  StateDict model;
  OptimizerState optimizer;
  std::optional<SchedulerState> scheduler;
  /// The training loop's own state as a JSON object text (epoch, metrics history, generator, loaders, ...).
  std::string state_json = "{}";
};

/// Writes a safetensors file: tensors "model.<name>" and "optimizer.<key>", and in "__metadata__" the format
/// name, the rest as JSON (numbers as exact decimal strings, so lrs and inf survive) and a CRC-32 of the tensor
/// bytes. Atomic: written to PATH.tmp, flushed to disk (fsync), renamed over PATH, the folder fsynced; a crash
/// leaves either the previous PATH or the new one, never a part of one.
void save_checkpoint(const std::string& path, const Checkpoint& checkpoint);

/// Reads and verifies a checkpoint: a file cut short, a checksum that disagrees or an unknown format throws
/// cnn::Error naming the path and the problem, with a HINT; nothing is loaded from a bad file.
Checkpoint load_checkpoint(const std::string& path);

/// The checkpoint a --resume argument names: the file itself, or DIR/last.ckpt for a folder.
std::string resolve_checkpoint_path(const std::string& file_or_dir);

/// The global generator's state as text, and back (torch.get_rng_state / set_rng_state).
std::string get_rng_state();
void set_rng_state(const std::string& state);

}  // namespace cnn

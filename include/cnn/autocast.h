// Automatic mixed precision, as PyTorch's torch.autocast("cpu", dtype=torch.bfloat16). Inside an enabled
// AutocastGuard, the ops that are matrix products (conv2d, conv1d, conv_transpose2d, linear, matmul) round their
// inputs and weights to bfloat16 and accumulate in float32; their results, and everything else (batch norm
// statistics, softmax, losses, reductions, parameters, gradients, optimiser state), stay float32.
// See docs/design.md, Note [Autocast].
#pragma once

#include <cnn/backend.h>
#include <cnn/tensor.h>

#include <string>

namespace cnn {

/// RAII: turns autocast on (or off, with enabled=false) on the calling thread for its scope; nests.
/// Usage: { cnn::AutocastGuard amp;  loss = criterion(model(x), y); }  loss.backward();
/// The backward pass needs no guard: each op records the precision it ran in. When the backend cannot compute
/// bfloat16 natively on this CPU (no avx512_bf16 or AMX; see cpu_has_native_bf16), the guard says so once on
/// stderr and leaves autocast off, so the scope runs in float32.
class AutocastGuard {
 public:
  explicit AutocastGuard(DType dtype = DType::bf16, bool enabled = true);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  bool previous_enabled_;
};

/// Whether the calling thread is inside an enabled (and supported) AutocastGuard.
bool is_autocast_enabled();
/// The dtype autocast lowers to (bf16, the only one).
DType autocast_dtype();

/// cpu_has_native_bf16() and cpu_isa_name() are in backend.h.

/// The `--amp` flag's values: "none" (float32) or "bf16".
enum class Amp { none, bf16 };
Amp parse_amp(const std::string& name);
const char* amp_name(Amp amp);

}  // namespace cnn

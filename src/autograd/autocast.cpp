// The thread-local autocast switch and the --amp names.
#include <cnn/autocast.h>
#include <cnn/backend.h>

#include <atomic>
#include <iostream>

namespace cnn {

namespace {

thread_local bool t_autocast = false;
std::atomic<bool> g_warned{false};

}  // namespace

AutocastGuard::AutocastGuard(DType dtype, bool enabled) : previous_enabled_(t_autocast) {
  CNN_CHECK(dtype == DType::bf16, "AutocastGuard: autocast lowers to bfloat16 only, got {}", dtype_name(dtype));
  if (enabled && !backend().supports_bf16()) {
    if (!g_warned.exchange(true))
      std::cerr << "autocast: this CPU has no native bfloat16 (avx512_bf16 or AMX; oneDNN dispatches to "
                << cpu_isa_name() << "), so bf16 mixed precision runs in float32\n";
    enabled = false;
  }
  t_autocast = enabled;
}

AutocastGuard::~AutocastGuard() { t_autocast = previous_enabled_; }

bool is_autocast_enabled() { return t_autocast; }
DType autocast_dtype() { return DType::bf16; }

Amp parse_amp(const std::string& name) {
  if (name == "none" || name == "f32" || name == "fp32") return Amp::none;
  if (name == "bf16" || name == "bfloat16") return Amp::bf16;
  throw Error(fmt::format("--amp: expected none or bf16, got '{}'", name));
}

const char* amp_name(Amp amp) { return amp == Amp::bf16 ? "bf16" : "none"; }

}  // namespace cnn

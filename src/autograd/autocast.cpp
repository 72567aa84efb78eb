// The thread-local autocast switch and the CPU's bfloat16 capability (read from oneDNN's dispatch ISA).
#include <cnn/autocast.h>
#include <cnn/backend.h>

#include <atomic>
#include <iostream>
#include <oneapi/dnnl/dnnl.hpp>

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

bool cpu_has_native_bf16() {
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  return isa == dnnl::cpu_isa::avx512_core_bf16 || isa == dnnl::cpu_isa::avx512_core_amx;
}

std::string cpu_isa_name() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "generic";
  }
}

Amp parse_amp(const std::string& name) {
  if (name == "none" || name == "f32" || name == "fp32") return Amp::none;
  if (name == "bf16" || name == "bfloat16") return Amp::bf16;
  throw Error(fmt::format("--amp: expected none or bf16, got '{}'", name));
}

const char* amp_name(Amp amp) { return amp == Amp::bf16 ? "bf16" : "none"; }

}  // namespace cnn

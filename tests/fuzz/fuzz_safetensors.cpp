// Fuzz target: safetensors files (header and data) through load_safetensors_metadata and load_safetensors.
// cnn::Error is an expected rejection; anything else (crash, sanitizer report, hang) is a finding.
#include <cnn/error.h>
#include <cnn/io.h>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cnn::fuzz::write_input(cnn::fuzz::scratch_dir() / "input.safetensors", data, size);
  try {
    cnn::load_safetensors_metadata(path);
  } catch (const cnn::Error&) {
  }
  try {
    const cnn::StateDict tensors = cnn::load_safetensors(path);
    uint64_t bytes = 0;
    for (const auto& [name, t] : tensors) bytes += static_cast<uint64_t>(t.numel()) * cnn::dtype_size(t.dtype());
    if (bytes > size) std::abort();  // every tensor byte comes from the file (conversions only widen to 8 bytes)
  } catch (const cnn::Error&) {
  }
  return 0;
}

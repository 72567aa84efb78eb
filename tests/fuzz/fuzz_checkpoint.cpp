// Fuzz target: training checkpoints (.ckpt) through load_checkpoint, as `cnn train --resume` reads them.
// cnn::Error is an expected rejection; anything else (crash, sanitizer report, hang) is a finding.
#include <cnn/checkpoint.h>
#include <cnn/error.h>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cnn::fuzz::write_input(cnn::fuzz::scratch_dir() / "last.ckpt", data, size);
  try {
    const cnn::Checkpoint c = cnn::load_checkpoint(path);
    (void)c;
  } catch (const cnn::Error&) {
  }
  return 0;
}

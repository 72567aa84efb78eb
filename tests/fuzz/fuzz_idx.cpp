// Fuzz target: IDX files, raw or gzip-compressed (read_idx sniffs the gzip magic), as MNIST-style datasets read
// them. cnn::Error is an expected rejection; anything else (crash, sanitizer report, hang) is a finding.
#include <cnn/data.h>
#include <cnn/error.h>

#include <algorithm>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cnn::fuzz::write_input(cnn::fuzz::scratch_dir() / "input-idx1-ubyte", data, size);
  for (int ndim : {1, 3}) {
    try {
      const cnn::IdxArray a = cnn::read_idx(path, ndim);
      // read_idx promises exactly the header's sizes; a zero dimension (any others) means no data.
      uint64_t n = 1;
      bool overflow = false;
      for (int64_t d : a.dims) overflow = __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) || overflow;
      if (std::find(a.dims.begin(), a.dims.end(), 0) != a.dims.end()) n = 0, overflow = false;
      if (overflow || n != a.data.size()) std::abort();
    } catch (const cnn::Error&) {
    }
  }
  return 0;
}

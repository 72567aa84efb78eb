// Fuzz target: .tar.gz extraction as `cnn download` does it (extract_tar_gz), into a fresh folder per input that is
// deleted afterwards; whatever was written must stay inside it. cnn::Error is an expected rejection; anything else
// (crash, sanitizer report, hang, a file outside the folder) is a finding.
#include <cnn/download.h>
#include <cnn/error.h>

#include "fuzz_util.h"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path& scratch = cnn::fuzz::scratch_dir();
  const std::string archive = cnn::fuzz::write_input(scratch / "input.tar.gz", data, size);
  const fs::path dir = scratch / "out";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir);
  try {
    for (const std::string& file : cnn::extract_tar_gz(archive, dir.string(), uint64_t{64} << 20)) {
      const fs::path written = fs::weakly_canonical(dir / file);
      const std::string inside = fs::canonical(dir).string() + "/";
      if (written.string().rfind(inside, 0) != 0) std::abort();
    }
  } catch (const cnn::Error&) {
  }
  for (const fs::path& entry : fs::directory_iterator(scratch))
    if (entry.filename() != "out" && entry.filename() != "input.tar.gz") std::abort();  // nothing escaped
  fs::remove_all(dir, ec);
  return 0;
}

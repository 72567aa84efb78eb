// Fuzz target: CIFAR binary batches, the input read as a CIFAR-10 test batch and as a CIFAR-100 test file (fine
// and coarse labels), every record then fetched. cnn::Error is an expected rejection; anything else is a finding.
#include <cnn/datasets.h>
#include <cnn/error.h>

#include "fuzz_util.h"

namespace {

void load(const std::string& dir, cnn::CifarOptions options) {
  try {
    const cnn::CifarDataset d(dir, options);
    cnn::Image image;
    cnn::SampleRng rng;
    for (int64_t i = 0; i < d.size(); ++i) {
      d.get_into(i, image, rng);
      const int64_t label = d.label(i);
      if (label < 0 || label >= static_cast<int64_t>(d.classes().size())) std::abort();
    }
  } catch (const cnn::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::filesystem::path& dir = cnn::fuzz::scratch_dir();
  cnn::fuzz::write_input(dir / "cifar-10-batches-bin" / "test_batch.bin", data, size);
  cnn::fuzz::write_input(dir / "cifar-100-binary" / "test.bin", data, size);
  load(dir.string(), {.kind = cnn::CifarKind::cifar10, .train = false});
  load(dir.string(), {.kind = cnn::CifarKind::cifar100, .train = false});
  load(dir.string(), {.kind = cnn::CifarKind::cifar100, .train = false, .coarse_labels = true});
  return 0;
}

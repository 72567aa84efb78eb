// Fuzz target: image decoding as the image-folder dataset does it (read_image: format sniffing, PNG chunk CRCs and
// size checks, then stb), in RGB or grayscale by the input's size. cnn::Error is an expected rejection; anything
// else (crash, sanitizer report, hang) is a finding.
#include <cnn/datasets.h>
#include <cnn/error.h>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cnn::fuzz::write_input(cnn::fuzz::scratch_dir() / "image.png", data, size);
  const cnn::ImageMode mode = size % 2 == 0 ? cnn::ImageMode::rgb : cnn::ImageMode::grayscale;
  try {
    const cnn::Image image = cnn::read_image(path, mode);
    if (image.bytes.size() != static_cast<size_t>(image.height * image.width * image.channels)) std::abort();
  } catch (const cnn::Error&) {
  }
  return 0;
}

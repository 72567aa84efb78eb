// Fuzz target: the JSON config reader of `cnn train --config` (tools/cnn/json_config.cpp) on cnn train's own flags,
// then the resolved config that train writes back. cnn::Error is an expected rejection; anything else (crash,
// sanitizer report, hang, a CLI11 exception escaping) is a finding.
#include <cnn/error.h>

#include "fuzz_util.h"
#include "json_config.h"
#include "train_args.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = cnn::fuzz::write_input(cnn::fuzz::scratch_dir() / "config.json", data, size);
  CLI::App app("cnn train (fuzz)", "train");
  cnn::cli::TrainArgs args;
  cnn::cli::add_train_flags(&app, args);
  try {
    cnn::cli::apply_json_config(app, path);
    cnn::cli::resolved_config(args).dump();
  } catch (const cnn::Error&) {
  }
  return 0;
}

// Fuzz target: the JSON config reader of `cnn train --config` (tools/cnn/json_config.cpp) on cnn train's own flags,
// then the resolved config that train writes back. cnn::Error is an expected rejection; anything else (crash,
// sanitizer report, hang, a CLI11 exception escaping) is a finding.
#include <cnn/error.h>

#include "fuzz_util.h"
#include "json_config.h"
#include "train_args.h"

namespace {

// One app for all inputs (registering the flags costs more than reading a config).
struct TrainCommand {
  cnn::cli::TrainArgs args;
  CLI::App app{"cnn train (fuzz)", "train"};
  TrainCommand() { cnn::cli::add_train_flags(&app, args); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TrainCommand train;
  train.app.clear();  // each input starts from no results and the default settings
  train.args = cnn::cli::TrainArgs{};
  const std::string path = cnn::fuzz::write_input(cnn::fuzz::scratch_dir() / "config.json", data, size);
  try {
    cnn::cli::apply_json_config(train.app, path);
    (void)cnn::cli::resolved_config(train.args).dump();
  } catch (const cnn::Error&) {
  }
  return 0;
}

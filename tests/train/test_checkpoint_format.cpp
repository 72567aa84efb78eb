// The checkpoint format (issue 13 §6): a checked format version (version 1 files are refused, saying so), a CRC that
// covers the metadata (rng_state, epoch, ...) as well as the tensors, and a resumed run's counters range-checked.
#include <cnn/checkpoint.h>
#include <cnn/data.h>
#include <cnn/io.h>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cnn {
namespace {

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

Checkpoint small_checkpoint() {
  Checkpoint c;
  c.model.insert("w", ones({2, 2}));
  c.optimizer.param_groups.push_back({{"lr", 0.1}});
  c.state_json = R"({"epoch": 1, "rng_state": "5 6 7"})";
  return c;
}

// Rewrites a checkpoint's metadata through `edit` (tensors and recorded CRC kept as they are).
void tamper(const std::string& path, const std::function<void(std::map<std::string, std::string>&)>& edit) {
  std::map<std::string, std::string> metadata = load_safetensors_metadata(path);
  const StateDict tensors = load_safetensors(path);
  edit(metadata);
  save_safetensors(path, tensors, metadata);
}

TEST(CheckpointFormat, RoundTripsWithVersionTwo) {
  const std::string path = test::temp_dir("ckpt_format") + "/a.ckpt";
  save_checkpoint(path, small_checkpoint());
  EXPECT_EQ(load_safetensors_metadata(path).at("format"), "cnnkit-checkpoint-2");
  EXPECT_EQ(nlohmann::json::parse(load_checkpoint(path).state_json)["epoch"], 1);
}

TEST(CheckpointFormat, VersionOneIsRefusedNamingTheVersion) {
  const std::string path = test::temp_dir("ckpt_format") + "/old.ckpt";
  save_checkpoint(path, small_checkpoint());
  tamper(path, [](auto& m) { m["format"] = "cnnkit-checkpoint-1"; });
  const std::string msg = test::error_message([&] { load_checkpoint(path); });
  EXPECT_HAS(msg, "checkpoint " + path + ": format version 1, this cnnkit reads version 2 only");
  EXPECT_HAS(msg, "HINT:");
  tamper(path, [](auto& m) { m["format"] = "something-else"; });
  EXPECT_HAS(test::error_message([&] { load_checkpoint(path); }),
             "format is 'something-else', expected 'cnnkit-checkpoint-2'");
}

TEST(CheckpointFormat, TheCrcCoversTheMetadata) {
  const std::string path = test::temp_dir("ckpt_format") + "/a.ckpt";
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"epoch\":1", "\"epoch\":-1"}, {"\"epoch\":1", "\"epoch\":1.5"}, {"5 6 7", "5 6 8"}, {"0.1", "0.2"}}) {
    save_checkpoint(path, small_checkpoint());
    tamper(path, [&, &from = from, &to = to](auto& m) {
      const size_t at = m.at("checkpoint").find(from);
      ASSERT_NE(at, std::string::npos) << m.at("checkpoint");
      m["checkpoint"].replace(at, from.size(), to);
    });
    EXPECT_HAS(test::error_message([&] { load_checkpoint(path); }),
               "the CRC-32 of its tensors and metadata does not match");
  }
}

}  // namespace
}  // namespace cnn

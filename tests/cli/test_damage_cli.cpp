// Damaged inputs the CLI must refuse with exit code 1 and a message naming the file (issue 13 §3, §6): IDX files with
// trailing gzip garbage or out-of-range labels, an empty split, checkpoints with counters out of range, planted
// symlinks in a run folder, image folders whose splits disagree, a corrupt JPEG, a PNG with a flipped bit.
#include <cnn/checkpoint.h>
#include <cnn/data.h>
#include <cnn/io.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <zlib.h>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

using Result = test::CommandResult;

#define EXPECT_FAILS_WITH(result, text)                        \
  do {                                                         \
    const Result& r_ = (result);                               \
    EXPECT_EQ(r_.code, 1) << r_.out << r_.err;                 \
    EXPECT_NE(r_.err.find(text), std::string::npos) << r_.err; \
  } while (0)

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

// MNIST-shaped IDX files: n train and `test` test images of 28x28 (labels 0..9).
std::string tiny_mnist(int64_t n = 40, int64_t test = 20) {
  const std::string dir = test::temp_dir("damage");
  for (const auto& [prefix, count] : {std::pair<std::string, int64_t>{"train", n}, {"t10k", test}}) {
    IdxArray images{{count, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(count * 784), 9)};
    IdxArray labels{{count}, {}};
    for (int64_t i = 0; i < count; ++i) labels.data.push_back(static_cast<uint8_t>(i % 10));
    write_idx(dir + "/" + prefix + "-images-idx3-ubyte.gz", images);
    write_idx(dir + "/" + prefix + "-labels-idx1-ubyte.gz", labels);
  }
  return dir;
}

std::string train_args(const std::string& data, const std::string& out) {
  return "train --model plaincnn --model-kwargs depth=2 width=4 --epochs 1 --batch-size 10 --threads 1 --workers 0 "
         "--quiet --no-report --data-dir " + data + " --output " + out;
}

Image gray(int64_t side, uint8_t value) {
  Image im;
  im.reset_bytes(side, side, 3);
  std::fill(im.bytes.begin(), im.bytes.end(), value);
  return im;
}

}  // namespace

TEST(DamagedData, IdxTrailingGarbageAfterTheGzipStream) {
  const std::string data = tiny_mnist();
  const std::string labels = data + "/t10k-labels-idx1-ubyte.gz";
  spit(labels, test::slurp(labels) + "garbage");
  EXPECT_FAILS_WITH(test::run_cnn(train_args(data, data + "/run")),
                    "idx: " + labels + ": 7 bytes of trailing garbage after the gzip data");
}

TEST(DamagedData, IdxLabelOutsideTheClasses) {
  const std::string data = tiny_mnist();
  write_idx(data + "/train-labels-idx1-ubyte.gz", IdxArray{{40}, std::vector<uint8_t>(40, 17)});
  EXPECT_FAILS_WITH(test::run_cnn(train_args(data, data + "/run")),
                    "train-labels-idx1-ubyte.gz: label 17 at index 0, expected 0..9 (the dataset's 10 classes)");
}

TEST(DamagedData, EmptySplitIsAnError) {
  const std::string data = tiny_mnist(40, 0);
  const Result r = test::run_cnn(train_args(data, data + "/run"));
  EXPECT_FAILS_WITH(r, "t10k-images-idx3-ubyte.gz holds no images (an empty split)");
  EXPECT_EQ(r.out.find("0.00%"), std::string::npos) << r.out;
}

TEST(DamagedCheckpoint, CountersOutOfRangeAreRefusedOnResume) {
  const std::string data = tiny_mnist(), run = data + "/run";
  ASSERT_EQ(test::run_cnn(train_args(data, run)).code, 0);
  const Checkpoint good = load_checkpoint(run + "/last.ckpt");
  for (const auto& [key, value, expected] : std::vector<std::tuple<std::string, nlohmann::json, std::string>>{
           {"epoch", -1, "\"epoch\" is -1, expected an integer from 0 to 1"},
           {"epoch", 1.5, "\"epoch\" is 1.5, expected an integer from 0 to 1"},
           {"epoch", int64_t{1} << 40, "\"epoch\" is 1099511627776, expected an integer from 0 to 1"},
           {"best_epoch", 7, "\"best_epoch\" is 7, expected an integer from 0 to 1"},
           {"epochs", "2", "\"epochs\" is \"2\", expected an integer from 1"}}) {
    Checkpoint c = good;
    nlohmann::json state = nlohmann::json::parse(c.state_json);
    state[key] = value;
    c.state_json = state.dump();
    save_checkpoint(run + "/last.ckpt", c);  // a valid CRC: only the range check can catch it
    EXPECT_FAILS_WITH(test::run_cnn(train_args(data, run) + " --resume " + run), expected);
  }
}

TEST(RunFolders, OutputThatIsASymlinkIsRefused) {
  const std::string data = tiny_mnist(), elsewhere = data + "/elsewhere", link = data + "/link";
  fs::create_directories(elsewhere);
  fs::create_directory_symlink(elsewhere, link);
  EXPECT_FAILS_WITH(test::run_cnn(train_args(data, link)),
                    "--output " + link + ": " + link + " is a symbolic link (to " + elsewhere + ")");
  EXPECT_TRUE(fs::is_empty(elsewhere));
}

TEST(RunFolders, FilesInsideThatAreSymlinksAreRefused) {
  const std::string data = tiny_mnist(), run = data + "/run", victim = data + "/victim.txt";
  fs::create_directories(run);
  spit(victim, "precious");
  fs::create_symlink(victim, run + "/metrics.json");
  EXPECT_FAILS_WITH(test::run_cnn(train_args(data, run) + " --overwrite"),
                    run + "/metrics.json is a symbolic link (to " + victim + "); refusing to write through it");
  EXPECT_EQ(test::slurp(victim), "precious");
  fs::remove(run + "/metrics.json");
  fs::create_symlink(victim, run + "/model.safetensors.tmp");
  EXPECT_FAILS_WITH(test::run_cnn(train_args(data, run) + " --overwrite"), "model.safetensors.tmp is a symbolic link");
  EXPECT_EQ(test::slurp(victim), "precious");
}

TEST(DamagedImages, SplitsWithDifferentClassNames) {
  const std::string root = test::temp_dir("damage");
  for (const char* dir : {"train/cat", "train/dog", "val/cat", "val/cow"}) {
    fs::create_directories(root + "/" + dir);
    write_image(root + "/" + dir + "/0.png", gray(8, 100));
  }
  EXPECT_FAILS_WITH(test::run_cnn("train --dataset folder:" + root + " --img-size 8 --epochs 1 --quiet --output " +
                                  root + "/run"),
                    "imagefolder: the class folders of " + root + "/val (cat, cow) differ from those of " + root +
                        "/train (cat, dog)");
}

TEST(DamagedImages, CorruptJpegNamesTheFileAndItsRealFormat) {
  const std::string dir = test::temp_dir("damage");
  write_image(dir + "/a.jpg", gray(16, 80));
  std::string bytes = test::slurp(dir + "/a.jpg");
  spit(dir + "/cut.jpg", bytes.substr(0, 20));
  std::string msg = test::error_message([&] { read_image(dir + "/cut.jpg"); });
  EXPECT_NE(msg.find(dir + "/cut.jpg (20 bytes, JPEG by its first bytes, extension .jpg): the JPEG decoder says"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("png"), std::string::npos) << msg;
  write_image(dir + "/p.png", gray(4, 10));
  fs::copy_file(dir + "/p.png", dir + "/png_named.jpg");
  spit(dir + "/junk.jpg", "GIF89a but not really");
  msg = test::error_message([&] { read_image(dir + "/junk.jpg"); });
  // Named by its real format: its GIF header's size claim is refused before any decoding (docs/reliability.md).
  EXPECT_NE(msg.find(dir + "/junk.jpg: GIF header claims"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("png"), std::string::npos) << msg;
  EXPECT_NO_THROW(read_image(dir + "/png_named.jpg"));
}

TEST(DamagedImages, PngWithAFlippedBitFailsItsCrc) {
  const std::string dir = test::temp_dir("damage");
  write_image(dir + "/a.png", gray(8, 50));
  std::string bytes = test::slurp(dir + "/a.png");
  const size_t idat = bytes.find("IDAT");
  ASSERT_NE(idat, std::string::npos);
  bytes[idat + 6] = static_cast<char>(bytes[idat + 6] ^ 0x10);
  spit(dir + "/flipped.png", bytes);
  const std::string msg = test::error_message([&] { read_image(dir + "/flipped.png"); });
  EXPECT_NE(msg.find("read_image: " + dir + "/flipped.png: PNG chunk IDAT at byte " + std::to_string(idat - 4) +
                     " has CRC 0x"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
}

TEST(DamagedImages, PngClaimingMorePixelsThanItsBytesHold) {
  const std::string dir = test::temp_dir("damage");
  write_image(dir + "/a.png", gray(8, 50));
  std::string bytes = test::slurp(dir + "/a.png");
  const size_t ihdr = bytes.find("IHDR");
  ASSERT_NE(ihdr, std::string::npos);
  for (size_t k = 0; k < 8; ++k) bytes[ihdr + 4 + k] = k % 4 == 1 ? '\x01' : '\0';  // 65536 x 65536
  const uint32_t crc = static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data() + ihdr), 4 + 13));
  for (int k = 0; k < 4; ++k) bytes[ihdr + 17 + static_cast<size_t>(k)] = static_cast<char>(crc >> (24 - 8 * k));
  spit(dir + "/bomb.png", bytes);
  const std::string msg = test::error_message([&] { read_image(dir + "/bomb.png"); });
  EXPECT_NE(msg.find("bomb.png: PNG header claims 65536 x 65536 pixels"), std::string::npos) << msg;
}

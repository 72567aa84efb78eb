// extract_tar_gz against hostile archives built here byte by byte (ustar headers, gzipped with zlib): absolute
// paths, "..", symbolic and hard links, devices and fifos, a symlink planted in the target folder, a size limit.
#include <cnn/data.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

struct Entry {
  std::string name;
  std::string content = {};
  char type = '0';
  std::string link = {};  // linkname of a '1' or '2' entry
};

std::string tar_bytes(const std::vector<Entry>& entries) {
  std::string tar;
  for (const Entry& e : entries) {
    char h[512] = {};
    std::memcpy(h, e.name.data(), std::min<size_t>(e.name.size(), 100));
    std::snprintf(h + 100, 8, "%07o", 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011zo", e.content.size());
    std::snprintf(h + 136, 12, "%011o", 0);
    h[156] = e.type;
    std::memcpy(h + 157, e.link.data(), std::min<size_t>(e.link.size(), 100));
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    tar.append(h, 512);
    tar += e.content;
    tar.append((512 - e.content.size() % 512) % 512, '\0');
  }
  tar.append(1024, '\0');
  return tar;
}

// Writes the archive of `entries` into a fresh folder and returns its path.
std::string archive(const std::string& dir, const std::vector<Entry>& entries) {
  const std::string path = dir + "/a.tar.gz", tar = tar_bytes(entries);
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, tar.data(), static_cast<unsigned>(tar.size()));
  gzclose(f);
  return path;
}

std::string refusal(const std::vector<Entry>& entries, uint64_t max_bytes = kMaxTarBytes) {
  const std::string dir = test::temp_dir("tar");
  return test::error_message([&] { extract_tar_gz(archive(dir, entries), dir + "/out", max_bytes); });
}

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

}  // namespace

TEST(Tar, RefusesAbsolutePathsAndDotDot) {
  std::string msg = refusal({{"/tmp/cnn_tar_evil.txt", "x"}});
  EXPECT_HAS(msg, "refusing to unpack '/tmp/cnn_tar_evil.txt' (absolute path)");
  EXPECT_FALSE(fs::exists("/tmp/cnn_tar_evil.txt"));
  msg = refusal({{"data/../../evil.txt", "x"}});
  EXPECT_HAS(msg, "refusing to unpack 'data/../../evil.txt' ('..' component)");
  EXPECT_HAS(refusal({{"../up", "", '5'}}), "('..' component)");
}

TEST(Tar, RefusesLinks) {
  std::string msg = refusal({{"data/", "", '5'}, {"data/passwd", "", '2', "/etc/passwd"}});
  EXPECT_HAS(msg, "refusing to unpack 'data/passwd' (symbolic link)");
  EXPECT_HAS(msg, "HINT:");
  EXPECT_HAS(refusal({{"data/inside", "", '2', "file.bin"}}), "(symbolic link)");
  EXPECT_HAS(refusal({{"data/hard", "", '1', "../../etc/shadow"}}), "refusing to unpack 'data/hard' (hard link)");
}

TEST(Tar, RefusesDevicesAndFifos) {
  EXPECT_HAS(refusal({{"data/tty", "", '3'}}), "'data/tty' (character device)");
  EXPECT_HAS(refusal({{"data/sda", "", '4'}}), "'data/sda' (block device)");
  EXPECT_HAS(refusal({{"data/pipe", "", '6'}}), "'data/pipe' (fifo)");
  EXPECT_HAS(refusal({{"data/odd", "", 'Z'}}), "(entry type 'Z')");
}

TEST(Tar, RefusesWritingThroughAPlantedSymlink) {
  const std::string dir = test::temp_dir("tar"), out = dir + "/out", elsewhere = dir + "/elsewhere";
  fs::create_directories(out);
  fs::create_directories(elsewhere);
  fs::create_directory_symlink(elsewhere, out + "/data");
  const std::string msg = test::error_message([&] { extract_tar_gz(archive(dir, {{"data/x.bin", "x"}}), out); });
  EXPECT_HAS(msg, "refusing to unpack 'data/x.bin' (" + out + "/data is a symbolic link)");
  EXPECT_FALSE(fs::exists(elsewhere + "/x.bin"));
}

TEST(Tar, RefusesMoreBytesThanTheLimit) {
  const std::string msg = refusal({{"a.bin", std::string(600, 'a')}, {"b.bin", std::string(600, 'b')}}, 1000);
  EXPECT_HAS(msg, "refusing to unpack 'b.bin' (600 bytes after 600 already unpacked, more than the limit of 1000");
  EXPECT_HAS(refusal({{"big.bin", std::string(2000, 'a')}}, 1000), "'big.bin' (2000 bytes after 0");
  const std::string dir = test::temp_dir("tar");
  EXPECT_EQ(extract_tar_gz(archive(dir, {{"a.bin", std::string(1000, 'a')}}), dir + "/out", 1000).size(), 1u);
}

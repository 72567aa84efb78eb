// Downloads through libcurl with file:// addresses (this machine has no internet): md5 sums, skipping files already
// there, resuming a .part file, md5 mismatches, the offline message (a refused local port), mirrors, and unpacking
// .tar.gz archives (long names, refused paths); real MNIST through download_dataset when ../shared has it.
#include <cnn/data.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace fs = std::filesystem;
using namespace cnn;

namespace {

std::string temp_dir() { return cnn::test::temp_dir("download"); }

using cnn::test::slurp;

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), std::streamsize(bytes.size()));
}

// 300 KB of varied bytes, and a RemoteFile for it in folder `from`.
std::string payload() {
  std::string s(300000, '\0');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>((i * 2654435761u) >> 13);
  return s;
}
RemoteFile remote(const std::string& from, const std::string& name, const std::string& bytes) {
  return {name, "file://" + from + "/" + name, md5_hex(bytes.data(), bytes.size()), false};
}

// A .tar.gz of (name, content, type) entries with ustar headers, for the extractor.
void write_tar_gz(const std::string& path, const std::vector<std::tuple<std::string, std::string, char>>& entries) {
  std::string tar;
  auto header = [&tar](const std::string& name, size_t size, char type) {
    char h[512] = {};
    std::memcpy(h, name.data(), std::min<size_t>(name.size(), 100));
    std::snprintf(h + 100, 8, "%07o", 0644);
    std::snprintf(h + 108, 8, "%07o", 0);
    std::snprintf(h + 116, 8, "%07o", 0);
    std::snprintf(h + 124, 12, "%011zo", size);
    std::snprintf(h + 136, 12, "%011o", 0);
    h[156] = type;
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : h) sum += c;
    std::snprintf(h + 148, 8, "%06o", sum);
    tar.append(h, 512);
  };
  auto data = [&tar](const std::string& content) {
    tar += content;
    tar.append((512 - content.size() % 512) % 512, '\0');
  };
  for (const auto& [name, content, type] : entries) {
    if (name.size() > 100) {  // GNU long name: a 'L' entry carrying the name, then the entry itself
      header("././@LongLink", name.size() + 1, 'L');
      data(name + '\0');
    }
    header(name, content.size(), type);
    data(content);
  }
  tar.append(1024, '\0');
  gzFile f = gzopen(path.c_str(), "wb");
  gzwrite(f, tar.data(), static_cast<unsigned>(tar.size()));
  gzclose(f);
}

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected cnn::Error";
  return "";
}

}  // namespace

TEST(Download, Md5KnownAnswers) {
  EXPECT_EQ(md5_hex("", 0), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("abc", 3), "900150983cd24fb0d6963f7d28e17f72");
  const std::string fox = "The quick brown fox jumps over the lazy dog";
  EXPECT_EQ(md5_hex(fox.data(), fox.size()), "9e107d9d372bb6826bd81d3542a419d6");
  const std::string a(1000000, 'a');
  EXPECT_EQ(md5_hex(a.data(), a.size()), "7707d6ae4e027c70eea2a935c2296f21");
}

TEST(Download, FetchesSkipsAndUsesMirrors) {
  const std::string dir = temp_dir(), from = dir + "/server", to = dir + "/data";
  fs::create_directories(from);
  const std::string bytes = payload();
  spit(from + "/blob.bin", bytes);
  int64_t last = 0;
  DownloadReport r = download_file(remote(from, "blob.bin", bytes), to,
                                   {.on_progress = [&last](const std::string&, int64_t now, int64_t) { last = now; }});
  EXPECT_FALSE(r.skipped);
  EXPECT_EQ(r.bytes, int64_t(bytes.size()));
  EXPECT_EQ(last, int64_t(bytes.size()));
  EXPECT_EQ(slurp(to + "/blob.bin"), bytes);
  EXPECT_FALSE(fs::exists(to + "/blob.bin.part"));
  EXPECT_TRUE(download_file(remote(from, "blob.bin", bytes), to).skipped);
  // A mirror replaces the official address: name appended to it.
  RemoteFile official = remote(from, "blob.bin", bytes);
  official.url = "http://127.0.0.1:1/official/blob.bin";
  r = download_file(official, dir + "/mirrored", {.mirror = "file://" + from + "/"});
  EXPECT_EQ(slurp(dir + "/mirrored/blob.bin"), bytes);
}

TEST(Download, ResumesAPartialFile) {
  const std::string dir = temp_dir(), from = dir + "/server", to = dir + "/data";
  fs::create_directories(from);
  fs::create_directories(to);
  const std::string bytes = payload();
  spit(from + "/blob.bin", bytes);
  spit(to + "/blob.bin.part", bytes.substr(0, 123457));
  const DownloadReport r = download_file(remote(from, "blob.bin", bytes), to);
  EXPECT_EQ(r.resumed_from, 123457);
  EXPECT_EQ(slurp(to + "/blob.bin"), bytes);
}

TEST(Download, Md5MismatchDeletesThePartialFile) {
  const std::string dir = temp_dir(), from = dir + "/server", to = dir + "/data";
  fs::create_directories(from);
  fs::create_directories(to);
  const std::string bytes = payload();
  spit(from + "/blob.bin", bytes);
  spit(to + "/blob.bin.part", std::string(1000, 'x'));  // a corrupt earlier attempt
  std::string msg = error_of([&] { download_file(remote(from, "blob.bin", bytes), to); });
  EXPECT_NE(msg.find("has md5"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected " + md5_hex(bytes.data(), bytes.size())), std::string::npos) << msg;
  EXPECT_NE(msg.find("resumed after 1000 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(to + "/blob.bin.part"));
  EXPECT_FALSE(fs::exists(to + "/blob.bin"));
  EXPECT_EQ(slurp(to + "/" + download_file(remote(from, "blob.bin", bytes), to).name), bytes) << "a fresh start";
  RemoteFile wrong = remote(from, "blob.bin", bytes);
  wrong.md5 = std::string(32, '0');
  fs::remove(to + "/blob.bin");
  EXPECT_NE(error_of([&] { download_file(wrong, to); }).find("expected 000000"), std::string::npos);
}

TEST(Download, UnreachableHostSaysOffline) {
  const std::string dir = temp_dir();
  const RemoteFile file{"x.gz", "http://127.0.0.1:1/x.gz", std::string(32, '0'), false};
  std::string msg = error_of([&] { download_file(file, dir, {.connect_timeout = 5}); });
  EXPECT_NE(msg.find("cannot reach 127.0.0.1:1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("looks offline"), std::string::npos) << msg;
  EXPECT_NE(msg.find("HINT:"), std::string::npos) << msg;
  msg = error_of([&] { download_file(file, dir, {.mirror = "file://" + dir + "/nothing-here"}); });
  EXPECT_NE(msg.find("does not exist"), std::string::npos) << msg;
}

TEST(Download, ExtractsTarGz) {
  const std::string dir = temp_dir();
  const std::string long_name = "cifar-10-batches-bin/" + std::string(120, 'n') + ".txt";
  write_tar_gz(dir + "/a.tar.gz", {{"cifar-10-batches-bin/", "", '5'},
                                   {"cifar-10-batches-bin/data_batch_1.bin", std::string(3073 * 2, '\3'), '0'},
                                   {"cifar-10-batches-bin/readme.html", "<p>hi</p>", '0'},
                                   {long_name, "long", '0'}});
  const std::vector<std::string> files = extract_tar_gz(dir + "/a.tar.gz", dir + "/out");
  EXPECT_EQ(files.size(), 3u);
  EXPECT_EQ(slurp(dir + "/out/cifar-10-batches-bin/readme.html"), "<p>hi</p>");
  EXPECT_EQ(fs::file_size(dir + "/out/cifar-10-batches-bin/data_batch_1.bin"), 6146u);
  EXPECT_EQ(slurp(dir + "/out/" + long_name), "long");
  write_tar_gz(dir + "/evil.tar.gz", {{"../evil.txt", "x", '0'}});
  EXPECT_NE(error_of([&] { extract_tar_gz(dir + "/evil.tar.gz", dir + "/out"); }).find("refusing"), std::string::npos);
  spit(dir + "/cut.tar.gz", slurp(dir + "/a.tar.gz").substr(0, 60));
  EXPECT_THROW(extract_tar_gz(dir + "/cut.tar.gz", dir + "/out2"), Error);
  gzFile f = gzopen((dir + "/notar.gz").c_str(), "wb");
  gzwrite(f, std::string(1024, 'z').data(), 1024);
  gzclose(f);
  EXPECT_NE(error_of([&] { extract_tar_gz(dir + "/notar.gz", dir + "/out3"); }).find("bad header checksum"),
            std::string::npos);
}

TEST(Download, RealMnistThroughAFileMirror) {
  const std::string mnist = test::mnist_dir();
  if (mnist.empty()) GTEST_SKIP() << "no MNIST in ../shared/data/mnist";
  const std::string root = temp_dir();
  std::vector<DownloadReport> reports;
  const std::string folder =
      download_dataset("mnist", root, {.mirror = "file://" + fs::absolute(mnist).string()}, &reports);
  EXPECT_EQ(folder, root + "/mnist");
  ASSERT_EQ(reports.size(), 4u);
  EXPECT_EQ(MnistDataset(folder, false).size(), 10000);
  reports.clear();
  download_dataset("mnist", root, {.mirror = "file:///nowhere"}, &reports);
  for (const DownloadReport& r : reports) EXPECT_TRUE(r.skipped) << r.name;
  EXPECT_EQ(resolve_data_dir("mnist", root), root + "/mnist");
  EXPECT_THROW(dataset_source("svhn"), Error);
}

// A small tar reader over zlib's gzip stream: unpacks .tar.gz archives (ustar, GNU long names, pax path records)
// into a folder, refusing what could escape or flood it: absolute paths, "..", links, devices, fifos, a planted
// symlink on the way, and more bytes than a limit. Not a general archiver.
#include <cnn/download.h>
#include <cnn/error.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cnn {

namespace fs = std::filesystem;

namespace {

class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path), f_(gzopen(path.c_str(), "rb")) {
    CNN_CHECK(f_ != nullptr, "tar: cannot open {} ({})\nHINT: check the path and the file's permissions", path,
              std::strerror(errno));
  }
  ~GzReader() { gzclose(f_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  // Reads exactly n bytes; returns false at a clean end of the stream before any byte; throws when cut short.
  bool read(char* out, size_t n) {
    size_t got = 0;
    while (got < n) {
      const int r = gzread(f_, out + got, static_cast<unsigned>(std::min<size_t>(n - got, 1 << 20)));
      if (r < 0) {
        int code = 0;
        const char* msg = gzerror(f_, &code);
        throw Error(
            fmt::format("tar: {}: corrupt gzip data after {} bytes ({})\nHINT: the download is damaged; "
                        "delete the archive and fetch it again",
                        path_, offset_ + got, msg ? msg : "unknown"));
      }
      if (r == 0) break;
      got += static_cast<size_t>(r);
    }
    offset_ += got;
    if (got == 0) return false;
    CNN_CHECK(got == n,
              "tar: {}: archive cut short at byte {} (wanted {} more)\nHINT: the download is incomplete; delete the "
              "archive and fetch it again",
              path_, offset_, n - got);
    return true;
  }

 private:
  std::string path_;
  gzFile f_;
  uint64_t offset_ = 0;
};

std::string field(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

uint64_t octal(const char* p, size_t n) {
  if (static_cast<unsigned char>(p[0]) & 0x80) {  // GNU base-256 for sizes over 8 GiB
    uint64_t v = 0;
    for (size_t i = 1; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n && p[i]; ++i)
    if (p[i] >= '0' && p[i] <= '7') v = v * 8 + static_cast<uint64_t>(p[i] - '0');
  return v;
}

// The "path" record of a pax extended header ("LEN path=VALUE\n" records), or empty.
std::string pax_path(const std::string& data) {
  size_t pos = 0;
  while (pos < data.size()) {
    const size_t space = data.find(' ', pos);
    if (space == std::string::npos) break;
    const size_t len = std::strtoull(data.c_str() + pos, nullptr, 10);
    if (len == 0 || pos + len > data.size()) break;
    const std::string record = data.substr(space + 1, pos + len - space - 2);
    if (record.rfind("path=", 0) == 0) return record.substr(5);
    pos += len;
  }
  return {};
}

constexpr uint64_t kMaxNameRecord = 1 << 20;  // a GNU long name or pax header larger than this is not a name

[[noreturn]] void refuse(const std::string& archive, const std::string& name, const std::string& why) {
  throw Error(fmt::format("tar: {}: refusing to unpack '{}' ({})\nHINT: a dataset archive holds only folders and "
                          "regular files inside its own folder; delete the archive",
                          archive, name, why));
}

void check_safe(const std::string& archive, const std::string& name) {
  const fs::path p(name);
  if (name.empty()) refuse(archive, name, "empty name");
  if (p.is_absolute()) refuse(archive, name, "absolute path");
  for (const auto& part : p)
    if (part == "..") refuse(archive, name, "'..' component");
}

// What an entry of this type is, when it is not a file, folder or name record: the reason to refuse it.
std::string refused_type(char type) {
  switch (type) {
    case '1': return "hard link";
    case '2': return "symbolic link";
    case '3': return "character device";
    case '4': return "block device";
    case '6': return "fifo";
    default: return fmt::format("entry type '{}'", type);
  }
}

// Refuses a target whose way from `dir` passes through a symlink already there (a planted one would redirect the
// write outside dir).
void check_no_symlink(const std::string& archive, const std::string& name, const fs::path& dir) {
  fs::path at = dir;
  std::error_code ec;
  for (const auto& part : fs::path(name)) {
    at /= part;
    if (fs::is_symlink(fs::symlink_status(at, ec)))
      refuse(archive, name, fmt::format("{} is a symbolic link", at.string()));
  }
}

}  // namespace

std::vector<std::string> extract_tar_gz(const std::string& archive, const std::string& dir, uint64_t max_bytes) {
  GzReader in(archive);
  std::vector<std::string> written;
  std::string long_name;
  std::vector<char> buffer(1 << 20);
  uint64_t total = 0;
  char header[512];
  while (in.read(header, sizeof header)) {
    if (std::all_of(header, header + 512, [](char c) { return c == 0; })) break;  // end-of-archive block
    uint64_t sum = 0;
    for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(header[i]);
    CNN_CHECK(sum == octal(header + 148, 8),
              "tar: {}: bad header checksum (entry '{}')\nHINT: this is not a tar.gz archive, or it is damaged; "
              "delete it and fetch it again",
              archive, field(header, 100));
    const uint64_t size = octal(header + 124, 12);
    const char type = header[156];
    std::string name = field(header, 100);
    if (std::memcmp(header + 257, "ustar", 5) == 0 && header[345] != 0) name = field(header + 345, 155) + "/" + name;
    if (!long_name.empty()) {
      name = long_name;
      long_name.clear();
    }
    const uint64_t padded = (size + 511) / 512 * 512;
    if (type == 'L' || type == 'x' || type == 'g') {  // the next entry's name, or global pax records (ignored)
      if (size > kMaxNameRecord)
        refuse(archive, name, fmt::format("a {}-byte name record, the limit is {}", size, kMaxNameRecord));
      std::string data(padded, '\0');
      if (padded > 0) CNN_CHECK(in.read(data.data(), padded), "tar: {}: archive ends inside '{}'", archive, name);
      data.resize(size);
      if (type != 'g') long_name = type == 'L' ? field(data.c_str(), data.size()) : pax_path(data);
      continue;
    }
    const bool regular = type == '0' || type == '\0' || type == '7';
    if (!regular && type != '5') refuse(archive, name, refused_type(type));
    check_safe(archive, name);
    check_no_symlink(archive, name, dir);
    if (regular && (size > max_bytes || total + size > max_bytes))
      refuse(archive, name,
             fmt::format("{} bytes after {} already unpacked, more than the limit of {} bytes", size, total,
                         max_bytes));
    total += regular ? size : 0;
    const fs::path target = fs::path(dir) / name;
    if (type == '5') fs::create_directories(target);
    std::ofstream out;
    if (regular) {
      fs::create_directories(target.parent_path());
      out.open(target, std::ios::binary | std::ios::trunc);
      CNN_CHECK(out, "tar: cannot write {} ({})\nHINT: check that {} is writable and the disk has space",
                target.string(), std::strerror(errno), dir);
    }
    for (uint64_t left = padded; left > 0;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(left, buffer.size()));
      CNN_CHECK(in.read(buffer.data(), n),
                "tar: {}: archive ends inside '{}'\nHINT: the download is incomplete; delete it and fetch it again",
                archive, name);
      const uint64_t used = padded - left;
      if (regular && used < size)
        out.write(buffer.data(), static_cast<std::streamsize>(std::min<uint64_t>(n, size - used)));
      left -= n;
    }
    if (regular) {
      CNN_CHECK(out.good(), "tar: cannot write {}\nHINT: is the disk full?", target.string());
      written.push_back(name);
    }
  }
  return written;
}

}  // namespace cnn

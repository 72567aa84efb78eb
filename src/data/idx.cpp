// The IDX file format (MNIST's): big-endian magic 0x0000 08 NDIM, NDIM big-endian u32 sizes, then bytes.
// Reads gzip or raw files through zlib and checks everything; not a reader for IDX types other than u8.
#include <cnn/data.h>
#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace cnn {

namespace {

constexpr uint32_t kUnsignedByteMagic = 0x00000800;

std::string hex(uint32_t v) { return fmt::format("0x{:08X}", v); }

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string what_magic_means(uint32_t magic) {
  if ((magic & 0xFFFFFF00u) == kUnsignedByteMagic) return fmt::format("an IDX file with {} dimensions", magic & 0xFF);
  if ((magic >> 16) == 0x1F8B) return "gzip data inside the file: compressed twice?";
  return "not an IDX header";
}

[[noreturn]] void fail(const std::string& path, const std::string& problem, const std::string& hint) {
  throw Error(fmt::format("idx: {}: {}\nHINT: {}", path, problem, hint));
}

constexpr uint64_t kMaxDecompressed = uint64_t{4} << 30;  // more than any IDX dataset; a gzip bomb stops here

// The whole content of a file: raw, or decompressed when it starts with the gzip magic. Every gzip member must end
// cleanly, and nothing but further gzip members may follow the first (zlib's gzread ignores trailing garbage).
std::vector<uint8_t> read_all(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(path, "no such file",
         "download MNIST-style data (train-*/t10k-* idx files) or pass the folder holding "
         "them with --data-dir");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, fmt::format("cannot open for reading ({})", std::strerror(errno)), "check the file's permissions");
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 2 || file[0] != 0x1F || file[1] != 0x8B) return file;
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  z_stream z{};
  CNN_CHECK(inflateInit2(&z, 16 + MAX_WBITS) == Z_OK, "idx: {}: zlib cannot start", path);
  z.next_in = file.data();
  z.avail_in = static_cast<uInt>(file.size());
  int rc = Z_OK;
  auto corrupt = [&](const std::string& what, const std::string& hint) {
    inflateEnd(&z);
    fail(path, what, hint);
  };
  for (;;) {
    z.next_out = chunk.data();
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - z.avail_out));
    if (out.size() > kMaxDecompressed)
      corrupt(fmt::format("decompresses to more than {} bytes", kMaxDecompressed), "this is not an IDX dataset file");
    if (rc == Z_STREAM_END) {
      const size_t at = file.size() - z.avail_in;
      if (z.avail_in == 0) break;
      if (z.avail_in < 2 || z.next_in[0] != 0x1F || z.next_in[1] != 0x8B)
        corrupt(fmt::format("{} bytes of trailing garbage after the gzip data (at byte {} of {})", z.avail_in, at,
                            file.size()),
                "the file was damaged or appended to; fetch it again");
      inflateReset(&z);  // another gzip member follows
    } else if (rc != Z_OK) {
      corrupt(fmt::format("corrupt or truncated gzip data after {} decompressed bytes ({})", out.size(),
                          z.msg ? z.msg : rc == Z_BUF_ERROR ? "unexpected end of file" : "zlib error"),
              "the download was probably cut short; fetch the file again");
    }
  }
  inflateEnd(&z);
  return out;
}

}  // namespace

IdxArray read_idx(const std::string& path, int expected_ndim) {
  const uint32_t expected_magic = kUnsignedByteMagic + static_cast<uint32_t>(expected_ndim);
  const char* kind = expected_ndim == 1 ? "labels" : "images";
  std::vector<uint8_t> bytes = read_all(path);
  if (bytes.size() < 4)
    fail(path,
         fmt::format("expected an IDX header starting with magic {} ({}), found a file of {} bytes",
                     hex(expected_magic), kind, bytes.size()),
         "the file is empty or truncated; fetch it again");
  const uint32_t magic = big_endian_u32(bytes.data());
  if (magic != expected_magic)
    fail(path,
         fmt::format("expected magic {} (IDX {}, unsigned bytes, {} dimensions), found {} ({})", hex(expected_magic),
                     kind, expected_ndim, hex(magic), what_magic_means(magic)),
         expected_ndim == 1 ? "is this a labels file (*-labels-idx1-ubyte)? images and labels may be swapped"
                            : "is this an images file (*-images-idx3-ubyte)? images and labels may be swapped");
  const size_t header = 4 + 4 * static_cast<size_t>(expected_ndim);
  if (bytes.size() < header)
    fail(path, fmt::format("expected a {}-byte header, found only {} bytes", header, bytes.size()),
         "the file is truncated; fetch it again");
  IdxArray array;
  int64_t expected_bytes = 1;
  for (int d = 0; d < expected_ndim; ++d) {
    array.dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * d));
    const int64_t size = array.dims.back();
    expected_bytes = size != 0 && expected_bytes > INT64_MAX / size ? INT64_MAX : expected_bytes * size;
  }
  const auto found = static_cast<int64_t>(bytes.size() - header);
  if (found != expected_bytes) {
    std::vector<std::string> sizes;
    for (int64_t d : array.dims) sizes.push_back(std::to_string(d));
    fail(path,
         fmt::format("expected {} bytes of data after the {}-byte header ({} {}), found {}", expected_bytes, header,
                     fmt::join(sizes, " x "), kind, found),
         found < expected_bytes ? "the file is truncated; fetch it again"
                                : "the file has trailing bytes: is it an IDX file?");
  }
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

void write_idx(const std::string& path, const IdxArray& array) {
  std::vector<uint8_t> out;
  auto put_u32 = [&out](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
  };
  put_u32(kUnsignedByteMagic + static_cast<uint32_t>(array.dims.size()));
  for (int64_t d : array.dims) put_u32(static_cast<uint32_t>(d));
  out.insert(out.end(), array.data.begin(), array.data.end());
  const bool gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  gzFile f = gzopen(path.c_str(), gz ? "wb" : "wbT");  // "T": write without compression
  CNN_CHECK(f != nullptr, "idx: {}: cannot open for writing ({})\nHINT: check that the folder exists and is writable",
            path, std::strerror(errno));
  const int written = gzwrite(f, out.data(), static_cast<unsigned>(out.size()));
  const int closed = gzclose(f);
  CNN_CHECK(written == static_cast<int>(out.size()) && closed == Z_OK,
            "idx: {}: wrote {} of {} bytes\nHINT: is the disk full?", path, written, out.size());
}

}  // namespace cnn

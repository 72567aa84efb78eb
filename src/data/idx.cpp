// The IDX file format (MNIST's): big-endian magic 0x0000 08 NDIM, NDIM big-endian u32 sizes, then bytes.
// Reads gzip or raw files through zlib and checks everything; not a reader for IDX types other than u8.
#include <cnn/data.h>
#include <zlib.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

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

// The whole (decompressed) content of a file; zlib passes files that are not gzip through unchanged.
std::vector<uint8_t> read_all(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail(path, "no such file",
         "download MNIST-style data (train-*/t10k-* idx files) or pass the folder holding "
         "them with --data-dir");
  gzFile f = gzopen(path.c_str(), "rb");
  if (f == nullptr)
    fail(path, fmt::format("cannot open for reading ({})", std::strerror(errno)), "check the file's permissions");
  std::vector<uint8_t> out;
  std::vector<uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n <= 0) {
      int code = Z_OK;
      const char* message = gzerror(f, &code);
      if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
        const std::string text = message ? message : "unknown zlib error";
        gzclose(f);
        fail(path, fmt::format("corrupt or truncated gzip data after {} decompressed bytes ({})", out.size(), text),
             "the download was probably cut short; fetch the file again");
      }
      break;
    }
    out.insert(out.end(), chunk.begin(), chunk.begin() + n);
  }
  gzclose(f);
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

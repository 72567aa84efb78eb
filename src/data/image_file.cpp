// Single image files through stb: read_image (PNG, JPEG, BMP, ... into u8 HWC with 3 or 1 channels) and
// write_image (PNG, JPEG, BMP by extension). Not a folder dataset (image_folder.cpp).
#include <cnn/datasets.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cnn {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The format a file's first bytes announce, whatever its extension says.
std::string sniff_format(const std::vector<unsigned char>& f) {
  auto starts = [&f](std::initializer_list<unsigned char> magic) {
    return f.size() >= magic.size() && std::equal(magic.begin(), magic.end(), f.begin());
  };
  if (starts({0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) return "PNG";
  if (starts({0xFF, 0xD8, 0xFF})) return "JPEG";
  if (starts({'B', 'M'})) return "BMP";
  if (starts({'G', 'I', 'F', '8'})) return "GIF";
  if (f.empty()) return "empty";
  std::string head;
  for (size_t i = 0; i < std::min<size_t>(f.size(), 4); ++i) head += fmt::format("{:02x}", f[i]);
  return "unknown format (first bytes " + head + ")";
}

uint32_t big_endian(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

// The header's width x height checked against the file's size before stb allocates the pixels: deflate packs at
// most 1032 bytes into one, so a small file claiming a huge image is damaged (or a decompression bomb).
void check_png_size(const std::string& path, const std::vector<unsigned char>& f, const unsigned char* ihdr) {
  const uint64_t width = big_endian(ihdr), height = big_endian(ihdr + 4), depth = ihdr[8];
  const uint64_t channels = ihdr[9] == 2 ? 3 : ihdr[9] == 4 ? 2 : ihdr[9] == 6 ? 4 : 1;
  const uint64_t raw = height * (1 + (width * channels * depth + 7) / 8);
  const uint64_t most = 1032 * static_cast<uint64_t>(f.size()) + 4096;
  CNN_CHECK(width <= (1u << 24) && height <= (1u << 24) && raw <= most,
            "read_image: {}: PNG header claims {} x {} pixels ({} bytes of image data), more than its {} bytes can "
            "hold\nHINT: the file is corrupt; remove or replace it",
            path, width, height, raw, f.size());
}

// Any format's header size before stb allocates (found by the image fuzz target: a 54-byte BMP claiming 262144 x
// 2054 pixels, and a 19-byte file stb took for another format claiming 2^28, kept stb busy for seconds). Pixels per
// byte of file, at most: an uncompressed BMP (stb reads no other) 8, GIF's LZW 4096, the run-length formats stb
// also reads (TGA, PSD, HDR, PIC; PNM is raw) 128; PNG has its own check, JPEG only the cap of 2^28 pixels.
void check_claimed_size(const std::string& path, const std::vector<unsigned char>& f, const std::string& format) {
  constexpr uint64_t kMaxPixels = uint64_t{1} << 28;
  int width = 0, height = 0, channels = 0;
  if (stbi_info_from_memory(f.data(), static_cast<int>(f.size()), &width, &height, &channels) == 0) return;
  const uint64_t pixels = static_cast<uint64_t>(width) * static_cast<uint64_t>(height);
  const uint64_t per_byte = format == "BMP" ? 8 : format == "GIF" ? 4096 : 128;
  const bool bounded = format != "PNG" && format != "JPEG";
  CNN_CHECK(pixels <= kMaxPixels && (!bounded || pixels <= per_byte * static_cast<uint64_t>(f.size())),
            "read_image: {}: {} header claims {} x {} pixels, more than {}\nHINT: the file is corrupt; remove or "
            "replace it",
            path, format, width, height,
            pixels > kMaxPixels ? fmt::format("the {} pixels read_image accepts", kMaxPixels)
                                : fmt::format("its {} bytes can hold ({} pixels per byte at most)", f.size(), per_byte));
}

// stb skips PNG checksums: walk the chunks and check each one's CRC-32 (over type and data) up to IEND.
void check_png_crcs(const std::string& path, const std::vector<unsigned char>& f) {
  size_t at = 8;
  for (;;) {
    CNN_CHECK(at + 12 <= f.size(),
              "read_image: {}: PNG ends at byte {} inside a chunk header, before IEND\nHINT: the file is truncated; "
              "remove or replace it",
              path, f.size());
    const uint64_t length = big_endian(&f[at]);
    const std::string type(reinterpret_cast<const char*>(&f[at + 4]), 4);
    CNN_CHECK(length <= f.size() - at - 12,
              "read_image: {}: PNG chunk {} at byte {} claims {} bytes, past the end of the {}-byte file\nHINT: the "
              "file is truncated or corrupt; remove or replace it",
              path, type, at, length, f.size());
    const uint32_t stored = big_endian(&f[at + 8 + length]);
    const auto computed = static_cast<uint32_t>(crc32(0L, &f[at + 4], static_cast<uInt>(length + 4)));
    CNN_CHECK(stored == computed,
              "read_image: {}: PNG chunk {} at byte {} has CRC 0x{:08x}, its bytes give 0x{:08x}\nHINT: the file is "
              "corrupt; remove or replace it",
              path, type, at, stored, computed);
    if (type == "IHDR" && length >= 10) check_png_size(path, f, &f[at + 8]);
    if (type == "IEND") return;
    at += 12 + length;
  }
}

}  // namespace

Image read_image(const std::string& path, ImageMode mode) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("read_image: cannot open {} ({})\nHINT: check the path and the file's permissions", path,
                            std::strerror(errno)));
  in.seekg(0, std::ios::end);
  std::vector<unsigned char> file(static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0)));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(file.data()), static_cast<std::streamsize>(file.size()));
  const std::string format = sniff_format(file);
  if (format == "PNG") check_png_crcs(path, file);
  check_claimed_size(path, file, format);
  const int wanted = mode == ImageMode::rgb ? 3 : 1;
  int width = 0, height = 0, found = 0;
  unsigned char* pixels =
      stbi_load_from_memory(file.data(), static_cast<int>(file.size()), &width, &height, &found, wanted);
  if (pixels == nullptr)
    throw Error(fmt::format(
        "read_image: cannot decode {} ({} bytes, {} by its first bytes{}){}\nHINT: the file is corrupt or not an "
        "image stb reads (PNG, JPEG, BMP, GIF, TGA, PNM); remove or replace it",
        path, file.size(), format,
        lower_extension(path).empty() ? "" : fmt::format(", extension {}", lower_extension(path)),
        format == "PNG" || format == "JPEG" || format == "BMP" || format == "GIF"
            ? fmt::format(": the {} decoder says \"{}\"", format,
                          stbi_failure_reason() ? stbi_failure_reason() : "unknown reason")
            : ""));
  if (width <= 0 || height <= 0) {  // stb accepts a BMP whose header says 0 rows
    stbi_image_free(pixels);
    throw Error(fmt::format("read_image: {} ({} bytes, {}) decodes to {} x {} pixels, expected at least 1 x 1\nHINT: "
                            "the file's header is corrupt; remove or replace it",
                            path, file.size(), format, width, height));
  }
  Image image;
  image.reset_bytes(height, width, wanted);
  std::memcpy(image.bytes.data(), pixels, image.bytes.size());
  stbi_image_free(pixels);
  return image;
}

void write_image(const std::string& path, const Image& image) {
  CNN_CHECK(image.is_bytes(),
            "write_image: {}: expected a u8 HWC image, got an f32 one {}\nHINT: write images "
            "before ToTensor",
            path, image.shape());
  CNN_CHECK(image.channels >= 1 && image.channels <= 4 && image.height > 0 && image.width > 0,
            "write_image: {}: cannot write an image of {} channels, {} x {}", path, image.channels, image.height,
            image.width);
  const std::string ext = lower_extension(path);
  const int w = static_cast<int>(image.width), h = static_cast<int>(image.height);
  const int c = static_cast<int>(image.channels);
  int ok = 0;
  if (ext == ".png")
    ok = stbi_write_png(path.c_str(), w, h, c, image.bytes.data(), w * c);
  else if (ext == ".jpg" || ext == ".jpeg")
    ok = stbi_write_jpg(path.c_str(), w, h, c, image.bytes.data(), 95);
  else if (ext == ".bmp")
    ok = stbi_write_bmp(path.c_str(), w, h, c, image.bytes.data());
  else
    throw Error(fmt::format("write_image: {}: unknown extension '{}'\nHINT: use .png, .jpg or .bmp", path, ext));
  CNN_CHECK(ok != 0, "write_image: cannot write {}\nHINT: check that the folder exists and is writable", path);
}

}  // namespace cnn

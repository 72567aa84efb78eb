// MD5 (RFC 1321) of bytes and files, to check downloads against the datasets' published sums.
// Not for security: MD5 is broken for that; it only catches truncated or wrong files here.
#include <cnn/download.h>
#include <cnn/error.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>

namespace cnn {

namespace {

class Md5 {
 public:
  void update(const uint8_t* data, size_t size) {
    for (size_t i = 0; i < size; ++i) {
      block_[fill_++] = data[i];
      if (fill_ == 64) {
        transform();
        fill_ = 0;
      }
    }
    length_ += size;
  }

  std::string hex_digest() {
    const uint64_t bits = length_ * 8;
    const uint8_t one = 0x80, zero = 0;
    update(&one, 1);
    while (fill_ != 56) update(&zero, 1);
    for (int i = 0; i < 8; ++i) block_[fill_++] = static_cast<uint8_t>(bits >> (8 * i));
    transform();
    std::string out;
    for (uint32_t word : state_)
      for (int i = 0; i < 4; ++i) out += fmt::format("{:02x}", (word >> (8 * i)) & 0xFF);
    return out;
  }

 private:
  static uint32_t rotl(uint32_t x, uint32_t c) { return (x << c) | (x >> (32 - c)); }

  void transform() {
    static constexpr std::array<uint32_t, 64> shift{7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                                                    5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                                                    4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                                                    6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    static const std::array<uint32_t, 64> k = [] {
      std::array<uint32_t, 64> t{};
      for (size_t i = 0; i < 64; ++i)
        t[i] = static_cast<uint32_t>(std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) * 4294967296.0));
      return t;
    }();
    uint32_t m[16];
    for (int i = 0; i < 16; ++i)
      m[i] = uint32_t(block_[4 * i]) | uint32_t(block_[4 * i + 1]) << 8 | uint32_t(block_[4 * i + 2]) << 16 |
             uint32_t(block_[4 * i + 3]) << 24;
    uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    for (uint32_t i = 0; i < 64; ++i) {
      uint32_t f, g;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) % 16;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) % 16;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) % 16;
      }
      f += a + k[i] + m[g];
      a = d;
      d = c;
      c = b;
      b += rotl(f, shift[i]);
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
  }

  std::array<uint32_t, 4> state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  std::array<uint8_t, 64> block_{};
  size_t fill_ = 0;
  uint64_t length_ = 0;
};

}  // namespace

std::string md5_hex(const void* data, size_t size) {
  Md5 md5;
  md5.update(static_cast<const uint8_t*>(data), size);
  return md5.hex_digest();
}

std::string md5_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  CNN_CHECK(in, "md5: cannot open {} ({})\nHINT: check the path and the file's permissions", path,
            std::strerror(errno));
  Md5 md5;
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    md5.update(reinterpret_cast<const uint8_t*>(chunk.data()), static_cast<size_t>(in.gcount()));
  }
  return md5.hex_digest();
}

}  // namespace cnn

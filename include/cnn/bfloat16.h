// bfloat16: the upper 16 bits of an IEEE float32 (8 exponent bits, 7 mantissa bits), the storage type of
// DType::bf16. Converting from float rounds to nearest even, as PyTorch's c10::BFloat16 and oneDNN do; NaN stays
// a (quiet) NaN. Converting back is exact.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace cnn {

/// The bits of `f` rounded to bfloat16 (round to nearest, ties to even).
constexpr uint16_t float_to_bf16_bits(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x0040u);  // NaN: keep it quiet
  return static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

constexpr float bf16_bits_to_float(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

struct bfloat16 {
  uint16_t bits = 0;

  constexpr bfloat16() = default;
  template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
  constexpr bfloat16(T value) : bits(float_to_bf16_bits(static_cast<float>(value))) {}  // NOLINT: as a float
  constexpr operator float() const { return bf16_bits_to_float(bits); }                  // NOLINT: as a float

  static constexpr bfloat16 from_bits(uint16_t b) {
    bfloat16 v;
    v.bits = b;
    return v;
  }
};

static_assert(sizeof(bfloat16) == 2, "bfloat16 is two bytes");

}  // namespace cnn

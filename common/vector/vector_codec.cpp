#include "vector/vector_codec.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace llmspell::vector {

void encode_float32_le(const float* values, std::size_t n, std::uint8_t* out) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(out, values, n * kBytesPerElement);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t bits = std::bit_cast<std::uint32_t>(values[i]);
      for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<std::uint8_t>(bits >> (8 * b));
    }
  }
}

void decode_float32_le(const std::uint8_t* in, std::size_t n, float* values) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(values, in, n * kBytesPerElement);
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      std::uint32_t bits = 0;
      for (int b = 0; b < 4; ++b) bits |= std::uint32_t{in[i * 4 + b]} << (8 * b);
      values[i] = std::bit_cast<float>(bits);
    }
  }
}

bool all_finite(const float* values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) return false;
  }
  return true;
}

}  // namespace llmspell::vector

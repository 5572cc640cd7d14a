// The portable binary form of a vector: float32 values, little-endian, no header. It is the SQLite
// BLOB encoding and the base64 payload of the export format.
#pragma once

#include <cstddef>
#include <cstdint>

namespace llmspell::vector {

inline constexpr std::size_t kBytesPerElement = 4;

// Writes n floats as little-endian float32 into out (n * 4 bytes).
void encode_float32_le(const float* values, std::size_t n, std::uint8_t* out);

// Reads n floats from little-endian float32 bytes.
void decode_float32_le(const std::uint8_t* in, std::size_t n, float* values);

// True when every value is finite (no NaN, no infinity).
bool all_finite(const float* values, std::size_t n);

}  // namespace llmspell::vector

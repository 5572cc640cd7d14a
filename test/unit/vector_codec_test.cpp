#include "vector/vector_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace llmspell::vector {
namespace {

TEST(VectorCodec, EncodesLittleEndianFloat32) {
  const float values[] = {1.0f, -2.0f};
  std::uint8_t bytes[8];
  encode_float32_le(values, 2, bytes);
  // 1.0f = 0x3f800000, -2.0f = 0xc0000000, least significant byte first.
  const std::uint8_t expected[] = {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(bytes[i], expected[i]) << i;
}

TEST(VectorCodec, RoundTrips) {
  std::vector<float> v = {0.f, -0.f, 1e-38f, 3.4e38f, 123.456f};
  std::vector<std::uint8_t> bytes(v.size() * kBytesPerElement);
  encode_float32_le(v.data(), v.size(), bytes.data());
  std::vector<float> back(v.size());
  decode_float32_le(bytes.data(), v.size(), back.data());
  EXPECT_EQ(back, v);
}

TEST(VectorCodec, FiniteCheck) {
  const float good[] = {1, 2, 3};
  const float nan[] = {1, std::numeric_limits<float>::quiet_NaN()};
  const float inf[] = {-std::numeric_limits<float>::infinity()};
  EXPECT_TRUE(all_finite(good, 3));
  EXPECT_FALSE(all_finite(nan, 2));
  EXPECT_FALSE(all_finite(inf, 1));
}

}  // namespace
}  // namespace llmspell::vector

#include "vector/float16.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace llmspell::vector {
namespace {

TEST(Float16, KnownValues) {
  EXPECT_EQ(float_to_half(0.f), 0x0000);
  EXPECT_EQ(float_to_half(-0.f), 0x8000);
  EXPECT_EQ(float_to_half(1.f), 0x3c00);
  EXPECT_EQ(float_to_half(-2.f), 0xc000);
  EXPECT_EQ(float_to_half(65504.f), 0x7bff);
  EXPECT_EQ(float_to_half(1e6f), 0x7bff) << "saturates instead of becoming infinity";
  EXPECT_EQ(float_to_half(5.9604645e-08f), 0x0001) << "smallest subnormal";
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
}

// Every half converts to float and back unchanged; random floats round to the nearest half.
TEST(Float16, RoundTripAndNearest) {
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    if (((h >> 10) & 0x1f) == 0x1f) continue;  // inf/NaN are never produced
    ASSERT_EQ(float_to_half(half_to_float(static_cast<std::uint16_t>(h))), h) << h;
  }
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> u(-100.f, 100.f);
  for (int i = 0; i < 100000; ++i) {
    float f = u(rng);
    float back = half_to_float(float_to_half(f));
    // Relative error of binary16 rounding: at most 2^-11.
    ASSERT_LE(std::fabs(back - f), std::fabs(f) * 4.8828125e-4f + 1e-7f) << f;
  }
}

}  // namespace
}  // namespace llmspell::vector

#include "vector/distance.h"
#include "vector/distance_f16.h"

namespace llmspell::vector {
namespace {

// The float16 kernels agree with the float32 kernels on the decoded vectors, every length.
TEST(Float16, DistanceKernelsMatchDecodedVectors) {
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.f, 1.f);
  for (std::size_t n = 1; n <= 600; ++n) {
    std::vector<float> q(n), x(n), decoded(n);
    std::vector<std::uint16_t> code(n);
    for (std::size_t i = 0; i < n; ++i) {
      q[i] = normal(rng);
      x[i] = normal(rng);
    }
    floats_to_halves(x.data(), code.data(), n);
    halves_to_floats(code.data(), decoded.data(), n);
    float l2 = l2_squared(q.data(), decoded.data(), n);
    float ip = inner_product(q.data(), decoded.data(), n);
    ASSERT_NEAR(l2_squared_f16(q.data(), code.data(), n), l2, 1e-4f * (1 + l2)) << n;
    ASSERT_NEAR(inner_product_f16(q.data(), code.data(), n), ip,
                1e-4f * (1 + std::fabs(ip) + n * 0.01f))
        << n;
  }
}

}  // namespace
}  // namespace llmspell::vector

#include "vector/vector_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace llmspell::vector {
namespace {

TEST(VectorMath, AddSubtract) {
  const float a[] = {1, 2, 3};
  const float b[] = {0.5f, -2, 10};
  float out[3];
  add(a, b, out, 3);
  EXPECT_FLOAT_EQ(out[0], 1.5f);
  EXPECT_FLOAT_EQ(out[1], 0.f);
  EXPECT_FLOAT_EQ(out[2], 13.f);
  subtract(a, b, out, 3);
  EXPECT_FLOAT_EQ(out[0], 0.5f);
  EXPECT_FLOAT_EQ(out[1], 4.f);
  EXPECT_FLOAT_EQ(out[2], -7.f);
}

TEST(VectorMath, Normalize) {
  const float a[] = {3, 4};
  float out[2];
  normalize(a, out, 2);
  EXPECT_FLOAT_EQ(out[0], 0.6f);
  EXPECT_FLOAT_EQ(out[1], 0.8f);
  const float zero[] = {0, 0};
  normalize(zero, out, 2);
  EXPECT_EQ(out[0], 0.f);
  EXPECT_EQ(out[1], 0.f);
}

TEST(VectorMath, CompareElementsThenLength) {
  const float a[] = {1, 2, 3};
  const float b[] = {1, 2, 4};
  EXPECT_LT(compare(a, 3, b, 3), 0);
  EXPECT_GT(compare(b, 3, a, 3), 0);
  EXPECT_EQ(compare(a, 3, a, 3), 0);
  EXPECT_LT(compare(a, 2, a, 3), 0);
  EXPECT_GT(compare(a, 3, a, 2), 0);
}

}  // namespace
}  // namespace llmspell::vector

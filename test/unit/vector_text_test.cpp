#include "vector/vector_text.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "vector/limits.h"

namespace llmspell::vector {
namespace {

struct Parsed {
  ParseStatus status;
  std::vector<float> values;
};

Parsed parse(std::string_view text) {
  Parsed p;
  p.values.resize(count_elements_upper_bound(text));
  p.status = parse_vector(text, p.values.data(), p.values.size());
  p.values.resize(p.status.dimensions);
  return p;
}

std::string format(const std::vector<float>& v) {
  std::string out(max_formatted_length(v.size()), '\0');
  out.resize(format_vector(v.data(), v.size(), out.data()));
  return out;
}

TEST(VectorText, ParsesPlainList) {
  Parsed p = parse("[1,2,3]");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.values, (std::vector<float>{1, 2, 3}));
}

TEST(VectorText, ParsesSpacesSignsAndExponents) {
  Parsed p = parse("  [ -1.5 , +2e3,3.25E-2 ,\t.5, 4. ]  ");
  ASSERT_TRUE(p.status.ok()) << describe(p.status.error);
  EXPECT_EQ(p.values, (std::vector<float>{-1.5f, 2000.f, 0.0325f, 0.5f, 4.f}));
}

TEST(VectorText, UnderflowBecomesZero) {
  Parsed p = parse("[1e-60,-1e-400,0.000000000000000000000000000000000000000000000001]");
  ASSERT_TRUE(p.status.ok());
  EXPECT_EQ(p.values, (std::vector<float>{0.f, -0.f, 0.f}));
}

struct BadCase {
  const char* text;
  ParseError error;
  std::size_t position;
};

TEST(VectorText, RejectsBadInputWithPosition) {
  const BadCase cases[] = {
      {"", ParseError::kMissingOpenBracket, 0},
      {"1,2", ParseError::kMissingOpenBracket, 0},
      {"[]", ParseError::kEmpty, 1},
      {"[ ]", ParseError::kEmpty, 2},
      {"[1,2", ParseError::kMissingCloseBracket, 4},
      {"[1,", ParseError::kMissingCloseBracket, 3},
      {"[1,,2]", ParseError::kBadNumber, 3},
      {"[1,a]", ParseError::kBadNumber, 3},
      {"[1 2]", ParseError::kBadNumber, 3},
      {"[NaN]", ParseError::kNaNOrInfinity, 1},
      {"[nan]", ParseError::kNaNOrInfinity, 1},
      {"[inf]", ParseError::kNaNOrInfinity, 1},
      {"[-Infinity]", ParseError::kNaNOrInfinity, 1},
      {"[1e39]", ParseError::kNotFinite, 1},
      {"[-1e300]", ParseError::kNotFinite, 1},
      {"[1e400]", ParseError::kNotFinite, 1},
      {"[-123456789012345678901234567890123456789012]", ParseError::kNotFinite, 1},
      {"[1,2]x", ParseError::kTrailingGarbage, 5},
      {"[1,2] ]", ParseError::kTrailingGarbage, 6},
      {"[+]", ParseError::kBadNumber, 1},
      {"[--1]", ParseError::kBadNumber, 1},
  };
  for (const BadCase& c : cases) {
    Parsed p = parse(c.text);
    EXPECT_EQ(p.status.error, c.error) << c.text;
    EXPECT_EQ(p.status.position, c.position) << c.text;
    EXPECT_STRNE(describe(p.status.error), "") << c.text;
  }
}

TEST(VectorText, DimensionLimit) {
  std::string at_limit = "[";
  for (std::size_t i = 0; i < kMaxDimensions; ++i) at_limit += i ? ",1" : "1";
  Parsed ok = parse(at_limit + "]");
  ASSERT_TRUE(ok.status.ok());
  EXPECT_EQ(ok.status.dimensions, kMaxDimensions);
  Parsed over = parse(at_limit + ",1]");
  EXPECT_EQ(over.status.error, ParseError::kTooManyDimensions);
}

TEST(VectorText, CapacityIsRespected) {
  float out[2];
  ParseStatus st = parse_vector("[1,2,3]", out, 2);
  EXPECT_EQ(st.error, ParseError::kTooManyDimensions);
}

TEST(VectorText, FormatsShortestForm) {
  EXPECT_EQ(format({1, 2, 3}), "[1,2,3]");
  EXPECT_EQ(format({-1.5f, 0.1f, 1e-7f}), "[-1.5,0.1,1e-07]");
}

TEST(VectorText, RoundTripsRandomFloatsExactly) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<std::uint32_t> bits;
  std::vector<float> v;
  while (v.size() < 5000) {
    std::uint32_t b = bits(rng);
    float f;
    std::memcpy(&f, &b, sizeof f);
    if (std::isfinite(f)) v.push_back(f);
  }
  std::string text = format(v);
  EXPECT_LE(text.size() + 1, max_formatted_length(v.size()));
  Parsed back = parse(text);
  ASSERT_TRUE(back.status.ok());
  ASSERT_EQ(back.values.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    ASSERT_EQ(std::memcmp(&back.values[i], &v[i], sizeof(float)), 0) << i << " " << v[i];
  }
}

}  // namespace
}  // namespace llmspell::vector

namespace llmspell::vector {
namespace {

TEST(VectorText, FloatLimitsAndSubnormals) {
  Parsed max = parse("[3.4028235e+38,-3.4028235e38]");
  ASSERT_TRUE(max.status.ok()) << describe(max.status.error);
  EXPECT_EQ(max.values[0], std::numeric_limits<float>::max());
  EXPECT_EQ(max.values[1], -std::numeric_limits<float>::max());
  Parsed sub = parse("[1e-40,1.4e-45]");
  ASSERT_TRUE(sub.status.ok()) << describe(sub.status.error);
  EXPECT_EQ(sub.values[0], 1e-40f);
  EXPECT_EQ(sub.values[1], std::numeric_limits<float>::denorm_min());
  EXPECT_EQ(parse("[3.5e38]").status.error, ParseError::kNotFinite);
}

}  // namespace
}  // namespace llmspell::vector

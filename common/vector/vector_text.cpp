#include "vector/vector_text.h"

#include <charconv>

#include "vector/limits.h"

namespace llmspell::vector {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// Decimal order of magnitude of a plain number ("123.4e5" -> 7, "0.001" -> -3): enough to tell
// an overflow from an underflow when from_chars reports the value out of range.
long decimal_order(std::string_view number) {
  long order = 0;
  bool seen_point = false, seen_nonzero = false;
  std::size_t i = 0;
  for (; i < number.size() && number[i] != 'e' && number[i] != 'E'; ++i) {
    char c = number[i];
    if (c == '.') {
      seen_point = true;
    } else if (!seen_nonzero && c == '0') {
      if (seen_point) --order;
    } else if (!seen_nonzero) {
      seen_nonzero = true;
      if (seen_point) --order;
    } else if (!seen_point) {
      ++order;
    }
  }
  long exponent = 0;
  if (i + 1 < number.size()) {
    bool negative = number[i + 1] == '-';
    for (std::size_t j = i + 1; j < number.size(); ++j) {
      if (number[j] >= '0' && number[j] <= '9' && exponent < 100000)
        exponent = exponent * 10 + (number[j] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return order + exponent;
}

// Parses one float starting at s[i]; on success advances i past it.
ParseError parse_number(std::string_view s, std::size_t& i, float& value) {
  std::size_t start = i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  // from_chars accepts "inf" and "nan" spellings; only digits and '.' may begin a number here.
  if (i < s.size() && (s[i] == 'n' || s[i] == 'N' || s[i] == 'i' || s[i] == 'I')) {
    i = start;
    return ParseError::kNaNOrInfinity;
  }
  if (i >= s.size() || !((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) {
    i = start;
    return ParseError::kBadNumber;
  }
  // Parse straight to float: going through double would round twice.
  float parsed = 0;
  auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), parsed);
  if (ec == std::errc::invalid_argument) {
    i = start;
    return ParseError::kBadNumber;
  }
  std::size_t next = static_cast<std::size_t>(end - s.data());
  if (ec == std::errc::result_out_of_range) {
    // Tiny magnitudes underflow to zero, as strtof does; huge ones are not representable.
    if (decimal_order(s.substr(i, next - i)) >= 0) {
      i = start;
      return ParseError::kNotFinite;
    }
    parsed = 0;
  }
  value = static_cast<float>(negative ? -parsed : parsed);
  i = next;
  return ParseError::kNone;
}

}  // namespace

std::size_t count_elements_upper_bound(std::string_view text) {
  std::size_t commas = 0;
  for (char c : text) commas += c == ',';
  return commas + 1;
}

ParseStatus parse_vector(std::string_view s, float* out, std::size_t capacity) {
  ParseStatus st;
  std::size_t i = skip_spaces(s, 0);
  if (i >= s.size() || s[i] != '[') {
    st.error = ParseError::kMissingOpenBracket;
    st.position = i;
    return st;
  }
  i = skip_spaces(s, i + 1);
  if (i < s.size() && s[i] == ']') {
    st.error = ParseError::kEmpty;
    st.position = i;
    return st;
  }
  std::size_t limit = capacity < kMaxDimensions ? capacity : kMaxDimensions;
  std::size_t n = 0;
  for (;;) {
    i = skip_spaces(s, i);
    if (i >= s.size()) {
      st.error = ParseError::kMissingCloseBracket;
      st.position = i;
      return st;
    }
    float value = 0;
    ParseError e = parse_number(s, i, value);
    if (e != ParseError::kNone) {
      st.error = e;
      st.position = i;
      return st;
    }
    if (n >= limit) {
      st.error = ParseError::kTooManyDimensions;
      st.position = i;
      return st;
    }
    out[n++] = value;
    i = skip_spaces(s, i);
    if (i >= s.size()) {
      st.error = ParseError::kMissingCloseBracket;
      st.position = i;
      return st;
    }
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] == ']') break;
    st.error = ParseError::kBadNumber;
    st.position = i;
    return st;
  }
  i = skip_spaces(s, i + 1);
  if (i != s.size()) {
    st.error = ParseError::kTrailingGarbage;
    st.position = i;
    return st;
  }
  st.dimensions = n;
  return st;
}

const char* describe(ParseError error) {
  switch (error) {
    case ParseError::kNone:
      return "no error";
    case ParseError::kMissingOpenBracket:
      return "vector must start with \"[\"";
    case ParseError::kMissingCloseBracket:
      return "vector must end with \"]\"";
    case ParseError::kEmpty:
      return "vector must have at least 1 dimension";
    case ParseError::kBadNumber:
      return "expected a number";
    case ParseError::kNaNOrInfinity:
      return "NaN and infinity are not allowed in a vector";
    case ParseError::kNotFinite:
      return "value outside the float32 range";
    case ParseError::kTooManyDimensions:
      return "vector has more than 16000 dimensions";
    case ParseError::kTrailingGarbage:
      return "unexpected characters after \"]\"";
  }
  return "unknown error";
}

std::size_t max_formatted_length(std::size_t dimensions) {
  // Shortest round-trip float32 text is at most 15 characters (9 significant digits, sign, point
  // and a two-digit exponent: "-1.23456789e-38"), plus a comma.
  return 2 + dimensions * 16 + 1;
}

std::size_t format_vector(const float* values, std::size_t n, char* out) {
  char* p = out;
  *p++ = '[';
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0) *p++ = ',';
    auto [end, ec] = std::to_chars(p, p + 16, values[i]);
    (void)ec;  // 16 bytes always suffice for the shortest form of a float
    p = end;
  }
  *p++ = ']';
  *p = '\0';
  return static_cast<std::size_t>(p - out);
}

}  // namespace llmspell::vector

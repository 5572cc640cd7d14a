// Text form of a vector: '[1,2.5,-3e-2]'. Parsing writes into caller-owned memory and reports
// errors as plain data so that database glue can raise them without C++ objects in scope.
#pragma once

#include <cstddef>
#include <string_view>

namespace llmspell::vector {

enum class ParseError {
  kNone,
  kMissingOpenBracket,   // does not start with '['
  kMissingCloseBracket,  // ran out of input before ']'
  kEmpty,                // '[]'
  kBadNumber,            // not a number where one was expected
  kNaNOrInfinity,        // 'NaN', 'inf', 'Infinity' spelled out
  kNotFinite,            // a number beyond the float32 range
  kTooManyDimensions,    // more than kMaxDimensions (or more than the caller's capacity)
  kTrailingGarbage,      // something after ']'
};

struct ParseStatus {
  ParseError error = ParseError::kNone;
  std::size_t position = 0;    // byte offset in the input where the problem was found
  std::size_t dimensions = 0;  // number of elements written on success
  bool ok() const { return error == ParseError::kNone; }
};

// Upper bound on the number of elements '[...]' can hold, from its commas; lets the caller size
// the output buffer before parsing. Never less than 1.
std::size_t count_elements_upper_bound(std::string_view text);

// Parses `text` into out[0..capacity). Leading/trailing whitespace and whitespace around numbers
// are allowed; numbers may have signs and exponents.
ParseStatus parse_vector(std::string_view text, float* out, std::size_t capacity);

// Human-readable description of a parse error, without the position.
const char* describe(ParseError error);

// Longest text format_vector can produce for `dimensions` elements (including the terminating NUL).
std::size_t max_formatted_length(std::size_t dimensions);

// Writes '[a,b,c]' with the shortest decimal form of each float that reads back exactly.
// `out` must hold max_formatted_length(n) bytes; returns the length written (without the NUL).
std::size_t format_vector(const float* values, std::size_t n, char* out);

}  // namespace llmspell::vector

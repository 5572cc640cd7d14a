#include "vector_arg.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <new>
#include <string>
#include <string_view>

#include "function_error.h"
#include "vector/limits.h"
#include "vector/vector_codec.h"
#include "vector/vector_text.h"

namespace llmspell::sqlite {
namespace {

namespace vec = llmspell::vector;

const char* type_name(int type) {
  switch (type) {
    case SQLITE_INTEGER:
      return "INTEGER";
    case SQLITE_FLOAT:
      return "REAL";
    case SQLITE_TEXT:
      return "TEXT";
    case SQLITE_BLOB:
      return "BLOB";
    default:
      return "NULL";
  }
}

std::string too_many_dimensions() {
  return "more than " + std::to_string(vec::kMaxDimensions) + " dimensions";
}

// Empty and oversized vectors get the same message whether they came as TEXT or BLOB.
std::string describe_parse_failure(const vec::ParseStatus& status) {
  switch (status.error) {
    case vec::ParseError::kEmpty:
      return "empty vector";
    case vec::ParseError::kTooManyDimensions:
      return too_many_dimensions();
    default:
      return "invalid vector text at position " + std::to_string(status.position) + ": " +
             vec::describe(status.error);
  }
}

}  // namespace

VectorArg::VectorArg(sqlite3_value* value) {
  int type = sqlite3_value_type(value);
  switch (type) {
    case SQLITE_TEXT:
      read_text(value);
      break;
    case SQLITE_BLOB:
      read_blob(value);
      break;
    default:
      throw FunctionError(std::string("expected a vector as TEXT or BLOB, got ") + type_name(type));
  }
}

void VectorArg::read_text(sqlite3_value* value) {
  // sqlite3_value_text before sqlite3_value_bytes, so the length is that of the UTF-8 form.
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
  if (text == nullptr) throw std::bad_alloc();  // the only reason for null on a TEXT value
  std::string_view view(text, static_cast<std::size_t>(sqlite3_value_bytes(value)));
  // The comma count bounds the size; parse_vector itself stops at kMaxDimensions.
  std::size_t capacity = std::min(vec::count_elements_upper_bound(view), vec::kMaxDimensions);
  storage_.resize(capacity);
  vec::ParseStatus status = vec::parse_vector(view, storage_.data(), capacity);
  if (!status.ok()) throw FunctionError(describe_parse_failure(status));
  data_ = storage_.data();
  dimensions_ = status.dimensions;
}

void VectorArg::read_blob(sqlite3_value* value) {
  const void* bytes = sqlite3_value_blob(value);
  auto length = static_cast<std::size_t>(sqlite3_value_bytes(value));
  if (length == 0) throw FunctionError("empty vector");
  if (length % vec::kBytesPerElement != 0) {
    throw FunctionError("blob length " + std::to_string(length) + " is not a multiple of " +
                        std::to_string(vec::kBytesPerElement));
  }
  std::size_t n = length / vec::kBytesPerElement;
  if (n > vec::kMaxDimensions) throw FunctionError(too_many_dimensions());
  if (bytes == nullptr) throw std::bad_alloc();  // expanding a zeroblob() can fail

  bool in_place = std::endian::native == std::endian::little &&
                  reinterpret_cast<std::uintptr_t>(bytes) % alignof(float) == 0;
  if (in_place) {
    data_ = static_cast<const float*>(bytes);
  } else {
    // Blobs read straight from a table page are often unaligned.
    storage_.resize(n);
    vec::decode_float32_le(static_cast<const std::uint8_t*>(bytes), n, storage_.data());
    data_ = storage_.data();
  }
  dimensions_ = n;
  if (!vec::all_finite(data_, n)) throw FunctionError("NaN or infinity in blob");
}

bool any_null(int argc, sqlite3_value** argv) {
  for (int i = 0; i < argc; ++i) {
    if (sqlite3_value_type(argv[i]) == SQLITE_NULL) return true;
  }
  return false;
}

}  // namespace llmspell::sqlite

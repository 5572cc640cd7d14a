#include "vector_result.h"

#include <cstdint>
#include <new>

#include "vector/vector_codec.h"
#include "vector/vector_text.h"

namespace llmspell::sqlite {

namespace vec = llmspell::vector;

void result_vector_blob(sqlite3_context* ctx, const float* values, std::size_t n) {
  std::size_t length = n * vec::kBytesPerElement;
  auto* out = static_cast<std::uint8_t*>(sqlite3_malloc64(length));
  if (out == nullptr) throw std::bad_alloc();
  vec::encode_float32_le(values, n, out);
  // SQLite frees the buffer with sqlite3_free, also when it rejects it as too big.
  sqlite3_result_blob64(ctx, out, length, sqlite3_free);
}

void result_vector_text(sqlite3_context* ctx, const float* values, std::size_t n) {
  auto* out = static_cast<char*>(sqlite3_malloc64(vec::max_formatted_length(n)));
  if (out == nullptr) throw std::bad_alloc();
  std::size_t length = vec::format_vector(values, n, out);
  sqlite3_result_text64(ctx, out, length, sqlite3_free, SQLITE_UTF8);
}

}  // namespace llmspell::sqlite

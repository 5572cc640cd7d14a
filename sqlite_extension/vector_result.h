// Returns a vector from a SQL function, in a buffer SQLite takes ownership of (no extra copy).
#pragma once

#include <cstddef>

#include "sqlite_api.h"

namespace llmspell::sqlite {

// The BLOB form: n little-endian float32 values.
void result_vector_blob(sqlite3_context* ctx, const float* values, std::size_t n);

// The TEXT form '[1,2,3]', shortest round-trip decimal for each element.
void result_vector_text(sqlite3_context* ctx, const float* values, std::size_t n);

}  // namespace llmspell::sqlite

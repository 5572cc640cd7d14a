// The vector scalar functions: vector(), vector_to_text(), vector_dims(), vec_distance_l2(),
// vec_distance_cosine(), vec_inner_product(), vector_normalize().
#pragma once

#include "sqlite_api.h"

namespace llmspell::sqlite {

// Registers every vector function on `db`; returns the first SQLite error code, or SQLITE_OK.
int register_vector_functions(sqlite3* db);

}  // namespace llmspell::sqlite

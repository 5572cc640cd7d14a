// Reads one SQL argument as a vector: TEXT '[1,2,3]' or a BLOB of little-endian float32.
#pragma once

#include <cstddef>
#include <vector>

#include "sqlite_api.h"

namespace llmspell::sqlite {

class VectorArg {
 public:
  // Throws FunctionError (message without the function name) when `value` is not a valid vector,
  // including when it is NULL: callers return NULL for NULL arguments before reading them.
  explicit VectorArg(sqlite3_value* value);

  VectorArg(const VectorArg&) = delete;
  VectorArg& operator=(const VectorArg&) = delete;

  const float* data() const { return data_; }
  std::size_t dimensions() const { return dimensions_; }

 private:
  void read_text(sqlite3_value* value);
  void read_blob(sqlite3_value* value);

  // Points into SQLite's copy of the argument when it can be used as is (an aligned BLOB on a
  // little-endian machine), otherwise into storage_. Valid while the callback runs.
  const float* data_ = nullptr;
  std::size_t dimensions_ = 0;
  std::vector<float> storage_;
};

// True when any of the arguments is SQL NULL; the functions then return NULL, as built-ins do.
bool any_null(int argc, sqlite3_value** argv);

}  // namespace llmspell::sqlite

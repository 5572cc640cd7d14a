// A user-facing error raised inside a SQL function. The guard in guard.h prefixes the function
// name and hands the message to sqlite3_result_error.
#pragma once

#include <stdexcept>

namespace llmspell::sqlite {

class FunctionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace llmspell::sqlite

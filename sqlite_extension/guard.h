// Wraps a SQL function body so that no C++ exception ever unwinds into SQLite's C frames.
#pragma once

#include <exception>
#include <new>

#include "sqlite_api.h"

namespace llmspell::sqlite {

using FunctionBody = void (*)(sqlite3_context*, int, sqlite3_value**);

// Sets the error "<function>(): <message>"; the function name is the user data given at
// registration. Never throws: formatting uses sqlite3_mprintf, which reports OOM by returning null.
void report_error(sqlite3_context* ctx, const char* message) noexcept;

// The callback actually registered with SQLite for `Body`.
template <FunctionBody Body>
void guarded(sqlite3_context* ctx, int argc, sqlite3_value** argv) noexcept {
  try {
    Body(ctx, argc, argv);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    report_error(ctx, e.what());
  } catch (...) {
    report_error(ctx, "unexpected internal error");
  }
}

}  // namespace llmspell::sqlite

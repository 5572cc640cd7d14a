// Crossing between PostgreSQL errors (longjmp) and C++ (exceptions), in both directions.
//
// - Core code runs inside call_core(), which never throws: a C++ exception becomes a CoreError
//   that the caller raises with raise_core_error() once nothing with a destructor is in scope.
// - PostgreSQL calls made from inside core callbacks (buffer reads, interrupts) run inside
//   pg_guard(), which catches the PostgreSQL error, keeps its ErrorData, and throws PgError so
//   C++ frames unwind properly; raise_core_error() then re-throws the original error.
#pragma once

#include "pg_glue.h"

#include <exception>
#include <new>

extern "C" {
#include "utils/elog.h"
#include "utils/memutils.h"
}

struct PgError {
  ErrorData* data;
};

struct CoreError {
  ErrorData* pg = nullptr;  // a PostgreSQL error carried through C++
  int sqlstate = 0;         // else a C++ failure
  char message[256] = {0};
  bool failed() const { return pg != nullptr || sqlstate != 0; }
};

// Runs f (plain PostgreSQL calls, no C++ objects with destructors) and turns an ereport into a
// PgError exception.
template <class F>
inline void pg_guard(F&& f) {
  // volatile: both are read after a longjmp back into this frame.
  MemoryContext volatile context = CurrentMemoryContext;
  ErrorData* volatile error = nullptr;
  PG_TRY();
  { f(); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(context);
    error = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  if (error != nullptr) throw PgError{static_cast<ErrorData*>(error)};
}

// Runs core code; returns what went wrong instead of throwing.
template <class F>
inline CoreError call_core(F&& f) noexcept {
  CoreError e;
  try {
    f();
  } catch (const PgError& pg) {
    e.pg = pg.data;
  } catch (const std::bad_alloc&) {
    e.sqlstate = ERRCODE_OUT_OF_MEMORY;
    snprintf(e.message, sizeof e.message, "out of memory in the llmspell core");
  } catch (const std::exception& ex) {
    e.sqlstate = ERRCODE_INTERNAL_ERROR;
    snprintf(e.message, sizeof e.message, "%s", ex.what());
  } catch (...) {
    e.sqlstate = ERRCODE_INTERNAL_ERROR;
    snprintf(e.message, sizeof e.message, "unknown error in the llmspell core");
  }
  return e;
}

// Raises the error held in e, if any. Call only with no C++ objects alive in the caller's frame.
inline void raise_core_error(const CoreError& e) {
  if (e.pg != nullptr) ReThrowError(e.pg);
  if (e.sqlstate != 0) ereport(ERROR, (errcode(e.sqlstate), errmsg("%s", e.message)));
}

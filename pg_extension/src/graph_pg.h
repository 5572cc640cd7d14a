// Shared pieces of the graph glue: time conversion between timestamptz and the core's Unix
// microseconds, the SQLSTATE of each core failure, and graph_call(), which runs core code and
// carries a GraphError out with its own SQLSTATE (pg_error.h's call_core() reports the rest).
#pragma once

#include "pg_error.h"

extern "C" {
#include "datatype/timestamp.h"
#include "utils/timestamp.h"
}

#include <cstdio>

#include "temporal/types.h"

namespace graph_pg {

using llmspell::temporal::Micros;

// Microseconds between 1970-01-01 and PostgreSQL's epoch 2000-01-01.
inline constexpr Micros kEpochOffset = 946'684'800'000'000LL;

// Only called outside C++ frames with destructors (it may ereport).
inline Micros to_core(TimestampTz t) {
  if (TIMESTAMP_IS_NOEND(t)) return llmspell::temporal::kInfinity;
  if (TIMESTAMP_IS_NOBEGIN(t)) return llmspell::temporal::kMinusInfinity;
  if (t > llmspell::temporal::kCurrent - kEpochOffset)
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("timestamp out of range for the graph (after year 294246)")));
  return t + kEpochOffset;
}

inline TimestampTz to_pg(Micros t) {
  if (t == llmspell::temporal::kInfinity) return DT_NOEND;
  if (t == llmspell::temporal::kMinusInfinity) return DT_NOBEGIN;
  return t - kEpochOffset;
}

inline int sqlstate_of(llmspell::temporal::ErrorKind k) {
  using llmspell::temporal::ErrorKind;
  switch (k) {
    case ErrorKind::kInvalidArgument:
      return ERRCODE_INVALID_PARAMETER_VALUE;
    case ErrorKind::kNotFound:
      return ERRCODE_NO_DATA_FOUND;
    case ErrorKind::kAlreadyExists:
      return ERRCODE_UNIQUE_VIOLATION;
    case ErrorKind::kMissingEndpoint:
      return ERRCODE_FOREIGN_KEY_VIOLATION;
    case ErrorKind::kNoTenant:
      return ERRCODE_INSUFFICIENT_PRIVILEGE;
    case ErrorKind::kConflict:
      return ERRCODE_EXCLUSION_VIOLATION;
  }
  return ERRCODE_INTERNAL_ERROR;
}

template <class F>
inline CoreError graph_call(const char* function, F&& f) noexcept {
  CoreError graph;
  CoreError other = call_core([&] {
    try {
      f();
    } catch (const llmspell::temporal::GraphError& e) {
      graph.sqlstate = sqlstate_of(e.kind());
      snprintf(graph.message, sizeof graph.message, "%s(): %s", function, e.what());
    }
  });
  return other.failed() ? other : graph;
}

}  // namespace graph_pg

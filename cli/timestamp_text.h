// Timestamps in the export format: one backend-neutral text form for PostgreSQL's timestamptz and
// SQLite's INTEGER microseconds since 1970-01-01 UTC.
//
//   "2025-03-01T10:00:00.000000Z"   UTC, always six fraction digits, years 0001-9999
//   "infinity" / "-infinity"        PostgreSQL's 'infinity' / '-infinity', SQLite's INT64 max / min
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmspell::cli::timestamp_text {

inline constexpr std::int64_t kInfinity = INT64_MAX;
inline constexpr std::int64_t kMinusInfinity = INT64_MIN;

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z in microseconds since the Unix epoch.
inline constexpr std::int64_t kMinMicros = -62135596800000000;
inline constexpr std::int64_t kMaxMicros = 253402300799999999;

// Appends the text of `micros` (kInfinity, kMinusInfinity or a time within range); returns false
// (appending nothing) for a finite time outside years 0001-9999.
bool append(std::string& out, std::int64_t micros);

// Parses exactly the form append() writes; nullopt for anything else.
std::optional<std::int64_t> parse(std::string_view text);

// PostgreSQL's binary timestamptz counts microseconds from 2000-01-01 UTC, with INT64 min/max
// as -infinity/infinity. Conversions in both directions; nullopt when out of range.
std::optional<std::int64_t> from_postgres(std::int64_t pg_micros);
std::optional<std::int64_t> to_postgres(std::int64_t micros);

}  // namespace llmspell::cli::timestamp_text

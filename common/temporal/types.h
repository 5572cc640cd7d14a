// Names, limits and value types of the bi-temporal graph core, shared by every host.
//
// Times are microseconds since the Unix epoch (the SQLite representation; the PostgreSQL glue
// converts timestamptz). Intervals are half-open [start, end); an open end is kInfinity.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace llmspell::temporal {

using Micros = std::int64_t;

inline constexpr Micros kInfinity = std::numeric_limits<Micros>::max();
inline constexpr Micros kMinusInfinity = std::numeric_limits<Micros>::min();
// "As we know it now": a transaction point after every real transaction time, so that exactly
// the versions whose transaction time is still open are visible. Also a valid PostgreSQL
// timestamptz (year 294247), so both hosts can bind it as an ordinary value.
inline constexpr Micros kCurrent = kInfinity - 1;

inline constexpr int kDefaultMaxDepth = 3;
inline constexpr int kMaxDepth = 10;
inline constexpr std::int64_t kDefaultMaxNodes = 1000;
inline constexpr std::int64_t kMaxNodes = 1000000;

struct Interval {
  Micros start = kMinusInfinity;
  Micros end = kInfinity;
  bool contains(Micros p) const { return start <= p && p < end; }
  bool empty() const { return start >= end; }
  bool overlaps(const Interval& o) const { return start < o.end && o.start < end; }
  friend bool operator==(const Interval&, const Interval&) = default;
};

// A read point: what was true at `valid`, as recorded at `tx`.
struct AsOf {
  Micros valid = 0;
  Micros tx = kCurrent;
};

struct EntityData {
  std::string type;
  std::string name;
  std::string properties = "{}";  // canonical JSON object (json::canonical)
  friend bool operator==(const EntityData&, const EntityData&) = default;
};

struct RelationshipData {
  std::string from;
  std::string to;
  std::string type;
  std::string properties = "{}";
  friend bool operator==(const RelationshipData&, const RelationshipData&) = default;
};

// One stored row. Versions of one id are keyed by (tx.start, valid.start): within a transaction
// the versions of an id never overlap in valid time, so those two times are unique.
template <class Data>
struct Version {
  std::string id;
  Data data;
  Interval valid;
  Interval tx;
  bool visible(const AsOf& at) const { return valid.contains(at.valid) && tx.contains(at.tx); }
  friend bool operator==(const Version&, const Version&) = default;
};
using EntityVersion = Version<EntityData>;
using RelationshipVersion = Version<RelationshipData>;

enum class Direction : std::uint8_t { kOut, kIn, kBoth };

// Failures the hosts map to their own error codes (SQLSTATE in PostgreSQL).
enum class ErrorKind : std::uint8_t {
  kInvalidArgument,  // 22023
  kNotFound,         // P0002
  kAlreadyExists,    // 23505
  kMissingEndpoint,  // 23503
  kNoTenant,         // 42501: no tenant set, nothing may be written
  kConflict,         // 23P01: two versions of one id would overlap
};

class GraphError : public std::runtime_error {
 public:
  GraphError(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Parses "out", "in", "both" (any case); throws kInvalidArgument otherwise.
Direction parse_direction(const std::string& text);
const char* direction_name(Direction d);

// The transaction time of a new write transaction: the clock, but always after the last one.
inline Micros next_transaction_time(Micros now, Micros last) { return now > last ? now : last + 1; }

}  // namespace llmspell::temporal

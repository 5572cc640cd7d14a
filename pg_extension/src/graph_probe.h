// The two reads a traversal repeats about a thousand times, visibility probes of entities and the
// edges of a source, served straight from the key indexes of migration 017 through the index
// access method: no executor, no SPI. Each probe does what the SPI plans do (the same index
// order, snapshot, heap visibility check and predicate locks as an index-only scan) and returns
// the same rows.
//
// Row-level security is the reason this is not always allowed. The direct path applies only the
// tenant filter the store always applies, so it serves a table only while the rows it returns
// are exactly the ones a SELECT would: row security does not apply to the user, or the one
// policy that matters is the migrations' tenant policy and no restrictive policy exists. Any
// other policy, a missing privilege, a changed or invalid index, or
// llmspell.graph_direct_probes = off, and the probe returns false: the caller then runs its SPI
// plan, which applies whatever the DBA defined (or raises the error SPI would).
#pragma once

#include "pg_glue.h"

extern "C" {
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
}

#include <string>
#include <vector>

#include "temporal/store.h"

namespace graph_pg {

// Registers llmspell.graph_direct_probes. From _PG_init.
void graph_register_settings();

// The as-of point of a probe, in PostgreSQL's timestamptz.
struct ProbePoint {
  TimestampTz valid;
  TimestampTz tx;
};

// Every version of graph_entities visible at `at` whose key is one of keys[0..n) (sorted) and
// whose tenant is `tenant`: appends each one's entity_id to `out` as a record (int32 length,
// bytes). Another id with the same key is among them: the caller keeps the ids it asked for.
// Plain PostgreSQL calls: run inside pg_guard(). False, with nothing appended: use SPI.
bool probe_visible(const std::string& tenant, const Datum* keys, int n, ProbePoint at,
                   StringInfo out);

// The edges of each source frontier[i] (key keys[i]) in one direction, as EXPAND in
// graph_store.cpp defines them: visible at `at`, of one of `types` (all when null), in
// (neighbour, relationship id) order, bytewise, after `after` when given, at most `limit` per
// source (0: all). Appends a record per edge: int32 source index, then neighbour, relationship id
// and type as (int32 length, bytes). Plain PostgreSQL calls: run inside pg_guard(). False, with
// nothing appended: use SPI.
struct EdgeProbe {
  bool incoming;
  const std::string* tenant;
  const std::vector<std::string>* frontier;
  const Datum* keys;
  const std::vector<std::string>* types;
  ProbePoint at;
  uint64 limit;
  const llmspell::temporal::EdgeKey* after;
};
bool probe_edges(const EdgeProbe& probe, StringInfo out);

}  // namespace graph_pg

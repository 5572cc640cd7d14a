#include "graph_store.h"

#include "graph_probe.h"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
}

#include <algorithm>
#include <map>
#include <string>
#include <string_view>

namespace graph_pg {
namespace t = llmspell::temporal;

namespace {

// A version is visible at ($3 valid, $4 transaction) in every read below.
#define VISIBLE(a)                                                 \
  a ".valid_time_start <= $3 AND " a ".valid_time_end > $3 AND " a \
    ".transaction_time_start <= $4 AND " a ".transaction_time_end > $4"

enum Plan {
  kLock,
  kLastTime,
  kCurrentEntity,
  kCurrentRelationship,
  kRelationshipsOf,
  kCloseEntity,
  kCloseRelationship,
  kRemoveEntity,
  kRemoveRelationship,
  kInsertEntity,
  kInsertRelationship,
  kVisible,
  // Four expansion plans: + 1 for direction in, + 2 for the ...After forms.
  kExpand,
  kPlanCount = kExpand + 4
};

struct PlanText {
  const char* sql;
  int nargs;
  Oid types[9];
};

constexpr Oid T = TEXTOID, TS = TIMESTAMPTZOID, TA = TEXTARRAYOID, I8 = INT8OID;

// The reads of a traversal when graph_probe.h may not serve them (row-level security policies of
// the DBA's, ...). They take the tenant and the ids as text: under row-level security the planner
// may use an index only for conditions whose functions are leakproof, which texteq is and the
// hash of the _key indexes (hashtextextended, ||) is not; a condition on the hash would make each
// probe a sequential scan.
// Edges only (the core checks the visibility of the neighbours it would add, in batches): for
// each source ($2, in array order), its first $6 edges (NULL: all) in (neighbour, relationship id)
// order, bytewise, of one of the types $5 (NULL: all); the ...After forms continue one source
// after the key ($7, $8).
// clang-format off
#define EXPAND(near, far, after)                                                                   \
  "SELECT f.ord::int4, x.neighbour, x.relationship_id, x.relationship_type"                        \
  " FROM unnest($2::text[]) WITH ORDINALITY AS f(id, ord) CROSS JOIN LATERAL ("                   \
  "   SELECT r." far " AS neighbour, r.relationship_id, r.relationship_type"                       \
  "   FROM graph_relationships r"                                                                  \
  "   WHERE r.tenant_id = $1 AND r." near " = f.id AND " VISIBLE("r")                              \
  "     AND ($5::text[] IS NULL OR r.relationship_type = ANY ($5))" after                          \
  "   ORDER BY r." far " COLLATE \"C\", r.relationship_id COLLATE \"C\" LIMIT $6) x"
#define AFTER(far) \
  " AND (r." far " COLLATE \"C\", r.relationship_id COLLATE \"C\") > ($7::text, $8::text)"
// clang-format on

const PlanText kPlans[kPlanCount] = {
    {"SELECT pg_advisory_xact_lock($1)", 1, {INT8OID}},
    // The tenant's latest transaction time: a new one must come after it.
    {"SELECT greatest("
     "(SELECT max(transaction_time_start) FROM graph_entities WHERE tenant_id = $1),"
     "(SELECT max(transaction_time_end) FROM graph_entities WHERE tenant_id = $1"
     "   AND transaction_time_end < 'infinity'),"
     "(SELECT max(transaction_time_start) FROM graph_relationships WHERE tenant_id = $1),"
     "(SELECT max(transaction_time_end) FROM graph_relationships WHERE tenant_id = $1"
     "   AND transaction_time_end < 'infinity'))",
     1,
     {T}},
    {"SELECT entity_type, name, properties::text, valid_time_start, valid_time_end,"
     " transaction_time_start FROM graph_entities WHERE tenant_id = $1 AND entity_id = $2"
     " AND transaction_time_end = 'infinity' ORDER BY valid_time_start",
     2,
     {T, T}},
    {"SELECT relationship_type, from_entity, to_entity, properties::text, valid_time_start,"
     " valid_time_end, transaction_time_start FROM graph_relationships WHERE tenant_id = $1"
     " AND relationship_id = $2 AND transaction_time_end = 'infinity' ORDER BY valid_time_start",
     2,
     {T, T}},
    {"SELECT relationship_id FROM graph_relationships WHERE tenant_id = $1"
     " AND transaction_time_end = 'infinity' AND from_entity = $2"
     " UNION SELECT relationship_id FROM graph_relationships WHERE tenant_id = $1"
     " AND transaction_time_end = 'infinity' AND to_entity = $2",
     2,
     {T, T}},
    {"UPDATE graph_entities SET transaction_time_end = $5 WHERE tenant_id = $1"
     " AND entity_id = $2 AND transaction_time_start = $3 AND valid_time_start = $4"
     " AND transaction_time_end = 'infinity'",
     5,
     {T, T, TS, TS, TS}},
    {"UPDATE graph_relationships SET transaction_time_end = $5 WHERE tenant_id = $1"
     " AND relationship_id = $2 AND transaction_time_start = $3 AND valid_time_start = $4"
     " AND transaction_time_end = 'infinity'",
     5,
     {T, T, TS, TS, TS}},
    {"DELETE FROM graph_entities WHERE tenant_id = $1 AND entity_id = $2"
     " AND transaction_time_start = $3 AND valid_time_start = $4",
     4,
     {T, T, TS, TS}},
    {"DELETE FROM graph_relationships WHERE tenant_id = $1 AND relationship_id = $2"
     " AND transaction_time_start = $3 AND valid_time_start = $4",
     4,
     {T, T, TS, TS}},
    {"INSERT INTO graph_entities (tenant_id, entity_id, entity_type, name, properties,"
     " valid_time_start, valid_time_end, transaction_time_start, transaction_time_end,"
     " created_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, 'infinity', $8)",
     8,
     {T, T, T, T, T, TS, TS, TS}},
    {"INSERT INTO graph_relationships (tenant_id, relationship_id, from_entity, to_entity,"
     " relationship_type, properties, valid_time_start, valid_time_end,"
     " transaction_time_start, transaction_time_end, created_at)"
     " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9, 'infinity', $9)",
     9,
     {T, T, T, T, T, T, TS, TS, TS}},
    // At most one version of an id is visible at a point (the exclusion constraint).
    {"SELECT e.entity_id FROM graph_entities e WHERE e.tenant_id = $1 AND e.entity_id = ANY ($2)"
     " AND " VISIBLE("e"),
     4,
     {T, TA, TS, TS}},
    {EXPAND("from_entity", "to_entity", ""), 6, {T, TA, TS, TS, TA, I8}},
    {EXPAND("to_entity", "from_entity", ""), 6, {T, TA, TS, TS, TA, I8}},
    {EXPAND("from_entity", "to_entity", AFTER("to_entity")), 8, {T, TA, TS, TS, TA, I8, T, T}},
    {EXPAND("to_entity", "from_entity", AFTER("from_entity")), 8, {T, TA, TS, TS, TA, I8, T, T}},
};

SPIPlanPtr plans[kPlanCount];

// Runs a plan (prepared and kept on first use). Plain PostgreSQL calls only: use in pg_guard.
void run_plan(Plan p, Datum* values, const char* nulls, bool read_only) {
  if (plans[p] == nullptr) {
    SPIPlanPtr plan =
        SPI_prepare(kPlans[p].sql, kPlans[p].nargs, const_cast<Oid*>(kPlans[p].types));
    if (plan == nullptr)
      elog(ERROR, "llmspell graph: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    SPI_keepplan(plan);
    plans[p] = plan;
  }
  int rc = SPI_execute_plan(plans[p], values, nulls, read_only, 0);
  if (rc < 0)
    elog(ERROR, "llmspell graph: SPI_execute_plan failed: %s", SPI_result_code_string(rc));
}

Datum text_datum(const std::string& s) {
  return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}
Datum time_datum(Micros m) { return TimestampTzGetDatum(to_pg(m)); }

// One result cell, read inside pg_guard and turned into C++ values outside it.
struct Cell {
  const char* text = nullptr;
  int length = 0;
  Micros time = 0;
  int64 integer = 0;
  bool null = true;
};
constexpr int kMaxColumns = 8;

// Reads row `row` of the last SPI result; `times` marks timestamptz columns, `ints` int4 ones.
void read_row(uint64 row, int ncols, unsigned times, Cell* cells, unsigned ints = 0) {
  pg_guard([&] {
    HeapTuple tuple = SPI_tuptable->vals[row];
    TupleDesc desc = SPI_tuptable->tupdesc;
    for (int c = 0; c < ncols; ++c) {
      bool isnull = false;
      Datum d = SPI_getbinval(tuple, desc, c + 1, &isnull);
      cells[c].null = isnull;
      if (isnull) continue;
      if (times & (1u << c)) {
        cells[c].time = to_core(DatumGetTimestampTz(d));
      } else if (ints & (1u << c)) {
        cells[c].integer = DatumGetInt32(d);
      } else {
        text* t = DatumGetTextPP(d);
        cells[c].text = VARDATA_ANY(t);
        cells[c].length = static_cast<int>(VARSIZE_ANY_EXHDR(t));
      }
    }
  });
}

std::string str(const Cell& c) { return c.null ? std::string() : std::string(c.text, c.length); }

uint64 processed() { return SPI_processed; }

// Reads the records graph_probe.h's probes append.
struct RowReader {
  const char* at;
  const char* end;
  bool done() const { return at == end; }
  int32 integer() {
    int32 v;
    memcpy(&v, at, sizeof v);
    at += sizeof v;
    return v;
  }
  std::string_view bytes() {
    auto n = static_cast<std::size_t>(integer());
    std::string_view b(at, n);
    at += n;
    return b;
  }
};

// Frees a read's rows once read: a traversal runs many reads in one SPI connection, and results
// kept until SPI_finish() make its memory grow (fresh pages, each one a page fault) instead of
// being reused.
void free_rows(StringInfoData& rows, bool direct) {
  pg_guard([&] {
    pfree(rows.data);
    if (!direct) SPI_freetuptable(SPI_tuptable);
  });
}

// The key of the graph's _key indexes, hashtextextended(tenant_id || ':' || id, 0): the hash
// PostgreSQL computes for text in a deterministic collation, which the database default always is.
int64 hash_key(const std::string& tenant, const std::string& id, std::string& scratch) {
  scratch.assign(tenant).append(":").append(id);
  return static_cast<int64>(hash_any_extended(
      reinterpret_cast<const unsigned char*>(scratch.data()), static_cast<int>(scratch.size()), 0));
}

// 64-bit FNV-1a: the advisory lock key of a tenant's graph writes.
int64 lock_key(const std::string& tenant) {
  uint64 h = 1469598103934665603ULL;
  for (unsigned char c : std::string("llmspell.graph:") + tenant) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return static_cast<int64>(h);
}

// The transaction times of this backend's current transaction, per tenant written: a
// transaction that writes for A, then B, then A again keeps A's first time.
LocalTransactionId cached_lxid = InvalidLocalTransactionId;
std::map<std::string, Micros> cached_times;

template <class V>
void key_values(const std::string& tenant, const V& v, Datum* values) {
  values[0] = text_datum(tenant);
  values[1] = text_datum(v.id);
  values[2] = time_datum(v.tx.start);
  values[3] = time_datum(v.valid.start);
}

void expect_one_row(const char* what, const std::string& id) {
  if (processed() != 1)
    throw t::GraphError(t::ErrorKind::kConflict,
                        std::string(what) + " '" + id + "' was changed concurrently");
}

}  // namespace

Datum text_array(std::size_t n, const std::string* const* items) {
  if (n == 0) return PointerGetDatum(construct_empty_array(TEXTOID));
  // The layout construct_array() gives: 4-byte headers, each element int-aligned.
  Size data = 0;
  for (std::size_t i = 0; i < n; ++i) data += INTALIGN(VARHDRSZ + items[i]->size());
  Size header = ARR_OVERHEAD_NONULLS(1);
  if (header + data > MaxAllocSize)
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("array size exceeds the maximum allowed (%zu)", MaxAllocSize)));
  auto* a = static_cast<ArrayType*>(palloc0(header + data));
  SET_VARSIZE(a, header + data);
  a->ndim = 1;
  a->dataoffset = 0;
  a->elemtype = TEXTOID;
  ARR_DIMS(a)[0] = static_cast<int>(n);
  ARR_LBOUND(a)[0] = 1;
  char* p = ARR_DATA_PTR(a);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& s = *items[i];
    SET_VARSIZE(p, VARHDRSZ + s.size());
    memcpy(VARDATA(p), s.data(), s.size());
    p += INTALIGN(VARHDRSZ + s.size());
  }
  return PointerGetDatum(a);
}

Datum text_array(const std::vector<std::string>& items) {
  auto** refs = static_cast<const std::string**>(palloc(sizeof(std::string*) * (items.size() + 1)));
  for (std::size_t i = 0; i < items.size(); ++i) refs[i] = &items[i];
  Datum array = text_array(items.size(), refs);
  pfree(refs);
  return array;
}

const char* current_tenant() {
  const char* tenant = GetConfigOption("app.tenant_id", true, false);
  return tenant != nullptr && tenant[0] != '\0' ? tenant : nullptr;
}

Micros PgGraphStore::transaction_time() {
  LocalTransactionId lxid = MyProc->lxid;
  if (lxid != cached_lxid) {
    cached_times.clear();
    cached_lxid = lxid;
  }
  if (auto known = cached_times.find(tenant_); known != cached_times.end()) return known->second;
  Datum key = Int64GetDatum(lock_key(tenant_));
  Micros last = t::kMinusInfinity;
  TimestampTz now = 0;
  pg_guard([&] {
    run_plan(kLock, &key, nullptr, false);
    Datum tenant = text_datum(tenant_);
    run_plan(kLastTime, &tenant, nullptr, true);
    bool isnull = true;
    Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    if (!isnull) last = to_core(DatumGetTimestampTz(d));
    now = GetCurrentTimestamp();
  });
  Micros tx = t::next_transaction_time(to_core(now), last);
  cached_times[tenant_] = tx;
  return tx;
}

std::vector<t::EntityVersion> PgGraphStore::current_entity(std::string_view id) {
  std::string key(id);
  pg_guard([&] {
    Datum values[2] = {text_datum(tenant_), text_datum(key)};
    run_plan(kCurrentEntity, values, nullptr, false);
  });
  std::vector<t::EntityVersion> out;
  Cell c[kMaxColumns];
  for (uint64 i = 0, n = processed(); i < n; ++i) {
    read_row(i, 6, 0b111000, c);
    out.push_back({key,
                   {str(c[0]), str(c[1]), str(c[2])},
                   {c[3].time, c[4].time},
                   {c[5].time, t::kInfinity}});
  }
  return out;
}

std::vector<t::RelationshipVersion> PgGraphStore::current_relationship(std::string_view id) {
  std::string key(id);
  pg_guard([&] {
    Datum values[2] = {text_datum(tenant_), text_datum(key)};
    run_plan(kCurrentRelationship, values, nullptr, false);
  });
  std::vector<t::RelationshipVersion> out;
  Cell c[kMaxColumns];
  for (uint64 i = 0, n = processed(); i < n; ++i) {
    read_row(i, 7, 0b1110000, c);
    out.push_back({key,
                   {str(c[1]), str(c[2]), str(c[0]), str(c[3])},
                   {c[4].time, c[5].time},
                   {c[6].time, t::kInfinity}});
  }
  return out;
}

std::vector<std::string> PgGraphStore::current_relationships_of(std::string_view entity) {
  std::string key(entity);
  pg_guard([&] {
    Datum values[2] = {text_datum(tenant_), text_datum(key)};
    run_plan(kRelationshipsOf, values, nullptr, false);
  });
  std::vector<std::string> out;
  Cell c[kMaxColumns];
  for (uint64 i = 0, n = processed(); i < n; ++i) {
    read_row(i, 1, 0, c);
    out.push_back(str(c[0]));
  }
  std::sort(out.begin(), out.end());
  return out;
}

void PgGraphStore::close_entity(const t::EntityVersion& v, Micros tx_end) {
  pg_guard([&] {
    Datum values[5];
    key_values(tenant_, v, values);
    values[4] = time_datum(tx_end);
    run_plan(kCloseEntity, values, nullptr, false);
  });
  expect_one_row("entity", v.id);
}

void PgGraphStore::close_relationship(const t::RelationshipVersion& v, Micros tx_end) {
  pg_guard([&] {
    Datum values[5];
    key_values(tenant_, v, values);
    values[4] = time_datum(tx_end);
    run_plan(kCloseRelationship, values, nullptr, false);
  });
  expect_one_row("relationship", v.id);
}

void PgGraphStore::remove_entity(const t::EntityVersion& v) {
  pg_guard([&] {
    Datum values[4];
    key_values(tenant_, v, values);
    run_plan(kRemoveEntity, values, nullptr, false);
  });
  expect_one_row("entity", v.id);
}

void PgGraphStore::remove_relationship(const t::RelationshipVersion& v) {
  pg_guard([&] {
    Datum values[4];
    key_values(tenant_, v, values);
    run_plan(kRemoveRelationship, values, nullptr, false);
  });
  expect_one_row("relationship", v.id);
}

void PgGraphStore::insert_entity(const t::EntityVersion& v) {
  pg_guard([&] {
    Datum values[8] = {text_datum(tenant_),           text_datum(v.id),
                       text_datum(v.data.type),       text_datum(v.data.name),
                       text_datum(v.data.properties), time_datum(v.valid.start),
                       time_datum(v.valid.end),       time_datum(v.tx.start)};
    run_plan(kInsertEntity, values, nullptr, false);
  });
}

void PgGraphStore::insert_relationship(const t::RelationshipVersion& v) {
  pg_guard([&] {
    Datum values[9] = {
        text_datum(tenant_),       text_datum(v.id),        text_datum(v.data.from),
        text_datum(v.data.to),     text_datum(v.data.type), text_datum(v.data.properties),
        time_datum(v.valid.start), time_datum(v.valid.end), time_datum(v.tx.start)};
    run_plan(kInsertRelationship, values, nullptr, false);
  });
}

std::vector<std::string> PgGraphStore::visible_entities(const std::vector<std::string>& ids,
                                                        const t::AsOf& at) {
  std::vector<Datum> keys;
  keys.reserve(ids.size());
  std::string scratch;
  for (const auto& id : ids) keys.push_back(Int64GetDatum(hash_key(tenant_, id, scratch)));
  // graph_probe.h's probes descend in key order (and skip repeated keys).
  std::sort(keys.begin(), keys.end(),
            [](Datum a, Datum b) { return DatumGetInt64(a) < DatumGetInt64(b); });
  bool direct = false;
  StringInfoData rows;
  pg_guard([&] {
    initStringInfo(&rows);
    direct = probe_visible(tenant_, keys.data(), static_cast<int>(keys.size()),
                           {to_pg(at.valid), to_pg(at.tx)}, &rows);
    if (direct) return;
    Datum values[4] = {text_datum(tenant_), text_array(ids), time_datum(at.valid),
                       time_datum(at.tx)};
    run_plan(kVisible, values, nullptr, true);
    pfree(DatumGetPointer(values[1]));
  });
  // Another id with the same key is not an answer (direct probes): keep the ids asked for.
  std::vector<std::string_view> asked(ids.begin(), ids.end());
  std::sort(asked.begin(), asked.end());
  std::vector<std::string> out;
  auto keep = [&](std::string_view id) {
    if (std::binary_search(asked.begin(), asked.end(), id)) out.emplace_back(id);
  };
  if (direct) {
    RowReader r{rows.data, rows.data + rows.len};
    while (!r.done()) keep(r.bytes());
  } else {
    out.reserve(processed());
    Cell c[kMaxColumns];
    for (uint64 i = 0, n = processed(); i < n; ++i) {
      read_row(i, 1, 0, c);
      keep(std::string_view(c[0].text, static_cast<std::size_t>(c[0].length)));
    }
  }
  free_rows(rows, direct);
  return out;
}

void PgGraphStore::expand(const std::vector<std::string>& frontier, const t::ExpandRequest& q,
                          std::vector<t::Edge>& out) {
  bool any_type = q.types == nullptr || q.types->empty();
  std::vector<Datum> keys;
  keys.reserve(frontier.size());
  std::string scratch;
  for (const auto& id : frontier) keys.push_back(Int64GetDatum(hash_key(tenant_, id, scratch)));
  for (bool incoming : {false, true}) {
    if (!incoming && q.direction == t::Direction::kIn) continue;
    if (incoming && q.direction == t::Direction::kOut) continue;
    auto p = static_cast<Plan>(kExpand + (incoming ? 1 : 0) + (q.after ? 2 : 0));
    bool direct = false;
    StringInfoData rows;
    pg_guard([&] {
      initStringInfo(&rows);
      EdgeProbe probe{incoming,
                      &tenant_,
                      &frontier,
                      keys.data(),
                      any_type ? nullptr : q.types,
                      {to_pg(q.at.valid), to_pg(q.at.tx)},
                      static_cast<uint64>(q.limit),
                      q.after};
      direct = probe_edges(probe, &rows);
      if (direct) return;
      Datum values[8] = {text_datum(tenant_),
                         text_array(frontier),
                         time_datum(q.at.valid),
                         time_datum(q.at.tx),
                         any_type ? Datum(0) : text_array(*q.types),
                         Int64GetDatum(static_cast<int64>(q.limit)),
                         q.after ? text_datum(q.after->neighbour) : Datum(0),
                         q.after ? text_datum(q.after->relationship_id) : Datum(0)};
      const char nulls[8] = {' ', ' ', ' ', ' ', any_type ? 'n' : ' ', q.limit == 0 ? 'n' : ' ',
                             ' ', ' '};
      run_plan(p, values, nulls, true);
      pfree(DatumGetPointer(values[1]));
    });
    if (direct) {
      RowReader r{rows.data, rows.data + rows.len};
      while (!r.done()) {
        auto source = static_cast<std::size_t>(r.integer());
        std::string_view neighbour = r.bytes(), relationship = r.bytes(), type = r.bytes();
        out.push_back({source, std::string(neighbour), std::string(relationship), std::string(type),
                       false, incoming});
      }
    } else {
      Cell c[kMaxColumns];
      out.reserve(out.size() + processed());
      for (uint64 i = 0, n = processed(); i < n; ++i) {
        read_row(i, 4, 0, c, 0b0001);
        out.push_back({static_cast<std::size_t>(c[0].integer - 1), str(c[1]), str(c[2]), str(c[3]),
                       false, incoming});
      }
    }
    free_rows(rows, direct);
  }
}

}  // namespace graph_pg

#include "graph_store.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <unordered_map>

#include "graph_transaction.h"
#include "temporal/json.h"

namespace llmspell::sqlite::graph {
namespace t = temporal;

// A version is visible at (?3 valid, ?4 transaction) in every read below.
#define VISIBLE(a)                                                 \
  a ".valid_time_start <= ?3 AND " a ".valid_time_end > ?3 AND " a \
    ".transaction_time_start <= ?4 AND " a ".transaction_time_end > ?4"
#define OPEN "9223372036854775807"

enum SqliteGraphStore::Query : int {
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
  kVisibleBatch,
  kExpandFirst,  // + 4 * types + 2 * incoming + after: the twelve expand statements
};

namespace {

const char* const kSql[] = {
    "SELECT max(coalesce((SELECT max(transaction_time_start) FROM graph_entities"
    "   WHERE tenant_id = ?1), -9223372036854775808),"
    " coalesce((SELECT max(transaction_time_end) FROM graph_entities"
    "   WHERE tenant_id = ?1 AND transaction_time_end < " OPEN
    "), -9223372036854775808),"
    " coalesce((SELECT max(transaction_time_start) FROM graph_relationships"
    "   WHERE tenant_id = ?1), -9223372036854775808),"
    " coalesce((SELECT max(transaction_time_end) FROM graph_relationships"
    "   WHERE tenant_id = ?1 AND transaction_time_end < " OPEN "), -9223372036854775808))",
    "SELECT entity_type, name, properties, valid_time_start, valid_time_end,"
    " transaction_time_start FROM graph_entities WHERE tenant_id = ?1 AND entity_id = ?2"
    " AND transaction_time_end = " OPEN " ORDER BY valid_time_start",
    "SELECT relationship_type, from_entity, to_entity, properties, valid_time_start,"
    " valid_time_end, transaction_time_start FROM graph_relationships WHERE tenant_id = ?1"
    " AND relationship_id = ?2 AND transaction_time_end = " OPEN " ORDER BY valid_time_start",
    "SELECT relationship_id FROM graph_relationships WHERE tenant_id = ?1"
    " AND from_entity = ?2 AND transaction_time_end = " OPEN
    " UNION SELECT relationship_id FROM graph_relationships WHERE tenant_id = ?1"
    " AND to_entity = ?2 AND transaction_time_end = " OPEN " ORDER BY 1",
    "UPDATE graph_entities SET transaction_time_end = ?5 WHERE tenant_id = ?1"
    " AND entity_id = ?2 AND transaction_time_start = ?3 AND valid_time_start = ?4"
    " AND transaction_time_end = " OPEN,
    "UPDATE graph_relationships SET transaction_time_end = ?5 WHERE tenant_id = ?1"
    " AND relationship_id = ?2 AND transaction_time_start = ?3 AND valid_time_start = ?4"
    " AND transaction_time_end = " OPEN,
    "DELETE FROM graph_entities WHERE tenant_id = ?1 AND entity_id = ?2"
    " AND transaction_time_start = ?3 AND valid_time_start = ?4",
    "DELETE FROM graph_relationships WHERE tenant_id = ?1 AND relationship_id = ?2"
    " AND transaction_time_start = ?3 AND valid_time_start = ?4",
    "INSERT INTO graph_entities (tenant_id, entity_id, entity_type, name, properties,"
    " valid_time_start, valid_time_end, transaction_time_start, transaction_time_end, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, " OPEN ", ?8)",
    "INSERT INTO graph_relationships (tenant_id, relationship_id, from_entity, to_entity,"
    " relationship_type, properties, valid_time_start, valid_time_end, transaction_time_start,"
    " transaction_time_end, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, " OPEN ", ?9)",
    "SELECT 1 FROM graph_entities e WHERE e.tenant_id = ?1 AND e.entity_id = ?2 AND " VISIBLE(
        "e") " LIMIT 1",
    // The ids of a JSON array (distinct) that are visible: one statement for a whole batch, each
    // id one probe of graph_entities_lookup (at most one version of an id is visible).
    "SELECT e.entity_id FROM json_each(?2) j CROSS JOIN graph_entities e"
    " WHERE e.tenant_id = ?1 AND e.entity_id = j.value AND " VISIBLE("e"),
};

// How the expand statements filter by type: not at all, one type (?5), a JSON array of them (?5).
enum TypeFilter : int { kAnyType = 0, kOneType = 1, kTypeList = 2 };

// Edges only, the first ?6 of one source in (neighbour, relationship id) order (the covering
// index graph_relationships_out/_in holds them in that order; ?6 = -1: all), after (?7, ?8)
// when continuing. The core checks the visibility of the neighbours it would add.
std::string expand_sql(int types, bool incoming, bool after) {
  const char* near = incoming ? "r.to_entity" : "r.from_entity";
  const char* far = incoming ? "r.from_entity" : "r.to_entity";
  std::string sql = std::string("SELECT ") + far +
                    ", r.relationship_id, r.relationship_type FROM graph_relationships r"
                    " WHERE r.tenant_id = ?1 AND " +
                    near + " = ?2 AND " VISIBLE("r");
  // One type is an equality: a list is read from JSON each time the statement runs.
  if (types == kOneType) sql += " AND r.relationship_type = ?5";
  if (types == kTypeList) sql += " AND r.relationship_type IN (SELECT value FROM json_each(?5))";
  if (after) sql += std::string(" AND (") + far + ", r.relationship_id) > (?7, ?8)";
  return sql + " ORDER BY " + far + ", r.relationship_id LIMIT ?6";
}

std::string str(const Statement& s, int col) { return std::string(s.text(col)); }

template <class V>
void bind_key(Statement& s, const std::string& tenant, const V& v) {
  s.bind(1, std::string_view(tenant));
  s.bind(2, std::string_view(v.id));
  s.bind(3, v.tx.start);
  s.bind(4, v.valid.start);
}

void expect_one_change(sqlite3* db, const char* what, const std::string& id) {
  if (sqlite3_changes(db) != 1)
    throw t::GraphError(t::ErrorKind::kConflict,
                        std::string(what) + " '" + id + "' was changed concurrently");
}

}  // namespace

Micros clock_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

Statement& GraphStatements::get(sqlite3* db, int key, const std::string& sql) {
  auto& s = statements_.at(static_cast<std::size_t>(key));
  if (!s.prepared()) s = Statement(db, sql, true);
  return s;
}

Statement& SqliteGraphStore::statement(Query q) {
  if (q >= kExpandFirst) {
    int v = q - kExpandFirst;
    return statements_.get(db_, q, expand_sql(v / 4, v & 2, v & 1));
  }
  return statements_.get(db_, q, kSql[q]);
}

// One value per SQLite write transaction, kept by the connection (see graph_transaction.h).
Micros SqliteGraphStore::transaction_time() {
  if (txn_ == nullptr) throw std::logic_error("graph: transaction time asked of a read");
  return graph::transaction_time(db_, *txn_, tenant_, [this] {
    Use s(statement(kLastTime));
    s->bind(1, std::string_view(tenant_));
    s->step();
    return s->int64(0);
  });
}

std::vector<t::EntityVersion> SqliteGraphStore::current_entity(std::string_view id) {
  Use s(statement(kCurrentEntity));
  s->bind(1, std::string_view(tenant_));
  s->bind(2, id);
  std::vector<t::EntityVersion> out;
  while (s->step())
    out.push_back({std::string(id),
                   {str(*s, 0), str(*s, 1), str(*s, 2)},
                   {s->int64(3), s->int64(4)},
                   {s->int64(5), t::kInfinity}});
  return out;
}

std::vector<t::RelationshipVersion> SqliteGraphStore::current_relationship(std::string_view id) {
  Use s(statement(kCurrentRelationship));
  s->bind(1, std::string_view(tenant_));
  s->bind(2, id);
  std::vector<t::RelationshipVersion> out;
  while (s->step())
    out.push_back({std::string(id),
                   {str(*s, 1), str(*s, 2), str(*s, 0), str(*s, 3)},
                   {s->int64(4), s->int64(5)},
                   {s->int64(6), t::kInfinity}});
  return out;
}

std::vector<std::string> SqliteGraphStore::current_relationships_of(std::string_view entity) {
  Use s(statement(kRelationshipsOf));
  s->bind(1, std::string_view(tenant_));
  s->bind(2, entity);
  std::vector<std::string> out;
  while (s->step()) out.push_back(str(*s, 0));
  return out;
}

void SqliteGraphStore::close_entity(const t::EntityVersion& v, Micros tx_end) {
  Use s(statement(kCloseEntity));
  bind_key(*s, tenant_, v);
  s->bind(5, tx_end);
  s->run();
  expect_one_change(db_, "entity", v.id);
}

void SqliteGraphStore::close_relationship(const t::RelationshipVersion& v, Micros tx_end) {
  Use s(statement(kCloseRelationship));
  bind_key(*s, tenant_, v);
  s->bind(5, tx_end);
  s->run();
  expect_one_change(db_, "relationship", v.id);
}

void SqliteGraphStore::remove_entity(const t::EntityVersion& v) {
  Use s(statement(kRemoveEntity));
  bind_key(*s, tenant_, v);
  s->run();
  expect_one_change(db_, "entity", v.id);
}

void SqliteGraphStore::remove_relationship(const t::RelationshipVersion& v) {
  Use s(statement(kRemoveRelationship));
  bind_key(*s, tenant_, v);
  s->run();
  expect_one_change(db_, "relationship", v.id);
}

void SqliteGraphStore::insert_entity(const t::EntityVersion& v) {
  Use s(statement(kInsertEntity));
  s->bind(1, std::string_view(tenant_));
  s->bind(2, std::string_view(v.id));
  s->bind(3, std::string_view(v.data.type));
  s->bind(4, std::string_view(v.data.name));
  s->bind(5, std::string_view(v.data.properties));
  s->bind(6, v.valid.start);
  s->bind(7, v.valid.end);
  s->bind(8, v.tx.start);
  s->run();
}

void SqliteGraphStore::insert_relationship(const t::RelationshipVersion& v) {
  Use s(statement(kInsertRelationship));
  s->bind(1, std::string_view(tenant_));
  s->bind(2, std::string_view(v.id));
  s->bind(3, std::string_view(v.data.from));
  s->bind(4, std::string_view(v.data.to));
  s->bind(5, std::string_view(v.data.type));
  s->bind(6, std::string_view(v.data.properties));
  s->bind(7, v.valid.start);
  s->bind(8, v.valid.end);
  s->bind(9, v.tx.start);
  s->run();
}

std::vector<std::string> SqliteGraphStore::visible_entities(const std::vector<std::string>& ids,
                                                            const t::AsOf& at) {
  std::vector<std::string> out;
  if (ids.size() > 1) {
    // In index order: each probe then descends near the previous one, through pages just read.
    std::vector<std::string> sorted(ids);
    std::sort(sorted.begin(), sorted.end());
    Use s(statement(kVisibleBatch));
    s->bind(1, std::string_view(tenant_));
    std::string list = t::json::string_array(sorted);
    s->bind(2, std::string_view(list));
    s->bind(3, at.valid);
    s->bind(4, at.tx);
    while (s->step()) out.push_back(str(*s, 0));
    return out;
  }
  Statement& st = statement(kVisible);
  for (const auto& id : ids) {
    Use s(st);
    s->bind(1, std::string_view(tenant_));
    s->bind(2, std::string_view(id));
    s->bind(3, at.valid);
    s->bind(4, at.tx);
    if (s->step()) out.push_back(id);
  }
  return out;
}

void SqliteGraphStore::expand(const std::vector<std::string>& frontier, const t::ExpandRequest& q,
                              std::vector<t::Edge>& out) {
  int types = q.types == nullptr || q.types->empty() ? kAnyType
              : q.types->size() == 1                 ? kOneType
                                                     : kTypeList;
  std::string type_list = types == kTypeList ? t::json::string_array(*q.types) : std::string();
  for (bool incoming : {false, true}) {
    if (!incoming && q.direction == t::Direction::kIn) continue;
    if (incoming && q.direction == t::Direction::kOut) continue;
    Statement& st = statement(
        static_cast<Query>(kExpandFirst + 4 * types + (incoming ? 2 : 0) + (q.after ? 1 : 0)));
    for (std::size_t i = 0; i < frontier.size(); ++i) {
      Use s(st);
      s->bind(1, std::string_view(tenant_));
      s->bind(2, std::string_view(frontier[i]));
      s->bind(3, q.at.valid);
      s->bind(4, q.at.tx);
      if (types == kOneType) s->bind(5, std::string_view(q.types->front()));
      if (types == kTypeList) s->bind(5, std::string_view(type_list));
      s->bind(6, q.limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(q.limit));
      if (q.after) {
        s->bind(7, std::string_view(q.after->neighbour));
        s->bind(8, std::string_view(q.after->relationship_id));
      }
      while (s->step()) out.push_back({i, str(*s, 0), str(*s, 1), str(*s, 2), false, incoming});
    }
  }
}

}  // namespace llmspell::sqlite::graph

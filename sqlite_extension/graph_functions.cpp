#include "graph_functions.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <tuple>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "function_error.h"
#include "graph_store.h"
#include "temporal/graph.h"
#include "temporal/json.h"

namespace llmspell::sqlite::graph {
namespace {

namespace t = temporal;

const char* sqlstate(t::ErrorKind k) {
  switch (k) {
    case t::ErrorKind::kInvalidArgument:
      return "22023";
    case t::ErrorKind::kNotFound:
      return "P0002";
    case t::ErrorKind::kAlreadyExists:
      return "23505";
    case t::ErrorKind::kMissingEndpoint:
      return "23503";
    case t::ErrorKind::kNoTenant:
      return "42501";
    case t::ErrorKind::kConflict:
      return "23P01";
  }
  return "XX000";
}

int result_code(t::ErrorKind k) {
  switch (k) {
    case t::ErrorKind::kAlreadyExists:
    case t::ErrorKind::kMissingEndpoint:
    case t::ErrorKind::kConflict:
      return SQLITE_CONSTRAINT;
    case t::ErrorKind::kNoTenant:
      return SQLITE_AUTH;
    default:
      return SQLITE_ERROR;
  }
}

// "<function>(): [SQLSTATE] message" for a graph failure, "<function>(): message" otherwise.
std::string error_text(const char* function, const std::exception& e) {
  std::string text = std::string(function) + "(): ";
  if (const auto* g = dynamic_cast<const t::GraphError*>(&e))
    text += std::string("[") + sqlstate(g->kind()) + "] ";
  return text + e.what();
}

// ---- arguments --------------------------------------------------------------------------------

std::optional<std::string> text_arg(sqlite3_value* v, const char* what) {
  if (v == nullptr || sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  int type = sqlite3_value_type(v);
  if (type != SQLITE_TEXT && type != SQLITE_INTEGER)
    throw t::GraphError(t::ErrorKind::kInvalidArgument, std::string(what) + " must be TEXT");
  const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
  if (p == nullptr) throw std::bad_alloc();
  return std::string(p, static_cast<std::size_t>(sqlite3_value_bytes(v)));
}

std::string required_text(sqlite3_value* v, const char* what) {
  auto s = text_arg(v, what);
  if (!s)
    throw t::GraphError(t::ErrorKind::kInvalidArgument, std::string(what) + " must not be NULL");
  return *s;
}

std::optional<Micros> time_arg(sqlite3_value* v, const char* what) {
  if (v == nullptr || sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  if (sqlite3_value_type(v) != SQLITE_INTEGER)
    throw t::GraphError(t::ErrorKind::kInvalidArgument,
                        std::string(what) + " must be INTEGER microseconds since 1970-01-01 UTC");
  return sqlite3_value_int64(v);
}

// An as-of point: NULL is `fallback`; the open end (INT64 max) is "as we know it now".
Micros point_arg(sqlite3_value* v, const char* what, Micros fallback) {
  Micros m = time_arg(v, what).value_or(fallback);
  return m == t::kInfinity ? t::kCurrent : m;
}

// A valid-time point: NULL is now (the clock is read only then).
Micros valid_arg(sqlite3_value* v) {
  std::optional<Micros> m = time_arg(v, "valid_at");
  if (!m) return clock_now();
  return *m == t::kInfinity ? t::kCurrent : *m;
}

std::optional<std::string> properties_arg(sqlite3_value* v) {
  auto s = text_arg(v, "properties");
  if (!s) return std::nullopt;
  return t::json::canonical(*s, "properties", true);
}

std::optional<std::int64_t> int_arg(sqlite3_value* v, const char* what) {
  if (v == nullptr || sqlite3_value_type(v) == SQLITE_NULL) return std::nullopt;
  if (sqlite3_value_type(v) != SQLITE_INTEGER)
    throw t::GraphError(t::ErrorKind::kInvalidArgument, std::string(what) + " must be INTEGER");
  return sqlite3_value_int64(v);
}

// A JSON array of strings, or one string; NULL is empty.
std::vector<std::string> list_arg(sqlite3* db, sqlite3_value* v, const char* what) {
  std::vector<std::string> out;
  auto s = text_arg(v, what);
  if (!s) return out;
  if (s->empty() || (*s)[0] != '[') {
    out.push_back(*s);
    return out;
  }
  t::json::canonical(*s, what, false);  // a clear error for malformed JSON
  Statement st(db, "SELECT type, value FROM json_each(?1)", false);
  st.bind(1, std::string_view(*s));
  while (st.step()) {
    if (st.text(0) != "text")
      throw t::GraphError(t::ErrorKind::kInvalidArgument,
                          std::string(what) + " must be a JSON array of strings");
    out.emplace_back(st.text(1));
  }
  return out;
}

std::string require_tenant(const ConnectionContext& c) {
  if (!c.tenant)
    throw t::GraphError(t::ErrorKind::kNoTenant,
                        "no tenant set: call llmspell_set_tenant() before writing to the graph");
  return *c.tenant;
}

// ---- writes -----------------------------------------------------------------------------------

struct WriteData {
  const char* name;
  ContextPtr context;
};

using WriteBody =
    std::function<std::optional<Micros>(SqliteGraphStore&, sqlite3*, sqlite3_value**)>;

// Undoes a failed write's savepoint with `undo` ("ROLLBACK TO s; RELEASE s"). When the savepoint
// began the transaction (the call came in autocommit mode) the transaction is rolled back
// instead: releasing it would be a commit, which can fail (SQLITE_BUSY) and leave the
// transaction open, holding the write lock.
void undo_savepoint(sqlite3* db, const char* undo, bool began_transaction) noexcept {
  sqlite3_exec(db, began_transaction ? "ROLLBACK" : undo, nullptr, nullptr, nullptr);
}

// Runs one write atomically in a savepoint; the result is its transaction time or NULL.
void run_write(sqlite3_context* ctx, const char* name, const ContextPtr& c, int argc, int min_args,
               int max_args, sqlite3_value** argv, const WriteBody& body) noexcept {
  sqlite3* db = sqlite3_context_db_handle(ctx);
  bool in_savepoint = false;
  bool began_transaction = sqlite3_get_autocommit(db) != 0;
  try {
    if (argc < min_args || argc > max_args)
      throw t::GraphError(t::ErrorKind::kInvalidArgument,
                          "takes " + std::to_string(min_args) + " to " + std::to_string(max_args) +
                              " arguments, not " + std::to_string(argc));
    std::vector<sqlite3_value*> args(argv, argv + argc);
    args.resize(static_cast<std::size_t>(max_args), nullptr);
    std::string tenant = require_tenant(*c);
    exec(db, "SAVEPOINT llmspell_graph_write");
    in_savepoint = true;
    std::optional<Micros> tx;
    {
      GraphStatements statements;
      SqliteGraphStore store(db, tenant, statements, &c->graph);
      tx = body(store, db, args.data());
    }
    exec(db, "RELEASE llmspell_graph_write");
    in_savepoint = false;
    if (tx.has_value())
      sqlite3_result_int64(ctx, *tx);
    else
      sqlite3_result_null(ctx);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    std::string text = error_text(name, e);
    sqlite3_result_error(ctx, text.c_str(), -1);
    if (const auto* g = dynamic_cast<const t::GraphError*>(&e))
      sqlite3_result_error_code(ctx, result_code(g->kind()));
  } catch (...) {
    sqlite3_result_error(ctx, "graph: unexpected internal error", -1);
  }
  if (in_savepoint)
    undo_savepoint(db, "ROLLBACK TO llmspell_graph_write; RELEASE llmspell_graph_write",
                   began_transaction);
}

t::ValidRange range(sqlite3_value* from, sqlite3_value* to) {
  t::ValidRange r;
  r.start = time_arg(from, "valid_from");
  r.end = time_arg(to, "valid_to").value_or(t::kInfinity);
  return r;
}

struct WriteSpec {
  const char* name;
  int min_args, max_args;
  std::optional<Micros> (*body)(SqliteGraphStore&, sqlite3*, sqlite3_value**);
};

const WriteSpec kWrites[] = {
    {"graph_add_entity", 2, 6,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::add_entity(
           s, required_text(a[0], "entity_id"),
           {required_text(a[1], "entity_type"), text_arg(a[2], "name").value_or(""),
            properties_arg(a[3]).value_or("{}")},
           range(a[4], a[5]));
     }},
    {"graph_update_entity", 1, 6,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::update_entity(
           s, required_text(a[0], "entity_id"),
           {text_arg(a[1], "entity_type"), text_arg(a[2], "name"), properties_arg(a[3])},
           range(a[4], a[5]));
     }},
    {"graph_end_entity", 1, 2,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::end_entity(s, required_text(a[0], "entity_id"), time_arg(a[1], "valid_at"));
     }},
    {"graph_retract_entity", 1, 1,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::retract_entity(s, required_text(a[0], "entity_id"));
     }},
    {"graph_add_relationship", 4, 7,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::add_relationship(
           s, required_text(a[0], "relationship_id"),
           {required_text(a[1], "from_entity"), required_text(a[2], "to_entity"),
            required_text(a[3], "relationship_type"), properties_arg(a[4]).value_or("{}")},
           range(a[5], a[6]));
     }},
    {"graph_update_relationship", 1, 5,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::update_relationship(s, required_text(a[0], "relationship_id"),
                                     {text_arg(a[1], "relationship_type"), properties_arg(a[2])},
                                     range(a[3], a[4]));
     }},
    {"graph_end_relationship", 1, 2,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::end_relationship(s, required_text(a[0], "relationship_id"),
                                  time_arg(a[1], "valid_at"));
     }},
    {"graph_retract_relationship", 1, 1,
     [](SqliteGraphStore& s, sqlite3*, sqlite3_value** a) {
       return t::retract_relationship(s, required_text(a[0], "relationship_id"));
     }},
};

struct WriteUserData {
  const WriteSpec* spec;
  ContextPtr context;
};

void write_callback(sqlite3_context* ctx, int argc, sqlite3_value** argv) noexcept {
  auto* d = static_cast<WriteUserData*>(sqlite3_user_data(ctx));
  run_write(ctx, d->spec->name, d->context, argc, d->spec->min_args, d->spec->max_args, argv,
            d->spec->body);
}

void compact_callback(sqlite3_context* ctx, int, sqlite3_value** argv) noexcept {
  auto* d = static_cast<WriteUserData*>(sqlite3_user_data(ctx));
  sqlite3* db = sqlite3_context_db_handle(ctx);
  try {
    std::string tenant = require_tenant(*d->context);
    auto before = time_arg(argv[0], "before");
    if (!before) throw t::GraphError(t::ErrorKind::kInvalidArgument, "before must not be NULL");
    bool began_transaction = sqlite3_get_autocommit(db) != 0;
    exec(db, "SAVEPOINT llmspell_graph_compact");
    std::int64_t n = 0;
    try {
      for (const char* sql :
           {"DELETE FROM graph_entities WHERE tenant_id = ?1 AND transaction_time_end < ?2",
            "DELETE FROM graph_relationships WHERE tenant_id = ?1 AND transaction_time_end < ?2"}) {
        Statement s(db, sql, false);
        s.bind(1, std::string_view(tenant));
        s.bind(2, *before);
        s.run();
        n += sqlite3_changes(db);
      }
      exec(db, "RELEASE llmspell_graph_compact");
    } catch (...) {
      undo_savepoint(db, "ROLLBACK TO llmspell_graph_compact; RELEASE llmspell_graph_compact",
                     began_transaction);
      throw;
    }
    sqlite3_result_int64(ctx, n);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    std::string text = error_text("graph_compact_history", e);
    sqlite3_result_error(ctx, text.c_str(), -1);
  }
}

// ---- table-valued functions -------------------------------------------------------------------

// One result value. Setting a text keeps the string's buffer, so a reused cell allocates nothing.
struct Cell {
  int type = SQLITE_NULL;
  std::int64_t integer = 0;
  std::string text;
  void set_int(std::int64_t v) {
    type = SQLITE_INTEGER;
    integer = v;
  }
  void set_text(std::string_view v) {
    type = SQLITE_TEXT;
    text.assign(v.data(), v.size());
  }
  // Reads the column through its value: one call that takes the connection's mutex instead of
  // three (type, text, bytes). The value is read at once, while the statement is on its row and
  // the mutex is held (this runs inside the virtual table's xFilter), so it is protected.
  void set_column(const Statement& s, int col) {
    sqlite3_value* v = s.value(col);
    type = sqlite3_value_type(v);
    if (type == SQLITE_INTEGER) {
      integer = sqlite3_value_int64(v);
    } else if (type != SQLITE_NULL) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_value_text(v));
      set_text(p == nullptr
                   ? std::string_view()
                   : std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(v))));
    }
  }
};
// A row holds the output columns (at most 8) of a function; the cells past them are not read.
using Row = std::array<Cell, 8>;

// The rows of one result. A cursor's Rows go back to their table when it closes (when the result
// was small: see close()) and serve the next call, so that the thousand rows of a traversal do
// not take fresh memory (page faults) on every call.
class Rows {
 public:
  Row& add() {
    if (count_ == rows_.size()) {
      rows_.emplace_back();
      bytes_.push_back(0);
    }
    used_ = std::max(used_, count_ + 1);
    return rows_[count_++];
  }
  void clear() {
    count_ = 0;
    order_.clear();
  }
  std::size_t size() const { return count_; }
  std::size_t capacity() const { return rows_.size(); }
  // The text bytes all rows hold, those past size() included (their buffers' capacity). Only the
  // rows written since the last count are counted again, so that a small result costs little to
  // put back however many rows an earlier one left.
  std::size_t text_bytes() {
    for (std::size_t i = 0; i < used_; ++i) {
      std::size_t n = 0;
      for (const Cell& c : rows_[i]) n += c.text.capacity();
      text_bytes_ = text_bytes_ - bytes_[i] + n;
      bytes_[i] = n;
    }
    used_ = 0;
    return text_bytes_;
  }
  // The rows from `first` on, in `less` order: the rows stay in place, the cursor reads them
  // through the order (moving a row of eight strings costs more than comparing two).
  template <class Less>
  void sort_from(std::size_t first, Less less) {
    for (std::size_t i = order_.size(); i < count_; ++i)
      order_.push_back(static_cast<std::uint32_t>(i));
    std::sort(order_.begin() + static_cast<std::ptrdiff_t>(first), order_.end(),
              [&](std::uint32_t x, std::uint32_t y) { return less(rows_[x], rows_[y]); });
  }
  const Row& operator[](std::size_t i) const { return rows_[order_.empty() ? i : order_[i]]; }

 private:
  std::vector<Row> rows_;
  std::vector<std::size_t> bytes_;    // per row, its text bytes when last counted
  std::vector<std::uint32_t> order_;  // empty: rows in the order added
  std::size_t count_ = 0;
  std::size_t used_ = 0;  // rows written since the last count (a cursor can be filtered again)
  std::size_t text_bytes_ = 0;
};

// The read functions' statements, kept by their virtual table: keys after the store's.
enum ReadStatement : int {
  kGetEntity = 30,
  kEntityHistory,
  kQueryEntities,
  kNeighboursFirst,  // + 3 * typed + (0 out, 1 in, 2 in after out): six statements
};

using Compute = void (*)(sqlite3*, const ConnectionContext&, GraphStatements&, sqlite3_value**,
                         Rows&);

struct TableSpec {
  const char* name;
  const char* columns;  // output columns, then the arguments as HIDDEN columns
  int ncolumns;
  int nargs;
  Compute compute;
};

// Binds text the caller keeps alive until the statement is reset: Use resets the statement and
// clears its bindings on leaving scope, so declare the text before the Use. Saves SQLite a copy.
void bind_kept(Statement& s, int i, std::string_view text) {
  int rc = sqlite3_bind_text64(s.get(), i, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (rc == SQLITE_NOMEM) throw std::bad_alloc();
  if (rc != SQLITE_OK) throw SqlError(rc, sqlite3_errstr(rc));
}

constexpr const char* kPointVisibleE =
    " AND e.valid_time_start <= ?3 AND e.valid_time_end > ?3 AND e.transaction_time_start <= ?4"
    " AND e.transaction_time_end > ?4";
constexpr const char* kPointVisible =
    " AND valid_time_start <= ?3 AND valid_time_end > ?3 AND transaction_time_start <= ?4"
    " AND transaction_time_end > ?4";

void get_entity(sqlite3* db, const ConnectionContext& c, GraphStatements& cache, sqlite3_value** a,
                Rows& out) {
  std::string id = required_text(a[0], "id");
  Micros valid = valid_arg(a[1]);
  Micros tx = point_arg(a[2], "tx_at", t::kCurrent);
  if (!c.tenant) return;
  static const std::string kSql =
      std::string(
          "SELECT entity_id, entity_type, name, properties, valid_time_start,"
          " valid_time_end, transaction_time_start FROM graph_entities"
          " WHERE tenant_id = ?1 AND entity_id = ?2") +
      kPointVisible;
  Use s(cache.get(db, kGetEntity, kSql));
  bind_kept(*s, 1, *c.tenant);
  bind_kept(*s, 2, id);
  s->bind(3, valid);
  s->bind(4, tx);
  while (s->step()) {
    Row& r = out.add();
    for (int i = 0; i < 7; ++i) r[i].set_column(*s, i);
  }
}

void entity_history(sqlite3* db, const ConnectionContext& c, GraphStatements& cache,
                    sqlite3_value** a, Rows& out) {
  std::string id = required_text(a[0], "id");
  if (!c.tenant) return;
  Use s(cache.get(db, kEntityHistory,
                  "SELECT entity_id, entity_type, name, properties, valid_time_start,"
                  " valid_time_end, transaction_time_start, transaction_time_end"
                  " FROM graph_entities WHERE tenant_id = ?1 AND entity_id = ?2"
                  " ORDER BY transaction_time_start, valid_time_start"));
  bind_kept(*s, 1, *c.tenant);
  bind_kept(*s, 2, id);
  while (s->step()) {
    Row& r = out.add();
    for (int i = 0; i < 8; ++i) r[i].set_column(*s, i);
  }
}

void query_entities(sqlite3* db, const ConnectionContext& c, GraphStatements& cache,
                    sqlite3_value** a, Rows& out) {
  auto type = text_arg(a[0], "of_type");
  auto filter = text_arg(a[1], "contains");
  if (filter) t::json::canonical(*filter, "contains", false);
  Micros valid = valid_arg(a[2]);
  Micros tx = point_arg(a[3], "tx_at", t::kCurrent);
  auto limit = int_arg(a[4], "max_rows");
  if (!c.tenant) return;
  Use s(cache.get(db, kQueryEntities,
                  std::string("SELECT entity_id, entity_type, name, properties, valid_time_start,"
                              " valid_time_end, transaction_time_start FROM graph_entities"
                              " WHERE tenant_id = ?1 AND (?2 IS NULL OR entity_type = ?2)") +
                      kPointVisible + " ORDER BY entity_id"));
  bind_kept(*s, 1, *c.tenant);
  if (type)
    bind_kept(*s, 2, *type);
  else
    s->bind_null(2);
  s->bind(3, valid);
  s->bind(4, tx);
  while (s->step()) {
    if (limit && static_cast<std::int64_t>(out.size()) >= *limit) break;
    if (filter && !t::json::contains(s->text(3), *filter)) continue;
    Row& r = out.add();
    for (int i = 0; i < 7; ++i) r[i].set_column(*s, i);
  }
}

// The relationships of ?2 in one direction whose other end is visible, only while ?2 itself is
// visible: that check is a condition on no table, which SQLite evaluates once, before the join.
std::string neighbours_sql(bool outgoing, bool in_of_both, bool typed) {
  std::string near = outgoing ? "r.from_entity" : "r.to_entity";
  std::string far = outgoing ? "r.to_entity" : "r.from_entity";
  return "SELECT r.relationship_id, r.relationship_type, e.entity_id, e.entity_type, e.name,"
         " r.properties FROM graph_relationships r JOIN graph_entities e"
         " ON e.tenant_id = ?1 AND e.entity_id = " +
         far + std::string(kPointVisibleE) + " WHERE r.tenant_id = ?1 AND " + near +
         " = ?2 AND r.valid_time_start <= ?3 AND r.valid_time_end > ?3"
         " AND r.transaction_time_start <= ?4 AND r.transaction_time_end > ?4" +
         (typed ? " AND r.relationship_type IN (SELECT value FROM json_each(?5))" : "") +
         (in_of_both ? " AND r.from_entity <> ?2" : "") +
         " AND EXISTS (SELECT 1 FROM graph_entities s WHERE s.tenant_id = ?1"
         " AND s.entity_id = ?2 AND s.valid_time_start <= ?3 AND s.valid_time_end > ?3"
         " AND s.transaction_time_start <= ?4 AND s.transaction_time_end > ?4)";
}

void neighbours(sqlite3* db, const ConnectionContext& c, GraphStatements& cache, sqlite3_value** a,
                Rows& out) {
  std::string id = required_text(a[0], "id");
  t::Direction d = t::parse_direction(text_arg(a[1], "dir").value_or("both"));
  auto types = list_arg(db, a[2], "relationship_types");
  Micros valid = valid_arg(a[3]);
  Micros tx = point_arg(a[4], "tx_at", t::kCurrent);
  if (!c.tenant) return;
  std::string type_list = types.empty() ? std::string() : t::json::string_array(types);
  std::size_t first = out.size();
  for (bool outgoing : {true, false}) {
    if (outgoing && d == t::Direction::kIn) continue;
    if (!outgoing && d == t::Direction::kOut) continue;
    int variant = (outgoing ? 0 : d == t::Direction::kBoth ? 2 : 1) + (types.empty() ? 0 : 3);
    static const std::vector<std::string> kSql = [] {
      std::vector<std::string> sql;
      for (int v = 0; v < 6; ++v) sql.push_back(neighbours_sql(v % 3 == 0, v % 3 == 2, v >= 3));
      return sql;
    }();
    int key = kNeighboursFirst + variant;
    Use s(cache.get(db, key, kSql[static_cast<std::size_t>(variant)]));
    bind_kept(*s, 1, *c.tenant);
    bind_kept(*s, 2, id);
    s->bind(3, valid);
    s->bind(4, tx);
    if (!types.empty()) bind_kept(*s, 5, type_list);
    while (s->step()) {
      Row& row = out.add();
      row[0].set_column(*s, 0);
      row[1].set_column(*s, 1);
      row[2].set_text(outgoing ? "out" : "in");
      for (int i = 2; i < 6; ++i) row[i + 1].set_column(*s, i);
    }
  }
  // By type, neighbour, relationship id (columns 1, 3, 0; all TEXT).
  out.sort_from(first, [](const Row& x, const Row& y) {
    return std::tie(x[1].text, x[3].text, x[0].text) < std::tie(y[1].text, y[3].text, y[0].text);
  });
}

void traverse(sqlite3* db, const ConnectionContext& c, GraphStatements& cache, sqlite3_value** a,
              Rows& out) {
  t::TraverseRequest r;
  r.starts = list_arg(db, a[0], "start_ids");
  r.max_depth = static_cast<int>(std::clamp<std::int64_t>(
      int_arg(a[1], "max_depth").value_or(t::kDefaultMaxDepth), -1, t::kMaxDepth + 1));
  r.types = list_arg(db, a[2], "relationship_types");
  r.direction = t::parse_direction(text_arg(a[3], "direction").value_or("out"));
  r.max_nodes = int_arg(a[4], "max_nodes").value_or(t::kDefaultMaxNodes);
  r.at = {valid_arg(a[5]), point_arg(a[6], "tx_at", t::kCurrent)};
  t::check_traverse_request(r);
  if (!c.tenant) return;
  SqliteGraphStore store(db, *c.tenant, cache);
  t::TraverseResult result = t::traverse(store, r);
  for (auto& n : result.nodes) {
    Row& row = out.add();
    row[0].set_text(n.id);
    row[1].set_int(n.depth);
    for (int i : {2, 3}) {
      row[i].type = SQLITE_TEXT;
      row[i].text.clear();
      t::json::append_string_array(row[i].text, i == 2 ? n.path : n.relationships);
    }
    row[4].set_int(result.truncated ? 1 : 0);
  }
}

const TableSpec kTables[] = {
    {"graph_get_entity",
     "entity_id, entity_type, name, properties, valid_time_start, valid_time_end,"
     " transaction_time_start, id HIDDEN, valid_at HIDDEN, tx_at HIDDEN",
     7, 3, get_entity},
    {"graph_entity_history",
     "entity_id, entity_type, name, properties, valid_time_start, valid_time_end,"
     " transaction_time_start, transaction_time_end, id HIDDEN",
     8, 1, entity_history},
    {"graph_query_entities",
     "entity_id, entity_type, name, properties, valid_time_start, valid_time_end,"
     " transaction_time_start, of_type HIDDEN, contains HIDDEN, valid_at HIDDEN, tx_at HIDDEN,"
     " max_rows HIDDEN",
     7, 5, query_entities},
    {"graph_neighbours",
     "relationship_id, relationship_type, direction, neighbour_id, neighbour_type,"
     " neighbour_name, properties, id HIDDEN, dir HIDDEN, relationship_types HIDDEN,"
     " valid_at HIDDEN, tx_at HIDDEN",
     7, 5, neighbours},
    {"graph_traverse",
     "entity_id, depth, path, relationships, truncated, start_ids HIDDEN, max_depth HIDDEN,"
     " relationship_types HIDDEN, direction HIDDEN, max_nodes HIDDEN, valid_at HIDDEN,"
     " tx_at HIDDEN",
     5, 7, traverse},
};

struct ModuleData {
  const TableSpec* spec;
  ContextPtr context;
};

struct Table : sqlite3_vtab {
  const TableSpec* spec;
  ContextPtr context;
  sqlite3* db;
  GraphStatements statements;  // finalized in disconnect(), before sqlite3_close() checks
  // The Rows of a closed cursor, for the next one, when its result was small enough.
  std::vector<std::unique_ptr<Rows>> spare;
};
constexpr std::size_t kSpareRows = 1;
constexpr std::size_t kKeepRows = 2048;
constexpr std::size_t kKeepTextBytes = 1024 * 1024;

struct Cursor : sqlite3_vtab_cursor {
  std::unique_ptr<Rows> rows;
  std::size_t at = 0;
};

int connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** err) {
  auto* m = static_cast<ModuleData*>(aux);
  std::string sql = std::string("CREATE TABLE x(") + m->spec->columns + ")";
  int rc = sqlite3_declare_vtab(db, sql.c_str());
  if (rc != SQLITE_OK) {
    *err = sqlite3_mprintf("%s: %s", m->spec->name, sqlite3_errmsg(db));
    return rc;
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  auto* t = new (std::nothrow) Table();
  if (t == nullptr) return SQLITE_NOMEM;
  try {
    t->spare.reserve(kSpareRows);  // close() then never allocates
  } catch (const std::bad_alloc&) {
    delete t;
    return SQLITE_NOMEM;
  }
  t->spec = m->spec;
  t->context = m->context;
  t->db = db;
  *out = t;
  return SQLITE_OK;
}

int disconnect(sqlite3_vtab* v) {
  delete static_cast<Table*>(v);
  return SQLITE_OK;
}

// Consumes equality on the argument columns; argv follows the argument order (idxNum: a mask).
int best_index(sqlite3_vtab* v, sqlite3_index_info* info) {
  auto* t = static_cast<Table*>(v);
  int mask = 0;
  int where[16];
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    int arg = c.iColumn - t->spec->ncolumns;
    if (arg < 0 || c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!c.usable) return SQLITE_CONSTRAINT;
    mask |= 1 << arg;
    where[arg] = i;
  }
  int n = 0;
  for (int arg = 0; arg < t->spec->nargs; ++arg) {
    if (!(mask & (1 << arg))) continue;
    info->aConstraintUsage[where[arg]].argvIndex = ++n;
    info->aConstraintUsage[where[arg]].omit = 1;
  }
  info->idxNum = mask;
  info->estimatedCost = 100;
  info->estimatedRows = 100;
  return SQLITE_OK;
}

int open(sqlite3_vtab* v, sqlite3_vtab_cursor** out) {
  auto* t = static_cast<Table*>(v);
  try {
    auto c = std::make_unique<Cursor>();
    if (t->spare.empty()) {
      c->rows = std::make_unique<Rows>();
    } else {
      c->rows = std::move(t->spare.back());
      t->spare.pop_back();
    }
    *out = c.release();
    return SQLITE_OK;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
}

int close(sqlite3_vtab_cursor* vc) {
  auto* c = static_cast<Cursor*>(vc);
  auto* t = static_cast<Table*>(vc->pVtab);
  Rows& rows = *c->rows;
  if (t->spare.size() < kSpareRows && rows.capacity() <= kKeepRows &&
      rows.text_bytes() <= kKeepTextBytes) {
    rows.clear();
    t->spare.push_back(std::move(c->rows));  // capacity reserved: no allocation
  }
  delete c;
  return SQLITE_OK;
}

int filter(sqlite3_vtab_cursor* vc, int mask, const char*, int argc, sqlite3_value** argv) {
  auto* c = static_cast<Cursor*>(vc);
  auto* t = static_cast<Table*>(vc->pVtab);
  try {
    c->rows->clear();
    c->at = 0;
    sqlite3_value* args[16] = {};
    int n = 0;
    for (int arg = 0; arg < t->spec->nargs && n < argc; ++arg)
      if (mask & (1 << arg)) args[arg] = argv[n++];
    t->spec->compute(t->db, *t->context, t->statements, args, *c->rows);
    return SQLITE_OK;
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception& e) {
    sqlite3_free(t->zErrMsg);
    t->zErrMsg = sqlite3_mprintf("%s", error_text(t->spec->name, e).c_str());
    return SQLITE_ERROR;
  }
}

int next(sqlite3_vtab_cursor* c) {
  static_cast<Cursor*>(c)->at++;
  return SQLITE_OK;
}

int eof(sqlite3_vtab_cursor* vc) {
  auto* c = static_cast<Cursor*>(vc);
  return c->at >= c->rows->size();
}

int column(sqlite3_vtab_cursor* vc, sqlite3_context* ctx, int col) {
  auto* c = static_cast<Cursor*>(vc);
  const Row& r = (*c->rows)[c->at];
  if (col >= static_cast<const Table*>(vc->pVtab)->spec->ncolumns) {
    sqlite3_result_null(ctx);
    return SQLITE_OK;
  }
  const Cell& cell = r[static_cast<std::size_t>(col)];
  if (cell.type == SQLITE_INTEGER)
    sqlite3_result_int64(ctx, cell.integer);
  else if (cell.type == SQLITE_TEXT)
    sqlite3_result_text64(ctx, cell.text.data(), cell.text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  else
    sqlite3_result_null(ctx);
  return SQLITE_OK;
}

int rowid(sqlite3_vtab_cursor* vc, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(static_cast<Cursor*>(vc)->at);
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.iVersion = 0;
  m.xCreate = nullptr;  // eponymous only
  m.xConnect = connect;
  m.xBestIndex = best_index;
  m.xDisconnect = disconnect;
  m.xDestroy = disconnect;
  m.xOpen = open;
  m.xClose = close;
  m.xFilter = filter;
  m.xNext = next;
  m.xEof = eof;
  m.xColumn = column;
  m.xRowid = rowid;
  return m;
}

const sqlite3_module kModule = make_module();

}  // namespace

int register_graph_functions(sqlite3* db, const ContextPtr& context) {
  // Writes change the database: direct-only, so no view or trigger in a file can call them.
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DIRECTONLY;
  for (const WriteSpec& w : kWrites) {
    auto* data = new (std::nothrow) WriteUserData{&w, context};
    if (data == nullptr) return SQLITE_NOMEM;
    int rc =
        sqlite3_create_function_v2(db, w.name, -1, kFlags, data, write_callback, nullptr, nullptr,
                                   [](void* p) { delete static_cast<WriteUserData*>(p); });
    if (rc != SQLITE_OK) return rc;
  }
  static const WriteSpec kCompact{"graph_compact_history", 1, 1, nullptr};
  auto* data = new (std::nothrow) WriteUserData{&kCompact, context};
  if (data == nullptr) return SQLITE_NOMEM;
  int rc = sqlite3_create_function_v2(db, "graph_compact_history", 1, kFlags, data,
                                      compact_callback, nullptr, nullptr,
                                      [](void* p) { delete static_cast<WriteUserData*>(p); });
  if (rc != SQLITE_OK) return rc;
  for (const TableSpec& t : kTables) {
    auto* m = new (std::nothrow) ModuleData{&t, context};
    if (m == nullptr) return SQLITE_NOMEM;
    rc = sqlite3_create_module_v2(db, t.name, &kModule, m,
                                  [](void* p) { delete static_cast<ModuleData*>(p); });
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace llmspell::sqlite::graph

// The llmspell_hnsw virtual table module: the HNSW index inside the database file.
//
// Design
// - Storage: five or six shadow tables per table (hnsw_shadow.h). The graph (<t>_nodes), the vectors
//   (<t>_vectors) and the rows (<t>_rows) are ordinary rows of the same database, so they
//   commit, roll back and recover from a crash together with everything else in the
//   transaction. No side file, nothing kept only in memory.
// - Mirror: each connection keeps the graph structure in memory and vectors in a bounded CLOCK
//   cache (sqlite_store.h), loaded lazily: a reopened database answers its first query after
//   one scan of <t>_nodes plus the few hundred vectors the search touches.
// - Writes: INSERT/UPDATE/DELETE change the mirror at once (the core's link / remove) and write
//   <t>_rows and <t>_vectors in the statement; changed nodes are only marked dirty, and xSync
//   writes each dirty node once, just before the commit. A bulk load in one transaction therefore
//   builds the graph in memory and writes every node row once.
// - Transactions: the mirror keeps an undo log with one level per savepoint (SQLite opens one
//   per statement inside BEGIN ... COMMIT, so statement failures use it too). ROLLBACK and
//   ROLLBACK TO replay it: the mirror returns to exactly the state SQLite restores in the shadow
//   tables, with no reload. Chosen over "flush at every xSavepoint" (the first design), which
//   would write the touched nodes once per statement and defeat the bulk-load path.
// - Other connections: each commit bumps <t>_meta.generation and lists the nodes it changed in
//   <t>_changes (pruned to the last 64 generations; a commit that changed more than 1/8 of the
//   graph logs "everything"). Before a read or a write transaction a connection compares
//   generations and reloads only the listed nodes, or everything when the log no longer reaches
//   back.
// - Deletes follow the core: the node is marked deleted and its neighbours repaired at once;
//   once deleted nodes reach 5% of the graph, the commit consolidates (relinks every node still
//   pointing at one) and frees their slots for reuse.
// - Filters: each filter column value is interned to a tag with a posting list in the mirror;
//   WHERE col = ? terms (and the connection's tenant) become a hnsw::Filter evaluated during the
//   traversal, counted so that very selective values are answered by an exact scan.
// - Partitions: the first filter column (tenant_id in the migrations) partitions the graph, as
//   in the PostgreSQL index: each value has its own graph and entry point (<t>_partitions), and
//   links never cross. A tenant's search walks its graph alone, at the cost of a table of its own
//   rows and without reading any row's filter values; a search naming no value searches every
//   partition and merges. The tenant of one shared graph would pay for walking through other
//   tenants' rows (measured at +57-80% against a table of its own rows at 50% of the rows).
//
// Queries
//   SELECT rowid, distance FROM items
//    WHERE embedding MATCH :vector AND k = 10          -- LIMIT n serves as k when SQLite passes
//                                                      -- it to the table (3.40 does not with
//                                                      MATCH)
//      [AND tenant_id = :t AND scope = :s]             -- equality on filter columns
//      [AND ef_search = 100] [AND exact = 1]
//   rows come nearest first (ORDER BY distance is free). distance is the Euclidean distance
//   (l2), 1 - cosine similarity (cosine) or the negative inner product (ip).
// Without MATCH the table scans <t>_rows like an ordinary table (rowid and filter equality use
// indexes).
#include "hnsw_vtab.h"

#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "function_error.h"
#include "hnsw_config.h"
#include "hnsw_table.h"
#include "statement.h"
#include "vector_arg.h"

namespace llmspell::sqlite::hnsw_vtab {
namespace {

enum Plan : int { kScan = 0, kKnn = 1, kRowid = 2 };
// How a cursor produces rows: a list of hits (k-NN, or rows from the posting lists) or a
// statement over <t>_rows.
enum class Mode { kHits, kStatement };

struct Vtab {
  sqlite3_vtab base;  // first: SQLite sees a sqlite3_vtab*
  std::unique_ptr<HnswTable> table;
};

struct Cursor {
  sqlite3_vtab_cursor base;  // first: SQLite sees a sqlite3_vtab_cursor*
  HnswTable* table = nullptr;
  int plan = kScan;
  Mode mode = Mode::kHits;
  // k-NN results.
  std::vector<Hit> hits;
  std::size_t pos = 0;
  // The current hit's stored columns, fetched when first asked for.
  std::vector<sqlite3_value*> row;
  bool row_fetched = false;
  // Scans: SELECT id, node, c0, c1, ... FROM <t>_rows ...
  Statement scan;
  bool eof = true;

  void clear_row() {
    for (sqlite3_value* v : row) sqlite3_value_free(v);
    row.clear();
    row_fetched = false;
  }
  ~Cursor() { clear_row(); }
};

HnswTable& table_of(sqlite3_vtab* vtab) { return *reinterpret_cast<Vtab*>(vtab)->table; }

void set_error(sqlite3_vtab* vtab, const char* message) {
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = sqlite3_mprintf("%s", message);
}

// Runs a method body; a C++ exception becomes an error code and zErrMsg, never unwinds into C.
template <class F>
int guard(sqlite3_vtab* vtab, F&& body) noexcept {
  try {
    return body();
  } catch (const SqlError& e) {
    set_error(vtab, e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception& e) {
    set_error(vtab, e.what());
    return SQLITE_ERROR;
  } catch (...) {
    set_error(vtab, "llmspell_hnsw: unexpected internal error");
    return SQLITE_ERROR;
  }
}

std::string describe_value(sqlite3_value* v) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL:
      return "NULL";
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_value_int64(v));
    case SQLITE_FLOAT:
      return std::to_string(sqlite3_value_double(v));
    case SQLITE_BLOB:
      return "a BLOB";
    default: {
      const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(v));
      return "'" + std::string(t ? t : "") + "'";
    }
  }
}

// An integer parameter (k, ef_search, exact) within [min, max].
std::uint32_t integer_parameter(const TableConfig& c, const char* name, sqlite3_value* v,
                                std::int64_t min, std::int64_t max) {
  bool integral = sqlite3_value_type(v) == SQLITE_INTEGER ||
                  (sqlite3_value_type(v) != SQLITE_NULL && sqlite3_value_type(v) != SQLITE_BLOB &&
                   sqlite3_value_numeric_type(v) == SQLITE_INTEGER);
  std::int64_t n = integral ? sqlite3_value_int64(v) : 0;
  if (!integral || n < min || n > max) {
    throw SqlError(SQLITE_ERROR, c.table + ": " + name + " must be an integer between " +
                                     std::to_string(min) + " and " + std::to_string(max) +
                                     ", got " + describe_value(v));
  }
  return static_cast<std::uint32_t>(n);
}

// ---- create / connect ----------------------------------------------------------------------

int construct(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
              char** error, bool create) noexcept {
  *out = nullptr;
  try {
    TableConfig config = parse_config(argv[1], argv[2], argc - 3, argv + 3);
    std::string declaration = config.declaration();
    int rc = sqlite3_declare_vtab(db, declaration.c_str());
    if (rc != SQLITE_OK) throw SqlError(rc, config.table + ": " + sqlite3_errmsg(db));
    auto vtab = std::make_unique<Vtab>();
    std::memset(&vtab->base, 0, sizeof vtab->base);
    vtab->table = std::make_unique<HnswTable>(db, std::move(config),
                                              static_cast<FunctionData*>(aux)->context);
    if (create) vtab->table->create();
    // xUpdate reports SQLITE_CONSTRAINT (a duplicate rowid) before changing anything, so
    // SQLite may apply OR IGNORE / OR FAIL / OR ROLLBACK as for an ordinary table.
    sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
    *out = &vtab.release()->base;
    return SQLITE_OK;
  } catch (const SqlError& e) {
    *error = sqlite3_mprintf("%s", e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  } catch (const std::exception& e) {
    *error = sqlite3_mprintf("%s", e.what());
    return SQLITE_ERROR;
  } catch (...) {
    *error = sqlite3_mprintf("llmspell_hnsw: unexpected internal error");
    return SQLITE_ERROR;
  }
}

int x_create(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
             char** error) {
  return construct(db, aux, argc, argv, out, error, true);
}

int x_connect(sqlite3* db, void* aux, int argc, const char* const* argv, sqlite3_vtab** out,
              char** error) {
  return construct(db, aux, argc, argv, out, error, false);
}

int x_disconnect(sqlite3_vtab* vtab) {
  delete reinterpret_cast<Vtab*>(vtab);
  return SQLITE_OK;
}

int x_destroy(sqlite3_vtab* vtab) {
  int rc = guard(vtab, [&] {
    table_of(vtab).destroy();
    return SQLITE_OK;
  });
  if (rc == SQLITE_OK) delete reinterpret_cast<Vtab*>(vtab);
  return rc;
}

int x_rename(sqlite3_vtab* vtab, const char* name) {
  return guard(vtab, [&] {
    table_of(vtab).rename(name);
    return SQLITE_OK;
  });
}

// ---- planning ------------------------------------------------------------------------------

// idxStr lists what each xFilter argument is, comma separated: M (query vector), K (k),
// L (LIMIT used as k), E (ef_search), X (exact), R (rowid), F<column> (filter column equality).
int x_best_index(sqlite3_vtab* vtab, sqlite3_index_info* info) {
  return guard(vtab, [&] {
    const TableConfig& c = table_of(vtab).config();
    int match = -1, k = -1, limit = -1, ef = -1, exact = -1, rowid = -1;
    bool match_seen = false, k_seen = false, limit_seen = false, params_seen = false;
    std::vector<int> filters;
    for (int i = 0; i < info->nConstraint; ++i) {
      const auto& con = info->aConstraint[i];
      int col = con.iColumn;
      bool usable = con.usable != 0;
      if (con.op == SQLITE_INDEX_CONSTRAINT_MATCH && col == c.vector_column) {
        match_seen = true;
        if (usable) match = i;
      } else if (con.op == SQLITE_INDEX_CONSTRAINT_LIMIT) {
        limit_seen = true;
        if (usable) limit = i;
      } else if (con.op != SQLITE_INDEX_CONSTRAINT_EQ) {
        continue;
      } else if (col == c.k_column()) {
        k_seen = params_seen = true;
        if (usable) k = i;
      } else if (col == c.ef_search_column()) {
        params_seen = true;
        if (usable) ef = i;
      } else if (col == c.exact_column()) {
        params_seen = true;
        if (usable) exact = i;
      } else if (col == -1) {
        if (usable) rowid = i;
      } else if (usable && col >= 0 && col < c.column_count() &&
                 c.columns[col].kind == ColumnKind::kFilter) {
        // Equality under another collation (NOCASE...) is left to SQLite.
        const char* collation = sqlite3_vtab_collation(info, i);
        if (c.columns[col].filter_type == FilterType::kInteger || collation == nullptr ||
            sqlite3_stricmp(collation, "BINARY") == 0) {
          filters.push_back(i);
        }
      }
    }
    if (params_seen && !match_seen) {
      throw SqlError(SQLITE_ERROR, c.table +
                                       ": k, ef_search and exact belong to a k-NN query: add " +
                                       c.columns[c.vector_column].name + " MATCH <vector>");
    }
    if (match_seen && match < 0) return SQLITE_CONSTRAINT;  // wait for a plan where it is usable

    std::string idx;
    int argv_index = 0;
    // Appends one code ('M', 'F' + column, ...) for constraint i, the next xFilter argument.
    auto use = [&](int i, char code, int column = -1, bool omit = true) {
      info->aConstraintUsage[i].argvIndex = ++argv_index;
      info->aConstraintUsage[i].omit = omit ? 1 : 0;
      if (!idx.empty()) idx.push_back(',');
      idx.push_back(code);
      if (column >= 0) idx.append(std::to_string(column));
    };
    if (match >= 0) {
      if (k < 0 && (k_seen || limit_seen) && limit < 0) return SQLITE_CONSTRAINT;
      if (k < 0 && limit < 0) {
        throw SqlError(SQLITE_ERROR, c.table +
                                         ": a k-NN query needs k: add \"AND k = <n>\" (1 to " +
                                         std::to_string(kMaxK) + ")");
      }
      use(match, 'M');
      if (k >= 0) {
        use(k, 'K');
      } else {
        use(limit, 'L', -1, false);
      }
      if (ef >= 0) use(ef, 'E');
      if (exact >= 0) use(exact, 'X');
      for (int i : filters) use(i, 'F', info->aConstraint[i].iColumn);
      info->idxNum = kKnn;
      info->estimatedCost = 100.0 / static_cast<double>(1 + filters.size());
      info->estimatedRows = 10;
      if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == c.distance_column() &&
          !info->aOrderBy[0].desc) {
        info->orderByConsumed = 1;
      }
    } else if (rowid >= 0) {
      use(rowid, 'R');
      info->idxNum = kRowid;
      info->estimatedCost = 1;
      info->estimatedRows = 1;
      info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    } else {
      for (int i : filters) use(i, 'F', info->aConstraint[i].iColumn);
      info->idxNum = kScan;
      info->estimatedCost = filters.empty() ? 1e6 : 1e4 / static_cast<double>(filters.size());
      info->estimatedRows = filters.empty() ? 100000 : 1000;
      if (info->nOrderBy == 1 && info->aOrderBy[0].iColumn == -1 && !info->aOrderBy[0].desc)
        info->orderByConsumed = 1;
    }
    info->idxStr = sqlite3_mprintf("%s", idx.c_str());
    if (info->idxStr == nullptr) throw std::bad_alloc();
    info->needToFreeIdxStr = 1;
    return SQLITE_OK;
  });
}

// ---- cursors -------------------------------------------------------------------------------

int x_open(sqlite3_vtab* vtab, sqlite3_vtab_cursor** out) {
  return guard(vtab, [&] {
    auto* cursor = new Cursor();
    std::memset(&cursor->base, 0, sizeof cursor->base);
    cursor->table = &table_of(vtab);
    *out = &cursor->base;
    return SQLITE_OK;
  });
}

int x_close(sqlite3_vtab_cursor* cur) {
  delete reinterpret_cast<Cursor*>(cur);
  return SQLITE_OK;
}

std::vector<std::string> split_codes(const char* idx) {
  std::vector<std::string> codes;
  std::string s = idx ? idx : "";
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    codes.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return codes;
}

void filter_knn(Cursor& cur, const std::vector<std::string>& codes, sqlite3_value** argv) {
  HnswTable& t = *cur.table;
  const TableConfig& c = t.config();
  SearchRequest request;
  request.ef_search = c.ef_search;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    sqlite3_value* v = argv[i];
    switch (codes[i][0]) {
      case 'M': {
        const std::string prefix = c.table + "." + c.columns[c.vector_column].name + ": ";
        if (sqlite3_value_type(v) == SQLITE_NULL)
          throw SqlError(SQLITE_ERROR, prefix + "MATCH needs a query vector, got NULL");
        try {
          VectorArg q(v);
          request.query.assign(q.data(), q.data() + q.dimensions());
        } catch (const FunctionError& e) {
          throw SqlError(SQLITE_ERROR, prefix + "query vector: " + e.what());
        }
        if (request.query.size() != c.params.dims) {
          throw SqlError(SQLITE_ERROR,
                         prefix + "query vector has " + std::to_string(request.query.size()) +
                             " dimensions, expected " + std::to_string(c.params.dims));
        }
        break;
      }
      case 'K':
        request.k = integer_parameter(c, "k", v, 1, kMaxK);
        break;
      case 'L':
        request.k = integer_parameter(c, "LIMIT (used as k)", v, 1, kMaxK);
        break;
      case 'E':
        request.ef_search = integer_parameter(c, "ef_search", v, 1, hnsw::kMaxEfSearch);
        break;
      case 'X':
        request.exact = integer_parameter(c, "exact", v, 0, 1) != 0;
        break;
      case 'F':
        request.equal.emplace_back(std::stoi(codes[i].substr(1)), v);
        break;
      default:
        throw SqlError(SQLITE_INTERNAL, c.table + ": unknown plan code " + codes[i]);
    }
  }
  cur.hits = t.search(request);
  cur.pos = 0;
}

void filter_rows(Cursor& cur, const std::vector<std::string>& codes, sqlite3_value** argv) {
  HnswTable& t = *cur.table;
  const TableConfig& c = t.config();
  std::vector<std::pair<int, sqlite3_value*>> equal;
  sqlite3_value* rowid = nullptr;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i][0] == 'R') rowid = argv[i];
    if (codes[i][0] == 'F') equal.emplace_back(std::stoi(codes[i].substr(1)), argv[i]);
  }
  if (rowid == nullptr) {
    // Filtered scans walk the mirror's posting lists.
    if (auto rows = t.filtered_rows(equal)) {
      cur.mode = Mode::kHits;
      cur.hits = std::move(*rows);
      return;
    }
  }
  t.ensure_current();
  ShadowTables& shadow = t.shadow();
  std::string sql = "SELECT id, node";
  for (int i = 0; i < c.column_count(); ++i) {
    if (c.columns[i].kind != ColumnKind::kVector)
      sql.append(", ").append(shadow.row_column_name(c.row_column(i)));
  }
  sql += " FROM " + shadow.rows_table();
  bool empty = false;
  std::optional<FilterValue> tenant = t.tenant();
  if (rowid != nullptr) {
    empty = sqlite3_value_numeric_type(rowid) != SQLITE_INTEGER;
    sql += " WHERE id = ?1";
    if (tenant) sql += " AND " + shadow.row_column_name(c.row_column(c.tenant_column)) + " = ?2";
  }
  cur.mode = Mode::kStatement;
  cur.scan = Statement(shadow.db(), sql + " ORDER BY id", false);
  if (rowid != nullptr) {
    cur.scan.bind(1, sqlite3_value_int64(rowid));
    if (tenant) {
      if (tenant->null) empty = true;
      if (tenant->integer) {
        cur.scan.bind(2, tenant->number);
      } else {
        cur.scan.bind(2, std::string_view(tenant->text));
      }
    }
  }
  cur.eof = empty || !cur.scan.step();
}

int x_filter(sqlite3_vtab_cursor* base, int plan, const char* idx, int, sqlite3_value** argv) {
  auto& cur = *reinterpret_cast<Cursor*>(base);
  return guard(base->pVtab, [&] {
    cur.clear_row();
    cur.hits.clear();
    cur.pos = 0;
    cur.scan = Statement();
    cur.eof = true;
    cur.plan = plan;
    cur.mode = Mode::kHits;
    std::vector<std::string> codes = split_codes(idx);
    if (plan == kKnn) {
      filter_knn(cur, codes, argv);
    } else {
      filter_rows(cur, codes, argv);
    }
    return SQLITE_OK;
  });
}

int x_next(sqlite3_vtab_cursor* base) {
  auto& cur = *reinterpret_cast<Cursor*>(base);
  return guard(base->pVtab, [&] {
    if (cur.mode == Mode::kHits) {
      cur.clear_row();
      ++cur.pos;
    } else {
      cur.eof = !cur.scan.step();
    }
    return SQLITE_OK;
  });
}

int x_eof(sqlite3_vtab_cursor* base) {
  auto& cur = *reinterpret_cast<Cursor*>(base);
  return cur.mode == Mode::kHits ? cur.pos >= cur.hits.size() : cur.eof;
}

int x_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
  auto& cur = *reinterpret_cast<Cursor*>(base);
  *rowid = cur.mode == Mode::kHits ? cur.hits[cur.pos].rowid : cur.scan.int64(0);
  return SQLITE_OK;
}

void result_vector(HnswTable& t, sqlite3_context* ctx, NodeId node) {
  bool found = t.shadow().with_vector(node, [&](const void* blob, std::size_t n) {
    sqlite3_result_blob64(ctx, blob, n, SQLITE_TRANSIENT);
  });
  if (!found)
    throw SqlError(SQLITE_CORRUPT_VTAB, t.config().table + ": shadow tables are damaged: node " +
                                            std::to_string(node) + " has no vector");
}

int x_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
  auto& cur = *reinterpret_cast<Cursor*>(base);
  return guard(base->pVtab, [&] {
    HnswTable& t = *cur.table;
    const TableConfig& c = t.config();
    if (column >= c.column_count()) {
      if (column == c.distance_column() && cur.plan == kKnn)
        sqlite3_result_double(ctx, cur.hits[cur.pos].distance);
      return SQLITE_OK;  // query parameters read back as NULL
    }
    // UPDATE asks for unchanged columns: "no change" spares the read; xUpdate keeps the value.
    if (sqlite3_vtab_nochange(ctx)) return SQLITE_OK;
    bool vector = column == c.vector_column;
    if (cur.mode == Mode::kStatement) {
      if (vector) {
        result_vector(t, ctx, static_cast<NodeId>(cur.scan.int64(1)));
      } else {
        sqlite3_result_value(ctx, cur.scan.value(2 + c.row_column(column)));
      }
      return SQLITE_OK;
    }
    const Hit& hit = cur.hits[cur.pos];
    if (vector) {
      result_vector(t, ctx, hit.node);
      return SQLITE_OK;
    }
    if (!cur.row_fetched) {
      Use row(t.shadow().select_row());
      row->bind(1, hit.rowid);
      if (row->step()) {
        int stored = 0;
        for (int i = 0; i < c.column_count(); ++i) {
          if (c.columns[i].kind == ColumnKind::kVector) continue;
          cur.row.push_back(sqlite3_value_dup(row->value(1 + stored++)));
          if (cur.row.back() == nullptr) throw std::bad_alloc();
        }
      }
      cur.row_fetched = true;
    }
    int index = c.row_column(column);
    if (index < static_cast<int>(cur.row.size())) sqlite3_result_value(ctx, cur.row[index]);
    return SQLITE_OK;
  });
}

// ---- writes and transactions ---------------------------------------------------------------

// The shadow-table INSERTs would otherwise leave their row ids in last_insert_rowid(): an UPDATE,
// a DELETE or a COMMIT must not change it (an INSERT sets it to the new row after xUpdate).
class KeepLastRowid {
 public:
  explicit KeepLastRowid(sqlite3* db) : db_(db), rowid_(sqlite3_last_insert_rowid(db)) {}
  ~KeepLastRowid() { sqlite3_set_last_insert_rowid(db_, rowid_); }
  KeepLastRowid(const KeepLastRowid&) = delete;
  KeepLastRowid& operator=(const KeepLastRowid&) = delete;

 private:
  sqlite3* db_;
  sqlite3_int64 rowid_;
};

int x_update(sqlite3_vtab* vtab, int argc, sqlite3_value** argv, sqlite3_int64* rowid) {
  return guard(vtab, [&] {
    HnswTable& t = table_of(vtab);
    KeepLastRowid keep(t.shadow().db());
    if (argc == 1) {
      t.remove(sqlite3_value_int64(argv[0]));
    } else if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
      *rowid = t.insert(argv[1], argv + 2);
    } else {
      t.update(sqlite3_value_int64(argv[0]), argv[1], argv + 2);
    }
    return SQLITE_OK;
  });
}

int x_begin(sqlite3_vtab* vtab) {
  return guard(vtab, [&] {
    table_of(vtab).begin();
    return SQLITE_OK;
  });
}

int x_sync(sqlite3_vtab* vtab) {
  return guard(vtab, [&] {
    KeepLastRowid keep(table_of(vtab).shadow().db());
    table_of(vtab).sync();
    return SQLITE_OK;
  });
}

int x_commit(sqlite3_vtab* vtab) {
  return guard(vtab, [&] {
    table_of(vtab).commit();
    return SQLITE_OK;
  });
}

int x_rollback(sqlite3_vtab* vtab) {
  return guard(vtab, [&] {
    table_of(vtab).rollback();
    return SQLITE_OK;
  });
}

int x_savepoint(sqlite3_vtab* vtab, int n) {
  return guard(vtab, [&] {
    table_of(vtab).savepoint(n);
    return SQLITE_OK;
  });
}

int x_release(sqlite3_vtab* vtab, int n) {
  return guard(vtab, [&] {
    table_of(vtab).release(n);
    return SQLITE_OK;
  });
}

int x_rollback_to(sqlite3_vtab* vtab, int n) {
  return guard(vtab, [&] {
    table_of(vtab).rollback_to(n);
    return SQLITE_OK;
  });
}

int x_shadow_name(const char* suffix) { return ShadowTables::is_shadow_suffix(suffix) ? 1 : 0; }

const sqlite3_module kModule = {
    /* iVersion */ 3,
    /* xCreate */ x_create,
    /* xConnect */ x_connect,
    /* xBestIndex */ x_best_index,
    /* xDisconnect */ x_disconnect,
    /* xDestroy */ x_destroy,
    /* xOpen */ x_open,
    /* xClose */ x_close,
    /* xFilter */ x_filter,
    /* xNext */ x_next,
    /* xEof */ x_eof,
    /* xColumn */ x_column,
    /* xRowid */ x_rowid,
    /* xUpdate */ x_update,
    /* xBegin */ x_begin,
    /* xSync */ x_sync,
    /* xCommit */ x_commit,
    /* xRollback */ x_rollback,
    /* xFindFunction */ nullptr,
    /* xRename */ x_rename,
    /* xSavepoint */ x_savepoint,
    /* xRelease */ x_release,
    /* xRollbackTo */ x_rollback_to,
    /* xShadowName */ x_shadow_name,
};

}  // namespace

int register_hnsw_module(sqlite3* db, const ContextPtr& context) {
  return sqlite3_create_module_v2(db, kModuleName, &kModule, new FunctionData{kModuleName, context},
                                  destroy_function_data);
}

}  // namespace llmspell::sqlite::hnsw_vtab

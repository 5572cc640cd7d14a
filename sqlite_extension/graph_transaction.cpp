#include "graph_transaction.h"

#include <new>
#include <stdexcept>

#include "graph_store.h"
#include "statement.h"

namespace llmspell::sqlite::graph {
namespace {

constexpr const char* kModuleName = "llmspell_graph_transaction";

struct Table : sqlite3_vtab {
  ContextPtr context;
};

void forget(sqlite3_vtab* vtab) noexcept {
  GraphTransaction& g = static_cast<Table*>(vtab)->context->graph;
  g.open = false;
  g.time.reset();
  g.by_tenant.clear();
}

int connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char**) noexcept {
  int rc = sqlite3_declare_vtab(db, "CREATE TABLE x(unused)");
  if (rc != SQLITE_OK) return rc;
  auto* table = new (std::nothrow) Table{};
  if (table == nullptr) return SQLITE_NOMEM;
  table->context = static_cast<FunctionData*>(aux)->context;
  *out = table;
  return SQLITE_OK;
}

int disconnect(sqlite3_vtab* vtab) noexcept {
  delete static_cast<Table*>(vtab);
  return SQLITE_OK;
}

// An empty table: reads find nothing, inserts are accepted and discarded.
int best_index(sqlite3_vtab*, sqlite3_index_info* info) noexcept {
  info->estimatedCost = 1;
  info->estimatedRows = 0;
  return SQLITE_OK;
}

int open(sqlite3_vtab*, sqlite3_vtab_cursor** out) noexcept {
  *out = new (std::nothrow) sqlite3_vtab_cursor{};
  return *out == nullptr ? SQLITE_NOMEM : SQLITE_OK;
}

int close(sqlite3_vtab_cursor* c) noexcept {
  delete c;
  return SQLITE_OK;
}

int filter(sqlite3_vtab_cursor*, int, const char*, int, sqlite3_value**) noexcept {
  return SQLITE_OK;
}
int next(sqlite3_vtab_cursor*) noexcept { return SQLITE_OK; }
int eof(sqlite3_vtab_cursor*) noexcept { return 1; }
int column(sqlite3_vtab_cursor*, sqlite3_context* ctx, int) noexcept {
  sqlite3_result_null(ctx);
  return SQLITE_OK;
}
int rowid(sqlite3_vtab_cursor*, sqlite3_int64* out) noexcept {
  *out = 0;
  return SQLITE_OK;
}

int update(sqlite3_vtab*, int, sqlite3_value**, sqlite3_int64* rowid) noexcept {
  *rowid = 0;
  return SQLITE_OK;
}

// A new transaction starts with no time; its end, either way, forgets it.
int begin(sqlite3_vtab* vtab) noexcept {
  forget(vtab);
  static_cast<Table*>(vtab)->context->graph.open = true;
  return SQLITE_OK;
}
int end(sqlite3_vtab* vtab) noexcept {
  forget(vtab);
  return SQLITE_OK;
}

sqlite3_module make_module() {
  sqlite3_module m{};
  m.iVersion = 1;
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
  m.xUpdate = update;
  m.xBegin = begin;
  m.xCommit = end;
  m.xRollback = end;
  return m;
}

const sqlite3_module kModule = make_module();

}  // namespace

int register_graph_transaction(sqlite3* db, const ContextPtr& context) {
  auto* data = new (std::nothrow) FunctionData{kModuleName, context};
  if (data == nullptr) return SQLITE_NOMEM;
  return sqlite3_create_module_v2(db, kModuleName, &kModule, data, destroy_function_data);
}

temporal::Micros transaction_time(sqlite3* db, GraphTransaction& txn, const std::string& tenant,
                                  const std::function<temporal::Micros()>& latest) {
  if (!txn.open) {
    exec(db, "INSERT INTO main.llmspell_graph_transaction VALUES (NULL)");
    if (!txn.open) throw std::logic_error("graph: the write transaction was not joined");
  }
  if (auto it = txn.by_tenant.find(tenant); it != txn.by_tenant.end()) return it->second;
  temporal::Micros last = latest();
  temporal::Micros tx =
      txn.time && *txn.time > last ? *txn.time : temporal::next_transaction_time(clock_now(), last);
  if (!txn.time) txn.time = tx;
  txn.by_tenant.emplace(tenant, tx);
  return tx;
}

}  // namespace llmspell::sqlite::graph

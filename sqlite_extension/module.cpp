// Entry point of the loadable module. SQLite derives the name sqlite3_llmspell_init from the file
// name llmspell.so, so `.load path/llmspell` needs no explicit entry point.
#include <sqlite3ext.h>

#include <memory>
#include <new>

#include "graph_functions.h"
#include "graph_transaction.h"
#include "hnsw_vtab.h"
#include "tenant_context.h"
#include "vector_functions.h"

// The routine table pointer every sqlite3_* call in the module goes through (see sqlite_api.h).
SQLITE_EXTENSION_INIT1

namespace {

int register_all(sqlite3* db) {
  int rc = llmspell::sqlite::register_vector_functions(db);
  if (rc != SQLITE_OK) return rc;
  // One context per connection, shared by the tenant functions, the HNSW module and its
  // functions; freed when the last of them is (at the latest when the connection closes).
  std::shared_ptr<llmspell::sqlite::ConnectionContext> context;
  try {
    context = std::make_shared<llmspell::sqlite::ConnectionContext>();
  } catch (const std::bad_alloc&) {
    return SQLITE_NOMEM;
  }
  rc = llmspell::sqlite::register_tenant_functions(db, context);
  if (rc != SQLITE_OK) return rc;
  rc = llmspell::sqlite::hnsw_vtab::register_hnsw_module(db, context);
  if (rc != SQLITE_OK) return rc;
  rc = llmspell::sqlite::hnsw_vtab::register_hnsw_functions(db, context);
  if (rc != SQLITE_OK) return rc;
  rc = llmspell::sqlite::graph::register_graph_transaction(db, context);
  if (rc != SQLITE_OK) return rc;
  return llmspell::sqlite::graph::register_graph_functions(db, context);
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int sqlite3_llmspell_init(
    sqlite3* db, char** error_message, const sqlite3_api_routines* api) {
  SQLITE_EXTENSION_INIT2(api);
  int rc = register_all(db);
  if (rc != SQLITE_OK && error_message != nullptr) {
    *error_message =
        sqlite3_mprintf("llmspell: registering functions failed: %s", sqlite3_errstr(rc));
  }
  return rc;
}

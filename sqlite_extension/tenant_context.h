// Per-connection state shared by the module's functions and virtual tables: the tenant context
// (llmspell_set_tenant / llmspell_tenant, SPEC section 5), the HNSW tables connected on this
// connection (so that llmspell_hnsw_check() can reach their in-memory mirror) and the graph's
// transaction time of the current write transaction.
//
// SQLite 3.40 has no sqlite3_set_clientdata: the context is a shared_ptr handed to every
// registration as user data (functions) or client data (the module), each holder freed by the
// destructor SQLite calls when the function or module goes away, at the latest on close.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <new>
#include <memory>
#include <optional>
#include <string>

#include "sqlite_api.h"

namespace llmspell::sqlite {

namespace hnsw_vtab {
class HnswTable;
}

// The graph's transaction time in the connection's current write transaction (see
// graph_transaction.h). Only meaningful while `open`.
struct GraphTransaction {
  // Between xBegin and xCommit/xRollback of llmspell_graph_transaction in this transaction.
  bool open = false;
  // The transaction's time, and the tenants it was checked against (each tenant's latest time).
  std::optional<std::int64_t> time;
  std::map<std::string, std::int64_t> by_tenant;
};

struct ConnectionContext {
  // The connection's tenant; empty when unset (every row is visible, as without tenancy).
  std::optional<std::string> tenant;
  // Connected llmspell_hnsw tables by lower-case "schema.table".
  std::map<std::string, hnsw_vtab::HnswTable*> tables;
  GraphTransaction graph;
};

using ContextPtr = std::shared_ptr<ConnectionContext>;

// The user data of the module's context-aware SQL functions: the function name (for error
// messages) and the connection's context. Freed by destroy_function_data.
struct FunctionData {
  const char* name;
  ContextPtr context;
};
void destroy_function_data(void* data);

// Sets the error "<function>(): <message>" for a function registered with FunctionData.
void report_function_error(sqlite3_context* ctx, const char* message) noexcept;

// The callback registered for `Body` with FunctionData user data: no C++ exception reaches SQLite.
template <void (*Body)(sqlite3_context*, ConnectionContext&, int, sqlite3_value**)>
void with_context(sqlite3_context* ctx, int argc, sqlite3_value** argv) noexcept {
  try {
    Body(ctx, *static_cast<FunctionData*>(sqlite3_user_data(ctx))->context, argc, argv);
  } catch (const std::bad_alloc&) {
    sqlite3_result_error_nomem(ctx);
  } catch (const std::exception& e) {
    report_function_error(ctx, e.what());
  } catch (...) {
    report_function_error(ctx, "unexpected internal error");
  }
}

std::string table_key(const std::string& schema, const std::string& table);

// Registers llmspell_set_tenant(t) and llmspell_tenant().
int register_tenant_functions(sqlite3* db, const ContextPtr& context);

}  // namespace llmspell::sqlite

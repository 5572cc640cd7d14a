// One transaction time per SQLite write transaction for the graph writes.
//
// SQLite has no per-transaction storage for an extension, and its commit and rollback hooks are
// one slot per connection that an application may own (sqlite3_commit_hook hands back only the
// previous argument, not the previous callback, so hooks cannot be chained safely). Instead the
// module registers the eponymous virtual table llmspell_graph_transaction, which takes part in
// transactions the way every virtual table does: the first graph write of a transaction inserts
// a (discarded) row into it, so SQLite calls its xBegin and, when the transaction ends, its
// xCommit or xRollback, which forget the time. Savepoints do not end the transaction: ROLLBACK TO
// keeps the time. The insert is a write statement on the main database, so it also takes the
// write lock (or fails with SQLITE_BUSY) before the time is computed from the latest committed
// one: times are strictly increasing in commit order across all connections to the file.
#pragma once

#include <functional>
#include <string>

#include "sqlite_api.h"
#include "temporal/types.h"
#include "tenant_context.h"

namespace llmspell::sqlite::graph {

// Registers the llmspell_graph_transaction module (eponymous only) for the connection.
int register_graph_transaction(sqlite3* db, const ContextPtr& context);

// The transaction time of the current write transaction for `tenant`: joins the transaction
// (taking the write lock) on the first call, then computes next_transaction_time(now, the
// tenant's latest committed time, read by `latest` under that lock). Every later call in the same
// transaction returns the same value, unless a tenant already holds a time at or after it (a clock
// that went backwards), in which case that tenant gets its own, later time. Throws on failure.
temporal::Micros transaction_time(sqlite3* db, GraphTransaction& txn, const std::string& tenant,
                                  const std::function<temporal::Micros()>& latest);

}  // namespace llmspell::sqlite::graph

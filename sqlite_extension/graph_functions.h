// The bi-temporal graph in SQLite: scalar functions for the writes (graph_add_entity ... ,
// graph_compact_history) and table-valued functions for the reads (graph_get_entity,
// graph_entity_history, graph_query_entities, graph_neighbours, graph_traverse), with the same
// names, arguments and answers as in PostgreSQL. Times are INTEGER microseconds since 1970 UTC;
// lists (start ids, relationship types) are a JSON array of strings or one string. Everything
// is limited to the connection's tenant (llmspell_set_tenant): with none set, reads return
// nothing and writes fail. Errors read "<function>(): [SQLSTATE] message", with PostgreSQL's
// SQLSTATE for the same failure.
//
// Each write returns its transaction time: one value per SQLite write transaction, so every write
// between BEGIN and COMMIT gets the same one (savepoints do not change it), and each later
// transaction a strictly greater one, across all connections to the file (graph_transaction.h).
// Outside BEGIN ... COMMIT each write function call is a transaction of its own, also when one
// SELECT calls it for several rows: SQLite commits a nested write at once when no transaction is
// open, so group writes that belong together in BEGIN ... COMMIT.
#pragma once

#include "sqlite_api.h"
#include "tenant_context.h"

namespace llmspell::sqlite::graph {

int register_graph_functions(sqlite3* db, const ContextPtr& context);

}  // namespace llmspell::sqlite::graph

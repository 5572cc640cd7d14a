// The llmspell_hnsw virtual table module and its SQL functions (design notes in hnsw_vtab.cpp).
#pragma once

#include "sqlite_api.h"
#include "tenant_context.h"

namespace llmspell::sqlite::hnsw_vtab {

// Registers the module "llmspell_hnsw" on `db`.
int register_hnsw_module(sqlite3* db, const ContextPtr& context);

// Registers llmspell_hnsw_check(table [, schema]) and llmspell_hnsw_stats(table [, schema]).
int register_hnsw_functions(sqlite3* db, const ContextPtr& context);

}  // namespace llmspell::sqlite::hnsw_vtab

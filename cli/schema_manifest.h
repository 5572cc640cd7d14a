// What a fully migrated database contains: the 15 tables of the specification with the indexes
// and triggers the migrations give them. `database health` compares the catalog with this list;
// test/cli checks that a freshly migrated database matches it exactly.
#pragma once

#include <string>
#include <vector>

#include "config.h"

namespace llmspell::cli {

struct TableManifest {
  std::string name;
  // Index names. "<table>_pkey" stands for the primary key, whatever the backend calls it;
  // in SQLite "<table>_hnsw" is the llmspell_hnsw virtual table of an embeddings table.
  std::vector<std::string> indexes;
  std::vector<std::string> triggers;
};

inline constexpr int kTableCount = 15;

// The tables of `backend` (memory: the SQLite schema), in the specification's order.
const std::vector<TableManifest>& schema_manifest(Backend backend);

}  // namespace llmspell::cli

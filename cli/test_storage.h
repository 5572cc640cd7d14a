// `llmspell test storage`: checks the configured backend end to end and prints one line per
// check, in the style of `database health`:
//   ✅ PostgreSQL connection: OK (...)
//   ✅ Vector search: OK (8.47x HNSW speed-up over exact search, recall@10 0.991; ...)
//   ✅ Multi-tenancy: OK (1.2% overhead, target < 5%; 0 cross-tenant rows in 1000 results; ...)
//   ✅ Graph: OK (...)
// A failed check is a ❌ line with "FAILED: why" and makes the exit status 1. Everything the
// checks create is temporary or rolled back.
#pragma once

#include <vector>

#include "config.h"
#include "migrations.h"

namespace llmspell::cli {

struct TestStorageOptions {
  int rows = 5000;    // the tenant's vectors (as many again for the other tenants)
  int queries = 100;  // searches per side and pass
  bool json = false;
};

// `files`: the migrations, applied to a memory database before it is checked.
int run_test_storage(const Config& config, const std::vector<Migration>& files,
                     const TestStorageOptions& options);

}  // namespace llmspell::cli

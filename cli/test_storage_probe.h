// One backend's side of `llmspell test storage`: scratch tables for the generated vectors, the
// three searches the checks compare, a clock, and the graph functions. The checks themselves
// (what is measured, what counts as OK) live in test_storage.cpp, the same for every backend.
//
// A probe leaves nothing behind: its vector tables are temporary (gone with the connection even
// if the program dies) and its graph writes run inside a transaction that is rolled back.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "database.h"
#include "test_storage_data.h"

namespace llmspell::cli::test_storage {

using Progress = std::function<void(const std::string&)>;

struct Hit {
  std::int64_t id = 0;
  std::string tenant;
};

// The graph functions of the backend, inside the probe's scratch transaction and tenant. Times
// are microseconds since 1970; a write returns its transaction time in the backend's own form,
// which as_known_at accepts back.
class GraphSession {
 public:
  virtual ~GraphSession() = default;
  virtual std::string add_entity(const std::string& id, const std::string& type,
                                 const std::string& name, std::int64_t valid_from) = 0;
  virtual std::string rename_entity(const std::string& id, const std::string& name,
                                    std::int64_t valid_from) = 0;
  virtual void add_relationship(const std::string& id, const std::string& from,
                                const std::string& to, const std::string& type,
                                std::int64_t valid_from, std::optional<std::int64_t> valid_to) = 0;
  // The entity's name at valid time `valid_at`, as the database knew it at `known_at` (a write's
  // transaction time) plus `offset` microseconds, or now; nullopt when no version is visible.
  virtual std::optional<std::string> name_at(const std::string& id, std::int64_t valid_at,
                                             const std::optional<std::string>& known_at,
                                             std::int64_t offset = 0) = 0;
  // graph_traverse from `start` (outgoing): (entity id, depth), in the function's order.
  virtual std::vector<std::pair<std::string, int>> traverse(const std::string& start, int max_depth,
                                                            std::int64_t valid_at) = 0;
  // Number of stored versions of the entity (graph_entity_history).
  virtual int history_length(const std::string& id) = 0;
};

class StorageProbe {
 public:
  virtual ~StorageProbe() = default;

  // "PostgreSQL connection", "SQLite database".
  virtual std::string connection_label() const = 0;
  // What the connection reached: "llmspell@localhost:5432/llmspell_dev, PostgreSQL 15.4".
  virtual std::string connection_details() = 0;

  // Creates the scratch tables: a baseline table with the tenant's rows alone and an index
  // without any tenant, and a shared table with every tenant's rows, isolated per tenant the way
  // the storage layer isolates them. Throws CliError saying what is missing.
  virtual void load(const TestData& data, const Progress& progress) = 0;
  // k nearest rows of the baseline table to query q: through the HNSW index, and exactly.
  virtual std::vector<std::int64_t> search_index(int q) = 0;
  virtual std::vector<std::int64_t> search_exact(int q) = 0;
  // The same search on the shared table, as the tenant: every row returned, with its tenant
  // when `with_tenant` (the timed runs leave it out, to fetch no more than search_index does).
  virtual std::vector<Hit> search_as_tenant(int q, bool with_tenant) = 0;
  // How isolation was applied ("row-level security as role x", "the connection's tenant").
  virtual std::string isolation() const = 0;

  // Seconds on the clock the comparisons use, and its name ("server CPU time").
  virtual double clock() = 0;
  virtual std::string clock_name() const = 0;

  // Runs `body` with the graph functions for a scratch tenant, then undoes every write.
  virtual void with_graph(const std::string& tenant,
                          const std::function<void(GraphSession&)>& body) = 0;

  // Drops the scratch tables; never throws.
  virtual void cleanup() noexcept = 0;
};

// Probes over an open database (SqliteDatabase for sqlite and memory, PostgresDatabase).
std::unique_ptr<StorageProbe> make_sqlite_probe(std::unique_ptr<Database> db);
std::unique_ptr<StorageProbe> make_postgres_probe(std::unique_ptr<Database> db);

}  // namespace llmspell::cli::test_storage

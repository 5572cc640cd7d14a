// The core's GraphStore over one SQLite connection, limited to one tenant, on the tables
// graph_entities and graph_relationships in the main schema. Statements are prepared on first
// use and kept in a GraphStatements: the read functions' virtual tables keep theirs for the
// connection (finalized when SQLite disconnects them, which sqlite3_close() does before it
// checks for unfinalized statements); a write keeps its own for the call.
#pragma once

#include <array>
#include <string>

#include "sqlite_api.h"
#include "statement.h"
#include "temporal/store.h"
#include "tenant_context.h"

namespace llmspell::sqlite::graph {

using temporal::Micros;

// Prepared statements by key, prepared on first use.
class GraphStatements {
 public:
  Statement& get(sqlite3* db, int key, const std::string& sql);

 private:
  std::array<Statement, 40> statements_;
};

class SqliteGraphStore : public temporal::GraphStore {
 public:
  // `txn` is the connection's transaction state, needed by writes only (transaction_time()).
  SqliteGraphStore(sqlite3* db, std::string tenant, GraphStatements& statements,
                   GraphTransaction* txn = nullptr)
      : db_(db), tenant_(std::move(tenant)), statements_(statements), txn_(txn) {}

  Micros transaction_time() override;
  std::vector<temporal::EntityVersion> current_entity(std::string_view id) override;
  std::vector<temporal::RelationshipVersion> current_relationship(std::string_view id) override;
  std::vector<std::string> current_relationships_of(std::string_view entity) override;
  void close_entity(const temporal::EntityVersion& v, Micros tx_end) override;
  void close_relationship(const temporal::RelationshipVersion& v, Micros tx_end) override;
  void remove_entity(const temporal::EntityVersion& v) override;
  void remove_relationship(const temporal::RelationshipVersion& v) override;
  void insert_entity(const temporal::EntityVersion& v) override;
  void insert_relationship(const temporal::RelationshipVersion& v) override;
  std::vector<std::string> visible_entities(const std::vector<std::string>& ids,
                                            const temporal::AsOf& at) override;
  void expand(const std::vector<std::string>& frontier, const temporal::ExpandRequest& request,
              std::vector<temporal::Edge>& out) override;
  // One statement per entity anyway: expand one at a time, so a spent budget stops at once.
  std::size_t first_expand_batch() const override { return 1; }

 private:
  enum Query : int;
  Statement& statement(Query q);

  sqlite3* db_;
  std::string tenant_;
  GraphStatements& statements_;
  GraphTransaction* txn_;
};

// Microseconds since the Unix epoch now.
Micros clock_now();

}  // namespace llmspell::sqlite::graph

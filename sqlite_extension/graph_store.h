// The core's GraphStore over one SQLite connection, for the duration of one function call:
// statements are prepared on first use and finalized with the store (a statement cached beyond
// the call would keep sqlite3_close() from closing the connection). Tables graph_entities and
// graph_relationships in the main schema, limited to one tenant.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "sqlite_api.h"
#include "statement.h"
#include "temporal/store.h"

namespace llmspell::sqlite::graph {

using temporal::Micros;

class SqliteGraphStore : public temporal::GraphStore {
 public:
  SqliteGraphStore(sqlite3* db, std::string tenant) : db_(db), tenant_(std::move(tenant)) {}

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
  bool entity_visible(const std::string& id, const temporal::AsOf& at) override;
  void expand(const std::vector<std::string>& frontier, temporal::Direction direction,
              const std::vector<std::string>& types, const temporal::AsOf& at,
              std::vector<temporal::Edge>& out) override;
  // One statement per entity anyway: expand one at a time, so a spent budget stops at once.
  std::size_t first_expand_batch() const override { return 1; }

 private:
  enum Query : int;
  Statement& statement(Query q);

  sqlite3* db_;
  std::string tenant_;
  std::optional<Micros> tx_;
  std::unique_ptr<Statement> statements_[16];
};

// Microseconds since the Unix epoch now.
Micros clock_now();

}  // namespace llmspell::sqlite::graph

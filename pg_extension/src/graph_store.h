// The core's GraphStore over SPI: parameterised plans, prepared once per backend and kept, on the
// tables graph_entities and graph_relationships found through the search_path (row-level
// security applies: the functions run as the caller). Every method runs its PostgreSQL calls
// inside pg_guard(), so an ereport becomes a PgError that unwinds the C++ frames first.
// The caller has called SPI_connect().
#pragma once

#include <string>

#include "graph_pg.h"
#include "temporal/store.h"

namespace graph_pg {

class PgGraphStore : public llmspell::temporal::GraphStore {
 public:
  explicit PgGraphStore(std::string tenant) : tenant_(std::move(tenant)) {}

  Micros transaction_time() override;
  std::vector<llmspell::temporal::EntityVersion> current_entity(std::string_view id) override;
  std::vector<llmspell::temporal::RelationshipVersion> current_relationship(
      std::string_view id) override;
  std::vector<std::string> current_relationships_of(std::string_view entity) override;
  void close_entity(const llmspell::temporal::EntityVersion& v, Micros tx_end) override;
  void close_relationship(const llmspell::temporal::RelationshipVersion& v, Micros tx_end) override;
  void remove_entity(const llmspell::temporal::EntityVersion& v) override;
  void remove_relationship(const llmspell::temporal::RelationshipVersion& v) override;
  void insert_entity(const llmspell::temporal::EntityVersion& v) override;
  void insert_relationship(const llmspell::temporal::RelationshipVersion& v) override;
  std::vector<std::string> visible_entities(const std::vector<std::string>& ids,
                                            const llmspell::temporal::AsOf& at) override;
  void expand(const std::vector<std::string>& frontier,
              const llmspell::temporal::ExpandRequest& request,
              std::vector<llmspell::temporal::Edge>& out) override;

 private:
  std::string tenant_;
};

// The tenant of this session (app.tenant_id), or nullptr when unset or empty. May ereport.
const char* current_tenant();

// A text[] of items[0..n) (an empty array when n is 0), built in one allocation: no text datum per
// element, as construct_array() needs. Only inside pg_guard() (palloc may ereport).
Datum text_array(std::size_t n, const std::string* const* items);
Datum text_array(const std::vector<std::string>& items);

}  // namespace graph_pg

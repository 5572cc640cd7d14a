// What the graph core needs from a host: the rows of one tenant, read and written inside the
// host's current transaction. The PostgreSQL host runs parameterised SPI plans, the SQLite host
// prepared statements, the in-memory store plain vectors; the semantics live in graph.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "temporal/types.h"

namespace llmspell::temporal {

// One edge followed during traversal: `source` indexes the frontier handed to expand().
struct Edge {
  std::size_t source;
  std::string neighbour;
  std::string relationship_id;
  std::string relationship_type;
  // False when the store did not check that the neighbour is visible: the core then asks
  // visible_entities(), in batches, only for neighbours it would add.
  bool checked = true;
  bool incoming = false;  // found through to_entity (direction in)
};

// Where the edges of one source continue: only edges whose (neighbour, relationship id) comes
// after this key, bytewise.
struct EdgeKey {
  std::string neighbour;
  std::string relationship_id;
};

// One expand() call: edges of the frontier in `direction` with one of `types` (all when empty),
// visible at `at`. With `limit`, each source gets at most that many edges per direction, the
// first in (neighbour, relationship id) order (bytewise); with `after`, only the edges after it.
struct ExpandRequest {
  Direction direction = Direction::kOut;
  const std::vector<std::string>* types = nullptr;
  AsOf at;
  std::size_t limit = 0;  // 0: every edge
  const EdgeKey* after = nullptr;
};

class GraphStore {
 public:
  virtual ~GraphStore() = default;

  // The transaction time of the current write transaction: assigned on the first call in a
  // transaction (next_transaction_time over the tenant's latest time), the same value after.
  virtual Micros transaction_time() = 0;

  // Current versions (transaction time still open) of one id, ordered by valid start.
  virtual std::vector<EntityVersion> current_entity(std::string_view id) = 0;
  virtual std::vector<RelationshipVersion> current_relationship(std::string_view id) = 0;
  // Ids of relationships with a current version that starts or ends at `entity`, sorted.
  virtual std::vector<std::string> current_relationships_of(std::string_view entity) = 0;

  // Sets the transaction end of the version keyed by (id, tx.start, valid.start).
  virtual void close_entity(const EntityVersion& v, Micros tx_end) = 0;
  virtual void close_relationship(const RelationshipVersion& v, Micros tx_end) = 0;
  // Removes a version written earlier in the same transaction (it was never visible).
  virtual void remove_entity(const EntityVersion& v) = 0;
  virtual void remove_relationship(const RelationshipVersion& v) = 0;
  virtual void insert_entity(const EntityVersion& v) = 0;
  virtual void insert_relationship(const RelationshipVersion& v) = 0;

  // Which of `ids` have a version visible at `at` (the result holds the visible ones).
  virtual std::vector<std::string> visible_entities(const std::vector<std::string>& ids,
                                                    const AsOf& at) = 0;
  // Edges from the frontier entities (see ExpandRequest), where the relationship and (unless the
  // edge says otherwise) the entity at its other end are visible. For kIn the neighbour is the
  // relationship's from_entity. Order does not matter: the core sorts.
  virtual void expand(const std::vector<std::string>& frontier, const ExpandRequest& request,
                      std::vector<Edge>& out) = 0;

  // How many frontier entities the first expand() call of a level gets; later calls double it.
  // Traversal stops expanding once its node budget is spent, so small first batches save the
  // work of expanding a whole level when only its first entities fit.
  virtual std::size_t first_expand_batch() const { return 32; }
  // The per-source edge limit of an expand() call when `remaining` entities still fit in the
  // budget: a hub's edges beyond it are read only if the first ones do not fill the budget.
  virtual std::size_t expand_limit(std::int64_t remaining) const {
    return static_cast<std::size_t>(remaining) + 16;
  }
};

}  // namespace llmspell::temporal

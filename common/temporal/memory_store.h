// A GraphStore over plain vectors, for tests and benchmarks of the core: one tenant, one
// transaction at a time (begin() ... commit()), times from an injectable clock.
#pragma once

#include <functional>
#include <optional>

#include "temporal/store.h"

namespace llmspell::temporal {

class MemoryStore : public GraphStore {
 public:
  explicit MemoryStore(std::function<Micros()> clock) : clock_(std::move(clock)) {}

  // Each write transaction gets one transaction time; without begin(), every call is its own.
  void begin() { in_transaction_ = true; }
  void commit() {
    in_transaction_ = false;
    pending_.reset();
  }

  Micros transaction_time() override;
  std::vector<EntityVersion> current_entity(std::string_view id) override;
  std::vector<RelationshipVersion> current_relationship(std::string_view id) override;
  std::vector<std::string> current_relationships_of(std::string_view entity) override;
  void close_entity(const EntityVersion& v, Micros tx_end) override;
  void close_relationship(const RelationshipVersion& v, Micros tx_end) override;
  void remove_entity(const EntityVersion& v) override;
  void remove_relationship(const RelationshipVersion& v) override;
  void insert_entity(const EntityVersion& v) override;
  void insert_relationship(const RelationshipVersion& v) override;
  std::vector<std::string> visible_entities(const std::vector<std::string>& ids,
                                            const AsOf& at) override;
  void expand(const std::vector<std::string>& frontier, const ExpandRequest& request,
              std::vector<Edge>& out) override;

  // Small batches and limits, so that the tests cover a level expanded in several calls and
  // sources whose edges continue over several calls.
  std::size_t first_expand_batch() const override { return 2; }
  std::size_t expand_limit(std::int64_t) const override { return 2; }

  // Deletes versions whose transaction time closed before `before` (transaction end < before);
  // returns how many.
  std::size_t compact_history(Micros before);

  const std::vector<EntityVersion>& entities() const { return entities_; }
  const std::vector<RelationshipVersion>& relationships() const { return relationships_; }

 private:
  std::function<Micros()> clock_;
  bool in_transaction_ = false;
  std::optional<Micros> pending_;
  Micros last_ = kMinusInfinity;
  std::vector<EntityVersion> entities_;
  std::vector<RelationshipVersion> relationships_;
};

}  // namespace llmspell::temporal

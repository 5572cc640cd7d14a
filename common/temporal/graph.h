// The bi-temporal graph: every write and the traversal, once, over a GraphStore.
//
// Writes close the current versions they affect (transaction end = the write's transaction time)
// and insert replacements for the parts that stay true; rows are never changed otherwise. Each
// write returns its transaction time, or nothing when it changed nothing (no version created).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "temporal/store.h"

namespace llmspell::temporal {

// A change to apply; unset fields keep their value.
struct EntityChange {
  std::optional<std::string> type;
  std::optional<std::string> name;
  std::optional<std::string> properties;  // canonical JSON object: replaces the old one
};
struct RelationshipChange {
  std::optional<std::string> type;
  std::optional<std::string> properties;
};

// Valid-time bounds of a write; an unset start means the write's transaction time ("now").
struct ValidRange {
  std::optional<Micros> start;
  Micros end = kInfinity;
};

std::optional<Micros> add_entity(GraphStore& s, const std::string& id, const EntityData& data,
                                 const ValidRange& valid);
// Applies `change` on [valid.start, valid.end): now onwards is a normal change, a start in the past
// a correction. Versions the change leaves as they were are not touched.
std::optional<Micros> update_entity(GraphStore& s, const std::string& id,
                                    const EntityChange& change, const ValidRange& valid);
// Ends validity at `at` (default now), and that of every relationship of the entity.
std::optional<Micros> end_entity(GraphStore& s, const std::string& id, std::optional<Micros> at);
// We were wrong: closes every current version without replacement, and those of its
// relationships.
std::optional<Micros> retract_entity(GraphStore& s, const std::string& id);

// Both endpoints must have a current version.
std::optional<Micros> add_relationship(GraphStore& s, const std::string& id,
                                       const RelationshipData& data, const ValidRange& valid);
std::optional<Micros> update_relationship(GraphStore& s, const std::string& id,
                                          const RelationshipChange& change,
                                          const ValidRange& valid);
std::optional<Micros> end_relationship(GraphStore& s, const std::string& id,
                                       std::optional<Micros> at);
std::optional<Micros> retract_relationship(GraphStore& s, const std::string& id);

struct TraverseRequest {
  std::vector<std::string> starts;
  int max_depth = kDefaultMaxDepth;
  Direction direction = Direction::kOut;
  std::vector<std::string> types;  // empty: every type
  std::int64_t max_nodes = kDefaultMaxNodes;
  AsOf at;
};

struct Reached {
  std::string id;
  int depth = 0;
  std::vector<std::string> path;           // entity ids from a start to id (both included)
  std::vector<std::string> relationships;  // the relationship followed at each step
};

struct TraverseResult {
  std::vector<Reached> nodes;  // ordered by depth, then id
  bool truncated = false;      // a reachable entity was left out because of max_nodes
};

// Breadth-first from the visible starts with one visited set: each reachable entity once, at its
// minimum depth, with the path through the smallest (source id, neighbour id, relationship id).
TraverseResult traverse(GraphStore& s, const TraverseRequest& request);

// Checks a traversal request's limits; throws kInvalidArgument.
void check_traverse_request(const TraverseRequest& request);

}  // namespace llmspell::temporal

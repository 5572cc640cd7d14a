#include "temporal/memory_store.h"

#include <algorithm>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace llmspell::temporal {
namespace {

template <class V>
std::vector<V> current_of(const std::vector<V>& rows, std::string_view id) {
  std::vector<V> out;
  for (const auto& v : rows)
    if (v.id == id && v.tx.end == kInfinity) out.push_back(v);
  std::sort(out.begin(), out.end(),
            [](const V& a, const V& b) { return a.valid.start < b.valid.start; });
  return out;
}

template <class V>
V* find_row(std::vector<V>& rows, const V& key) {
  for (auto& v : rows)
    if (v.id == key.id && v.tx.start == key.tx.start && v.valid.start == key.valid.start) return &v;
  throw GraphError(ErrorKind::kConflict, "version of '" + key.id + "' vanished");
}

template <class V>
void erase_row(std::vector<V>& rows, const V& key) {
  V* row = find_row(rows, key);
  rows.erase(rows.begin() + (row - rows.data()));
}

}  // namespace

Micros MemoryStore::transaction_time() {
  if (pending_) return *pending_;
  Micros t = next_transaction_time(clock_(), last_);
  last_ = t;
  if (in_transaction_) pending_ = t;
  return t;
}

std::vector<EntityVersion> MemoryStore::current_entity(std::string_view id) {
  return current_of(entities_, id);
}
std::vector<RelationshipVersion> MemoryStore::current_relationship(std::string_view id) {
  return current_of(relationships_, id);
}

std::vector<std::string> MemoryStore::current_relationships_of(std::string_view entity) {
  std::vector<std::string> out;
  for (const auto& r : relationships_)
    if (r.tx.end == kInfinity && (r.data.from == entity || r.data.to == entity))
      out.push_back(r.id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void MemoryStore::close_entity(const EntityVersion& v, Micros tx_end) {
  find_row(entities_, v)->tx.end = tx_end;
}
void MemoryStore::close_relationship(const RelationshipVersion& v, Micros tx_end) {
  find_row(relationships_, v)->tx.end = tx_end;
}
void MemoryStore::remove_entity(const EntityVersion& v) { erase_row(entities_, v); }
void MemoryStore::remove_relationship(const RelationshipVersion& v) {
  erase_row(relationships_, v);
}
void MemoryStore::insert_entity(const EntityVersion& v) { entities_.push_back(v); }
void MemoryStore::insert_relationship(const RelationshipVersion& v) { relationships_.push_back(v); }

std::vector<std::string> MemoryStore::visible_entities(const std::vector<std::string>& ids,
                                                       const AsOf& at) {
  std::unordered_set<std::string> wanted(ids.begin(), ids.end());
  std::vector<std::string> out;
  for (const auto& e : entities_)
    if (e.visible(at) && wanted.erase(e.id)) out.push_back(e.id);
  return out;
}

void MemoryStore::expand(const std::vector<std::string>& frontier, const ExpandRequest& q,
                         std::vector<Edge>& out) {
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < frontier.size(); ++i) index.emplace(frontier[i], i);
  std::unordered_set<std::string> visible;
  for (const auto& e : entities_)
    if (e.visible(q.at)) visible.insert(e.id);
  std::vector<Edge> found;
  const std::vector<std::string> none;
  const auto& types = q.types ? *q.types : none;
  for (const auto& r : relationships_) {
    if (!r.visible(q.at)) continue;
    if (!types.empty() && std::find(types.begin(), types.end(), r.data.type) == types.end())
      continue;
    if (q.direction != Direction::kIn) {
      auto it = index.find(r.data.from);
      if (it != index.end() && visible.count(r.data.to))
        found.push_back({it->second, r.data.to, r.id, r.data.type, true, false});
    }
    if (q.direction != Direction::kOut) {
      auto it = index.find(r.data.to);
      if (it != index.end() && visible.count(r.data.from))
        found.push_back({it->second, r.data.from, r.id, r.data.type, true, true});
    }
  }
  // The limit and the continuation key as a database store applies them: per source and
  // direction, in (neighbour, relationship id) order.
  auto key = [](const Edge& e) { return std::tie(e.neighbour, e.relationship_id); };
  std::sort(found.begin(), found.end(), [](const Edge& a, const Edge& b) {
    return std::tie(a.source, a.incoming, a.neighbour, a.relationship_id) <
           std::tie(b.source, b.incoming, b.neighbour, b.relationship_id);
  });
  std::size_t run = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (i > 0 &&
        (found[i].source != found[i - 1].source || found[i].incoming != found[i - 1].incoming))
      run = 0;
    if (q.after && !(std::tie(q.after->neighbour, q.after->relationship_id) < key(found[i])))
      continue;
    if (q.limit != 0 && run == q.limit) continue;
    ++run;
    out.push_back(found[i]);
  }
}

std::size_t MemoryStore::compact_history(Micros before) {
  auto old = [&](const auto& v) { return v.tx.end != kInfinity && v.tx.end < before; };
  std::size_t n = entities_.size() + relationships_.size();
  std::erase_if(entities_, old);
  std::erase_if(relationships_, old);
  return n - entities_.size() - relationships_.size();
}

}  // namespace llmspell::temporal

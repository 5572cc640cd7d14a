#include "temporal/graph.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace llmspell::temporal {
namespace {

// Store access for one kind of row, so that the version arithmetic below is written once.
struct EntityRows {
  using V = EntityVersion;
  static constexpr const char* kWhat = "entity";
  static std::vector<V> current(GraphStore& s, std::string_view id) { return s.current_entity(id); }
  static void close(GraphStore& s, const V& v, Micros t) { s.close_entity(v, t); }
  static void remove(GraphStore& s, const V& v) { s.remove_entity(v); }
  static void insert(GraphStore& s, const V& v) { s.insert_entity(v); }
};
struct RelationshipRows {
  using V = RelationshipVersion;
  static constexpr const char* kWhat = "relationship";
  static std::vector<V> current(GraphStore& s, std::string_view id) {
    return s.current_relationship(id);
  }
  static void close(GraphStore& s, const V& v, Micros t) { s.close_relationship(v, t); }
  static void remove(GraphStore& s, const V& v) { s.remove_relationship(v); }
  static void insert(GraphStore& s, const V& v) { s.insert_relationship(v); }
};

std::string time_text(Micros t) {
  if (t == kInfinity) return "infinity";
  if (t == kMinusInfinity) return "-infinity";
  return std::to_string(t);
}

void check_id(const std::string& id, const char* what) {
  if (id.empty()) throw GraphError(ErrorKind::kInvalidArgument, std::string(what) + " id is empty");
}

Interval valid_interval(const ValidRange& valid, Micros now) {
  Interval r{valid.start.value_or(now), valid.end};
  if (r.empty())
    throw GraphError(ErrorKind::kInvalidArgument, "valid time range is empty: start " +
                                                      time_text(r.start) + " is not before end " +
                                                      time_text(r.end));
  return r;
}

template <class Rows>
[[noreturn]] void not_found(const std::string& id) {
  throw GraphError(ErrorKind::kNotFound, std::string(Rows::kWhat) + " '" + id + "' not found");
}

// Closes `old` (or removes it when this transaction wrote it) and inserts `fresh` with an open
// transaction time starting at t. Every replacement is checked against what stays current.
template <class Rows>
void replace(GraphStore& s, const std::vector<typename Rows::V>& current,
             const std::vector<const typename Rows::V*>& old, std::vector<typename Rows::V> fresh,
             Micros t) {
  for (const auto* v : old) {
    if (v->tx.start == t)
      Rows::remove(s, *v);
    else
      Rows::close(s, *v, t);
  }
  for (auto& v : fresh) {
    for (const auto& c : current) {
      bool closed = std::find(old.begin(), old.end(), &c) != old.end();
      if (!closed && c.valid.overlaps(v.valid))
        throw GraphError(ErrorKind::kConflict, std::string(Rows::kWhat) + " '" + v.id +
                                                   "': versions would overlap in valid time");
    }
    v.tx = Interval{t, kInfinity};
    Rows::insert(s, v);
  }
}

template <class Rows>
std::optional<Micros> add(GraphStore& s, const std::string& id, const decltype(Rows::V::data)& data,
                          const ValidRange& valid) {
  Micros t = s.transaction_time();
  Interval r = valid_interval(valid, t);
  auto current = Rows::current(s, id);
  for (const auto& c : current)
    if (c.valid.overlaps(r))
      throw GraphError(ErrorKind::kAlreadyExists,
                       std::string(Rows::kWhat) + " '" + id + "' already exists");
  replace<Rows>(s, current, {}, {typename Rows::V{id, data, r, {}}}, t);
  return t;
}

template <class Rows, class Change>
std::optional<Micros> change(GraphStore& s, const std::string& id, Change&& apply,
                             const ValidRange& valid) {
  Micros t = s.transaction_time();
  Interval r = valid_interval(valid, t);
  auto current = Rows::current(s, id);
  if (current.empty()) not_found<Rows>(id);
  bool overlapping = false;
  std::vector<const typename Rows::V*> old;
  std::vector<typename Rows::V> fresh;
  for (const auto& v : current) {
    if (!v.valid.overlaps(r)) continue;
    overlapping = true;
    auto data = apply(v.data);
    if (data == v.data) continue;
    old.push_back(&v);
    if (v.valid.start < r.start) fresh.push_back({id, v.data, {v.valid.start, r.start}, {}});
    fresh.push_back(
        {id, data, {std::max(v.valid.start, r.start), std::min(v.valid.end, r.end)}, {}});
    if (r.end < v.valid.end) fresh.push_back({id, v.data, {r.end, v.valid.end}, {}});
  }
  if (!overlapping)
    throw GraphError(ErrorKind::kNotFound, std::string(Rows::kWhat) + " '" + id +
                                               "' is not valid at any time in [" +
                                               time_text(r.start) + ", " + time_text(r.end) + ")");
  if (old.empty()) return std::nullopt;
  replace<Rows>(s, current, old, std::move(fresh), t);
  return t;
}

template <class Rows>
bool end_at(GraphStore& s, const std::string& id, Micros at, Micros t, bool must_exist) {
  auto current = Rows::current(s, id);
  if (current.empty()) {
    if (must_exist) not_found<Rows>(id);
    return false;
  }
  std::vector<const typename Rows::V*> old;
  std::vector<typename Rows::V> fresh;
  for (const auto& v : current) {
    if (v.valid.end <= at) continue;  // already over by then
    old.push_back(&v);
    if (v.valid.start < at) fresh.push_back({id, v.data, {v.valid.start, at}, {}});
  }
  if (old.empty()) return false;
  replace<Rows>(s, current, old, std::move(fresh), t);
  return true;
}

template <class Rows>
bool retract(GraphStore& s, const std::string& id, Micros t, bool must_exist) {
  auto current = Rows::current(s, id);
  if (current.empty()) {
    if (must_exist) not_found<Rows>(id);
    return false;
  }
  std::vector<const typename Rows::V*> old;
  for (const auto& v : current) old.push_back(&v);
  replace<Rows>(s, current, old, {}, t);
  return true;
}

}  // namespace

Direction parse_direction(const std::string& text) {
  std::string d;
  for (char c : text) d.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (d == "out" || d == "outgoing") return Direction::kOut;
  if (d == "in" || d == "incoming") return Direction::kIn;
  if (d == "both") return Direction::kBoth;
  throw GraphError(ErrorKind::kInvalidArgument,
                   "direction must be 'out', 'in' or 'both', not '" + text + "'");
}

const char* direction_name(Direction d) {
  switch (d) {
    case Direction::kOut:
      return "out";
    case Direction::kIn:
      return "in";
    case Direction::kBoth:
      return "both";
  }
  return "out";
}

std::optional<Micros> add_entity(GraphStore& s, const std::string& id, const EntityData& data,
                                 const ValidRange& valid) {
  check_id(id, "entity");
  if (data.type.empty()) throw GraphError(ErrorKind::kInvalidArgument, "entity type is empty");
  return add<EntityRows>(s, id, data, valid);
}

std::optional<Micros> update_entity(GraphStore& s, const std::string& id, const EntityChange& c,
                                    const ValidRange& valid) {
  check_id(id, "entity");
  if (c.type && c.type->empty())
    throw GraphError(ErrorKind::kInvalidArgument, "entity type is empty");
  return change<EntityRows>(
      s, id,
      [&](EntityData d) {
        if (c.type) d.type = *c.type;
        if (c.name) d.name = *c.name;
        if (c.properties) d.properties = *c.properties;
        return d;
      },
      valid);
}

std::optional<Micros> end_entity(GraphStore& s, const std::string& id, std::optional<Micros> at) {
  check_id(id, "entity");
  Micros t = s.transaction_time();
  Micros a = at.value_or(t);
  bool changed = end_at<EntityRows>(s, id, a, t, true);
  for (const auto& rid : s.current_relationships_of(id))
    changed = end_at<RelationshipRows>(s, rid, a, t, false) || changed;
  return changed ? std::optional<Micros>(t) : std::nullopt;
}

std::optional<Micros> retract_entity(GraphStore& s, const std::string& id) {
  check_id(id, "entity");
  Micros t = s.transaction_time();
  retract<EntityRows>(s, id, t, true);
  for (const auto& rid : s.current_relationships_of(id))
    retract<RelationshipRows>(s, rid, t, false);
  return t;
}

std::optional<Micros> add_relationship(GraphStore& s, const std::string& id,
                                       const RelationshipData& data, const ValidRange& valid) {
  check_id(id, "relationship");
  check_id(data.from, "from entity");
  check_id(data.to, "to entity");
  if (data.type.empty())
    throw GraphError(ErrorKind::kInvalidArgument, "relationship type is empty");
  for (const std::string* end : {&data.from, &data.to})
    if (s.current_entity(*end).empty())
      throw GraphError(ErrorKind::kMissingEndpoint,
                       "relationship '" + id + "': entity '" + *end + "' not found");
  return add<RelationshipRows>(s, id, data, valid);
}

std::optional<Micros> update_relationship(GraphStore& s, const std::string& id,
                                          const RelationshipChange& c, const ValidRange& valid) {
  check_id(id, "relationship");
  if (c.type && c.type->empty())
    throw GraphError(ErrorKind::kInvalidArgument, "relationship type is empty");
  return change<RelationshipRows>(
      s, id,
      [&](RelationshipData d) {
        if (c.type) d.type = *c.type;
        if (c.properties) d.properties = *c.properties;
        return d;
      },
      valid);
}

std::optional<Micros> end_relationship(GraphStore& s, const std::string& id,
                                       std::optional<Micros> at) {
  check_id(id, "relationship");
  Micros t = s.transaction_time();
  return end_at<RelationshipRows>(s, id, at.value_or(t), t, true) ? std::optional<Micros>(t)
                                                                  : std::nullopt;
}

std::optional<Micros> retract_relationship(GraphStore& s, const std::string& id) {
  check_id(id, "relationship");
  Micros t = s.transaction_time();
  retract<RelationshipRows>(s, id, t, true);
  return t;
}

void check_traverse_request(const TraverseRequest& r) {
  if (r.max_depth < 0 || r.max_depth > kMaxDepth)
    throw GraphError(ErrorKind::kInvalidArgument, "max_depth must be between 0 and " +
                                                      std::to_string(kMaxDepth) + ", not " +
                                                      std::to_string(r.max_depth));
  if (r.max_nodes < 1 || r.max_nodes > kMaxNodes)
    throw GraphError(ErrorKind::kInvalidArgument, "max_nodes must be between 1 and " +
                                                      std::to_string(kMaxNodes) + ", not " +
                                                      std::to_string(r.max_nodes));
}

namespace {

bool key_less(const Edge& a, const Edge& b) {
  if (a.neighbour != b.neighbour) return a.neighbour < b.neighbour;
  return a.relationship_id < b.relationship_id;
}

// Sorts `edges` by (source, neighbour, relationship id). After a call with a per-source limit,
// a source whose limit was reached in some direction may have more edges: its edges are kept up
// to the last key every direction returned in full (the rest come again when it continues), and
// cut[source] holds that key.
void order_edges(std::vector<Edge>& edges, std::size_t sources, std::size_t limit,
                 std::vector<std::optional<EdgeKey>>& cut) {
  std::sort(edges.begin(), edges.end(), [](const Edge& a, const Edge& b) {
    if (a.source != b.source) return a.source < b.source;
    return key_less(a, b);
  });
  cut.assign(sources, std::nullopt);
  if (limit == 0) return;
  std::size_t kept = 0;
  for (std::size_t begin = 0; begin < edges.size();) {
    std::size_t end = begin;
    std::size_t count[2] = {0, 0};
    const Edge* last[2] = {nullptr, nullptr};
    while (end < edges.size() && edges[end].source == edges[begin].source) {
      int d = edges[end].incoming ? 1 : 0;
      ++count[d];
      last[d] = &edges[end];
      ++end;
    }
    const Edge* stop = nullptr;  // the last edge up to which every direction is complete
    for (int d = 0; d < 2; ++d)
      if (count[d] >= limit && (stop == nullptr || key_less(*last[d], *stop))) stop = last[d];
    if (stop != nullptr) cut[edges[begin].source] = EdgeKey{stop->neighbour, stop->relationship_id};
    for (std::size_t k = begin; k < end; ++k) {
      if (stop != nullptr && key_less(*stop, edges[k])) continue;
      if (kept != k) edges[kept] = std::move(edges[k]);
      ++kept;
    }
    begin = end;
  }
  edges.resize(kept);
}

// One breadth-first traversal: the visited set, the nodes reached, and what is known of the
// visibility of neighbours the store did not check.
class Walk {
 public:
  Walk(GraphStore& s, const TraverseRequest& r) : s_(s), r_(r) {}

  TraverseResult run();

 private:
  struct Node {
    std::string id;
    int depth;
    std::size_t parent;  // index into nodes_; kNone for a start
    std::string via;
  };
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  std::int64_t remaining() const { return r_.max_nodes - static_cast<std::int64_t>(nodes_.size()); }
  ExpandRequest request(const EdgeKey* after) const {
    return {r_.direction, &r_.types, r_.at, s_.expand_limit(remaining()), after};
  }
  void check_visibility(const std::vector<Edge>& edges, std::size_t from);
  bool follow(const std::vector<Edge>& edges, std::size_t from, std::size_t to, std::size_t parent,
              int depth, std::vector<std::size_t>& next);
  void expand_level(const std::vector<std::size_t>& frontier, int depth,
                    std::vector<std::size_t>& next);

  GraphStore& s_;
  const TraverseRequest& r_;
  TraverseResult result_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, std::size_t> visited_;
  // Neighbours the core asked the store about: visible or not.
  std::unordered_map<std::string, bool> known_;
  std::vector<Edge> edges_, more_;  // expand_level's, kept from level to level with their memory
};

// Asks the store, in one call, about the unchecked neighbours from edges[from] on that are not
// visited or known yet: as many as could still fit in the budget (at least a few).
void Walk::check_visibility(const std::vector<Edge>& edges, std::size_t from) {
  std::size_t want = static_cast<std::size_t>(std::max<std::int64_t>(remaining(), 8));
  std::vector<std::string> ids;
  for (std::size_t k = from; k < edges.size() && ids.size() < want; ++k) {
    const Edge& e = edges[k];
    // Entered as not visible until the store says otherwise; a repeat in edges is entered once.
    if (e.checked || visited_.count(e.neighbour) || !known_.try_emplace(e.neighbour, false).second)
      continue;
    ids.push_back(e.neighbour);
  }
  for (const auto& id : s_.visible_entities(ids, r_.at))
    if (auto it = known_.find(id); it != known_.end()) it->second = true;
}

// Adds the unvisited visible neighbours of edges[from, to) (sorted, one source) in order;
// false once the budget is spent.
bool Walk::follow(const std::vector<Edge>& edges, std::size_t from, std::size_t to,
                  std::size_t parent, int depth, std::vector<std::size_t>& next) {
  for (std::size_t k = from; k < to; ++k) {
    const Edge& e = edges[k];
    if (visited_.count(e.neighbour)) continue;
    if (!e.checked) {
      auto it = known_.find(e.neighbour);
      if (it == known_.end()) {
        check_visibility(edges, k);
        it = known_.find(e.neighbour);
      }
      if (!it->second) continue;
    }
    if (remaining() == 0) {
      result_.truncated = true;
      return false;
    }
    visited_.emplace(e.neighbour, nodes_.size());
    next.push_back(nodes_.size());
    nodes_.push_back({e.neighbour, depth, parent, e.relationship_id});
  }
  return true;
}

// The frontier in batches: edges of earlier (smaller-id) sources come first in the tie-break
// order, so a spent budget ends the level without expanding the rest. A batch is sized from what
// the level's sources have yielded so far (new entities per source), so that the batch that
// spends the budget expands few sources beyond it; it at most doubles. A source whose edges were
// cut by the per-source limit continues (after its last complete key) before the next source's
// edges are followed.
void Walk::expand_level(const std::vector<std::size_t>& frontier, int depth,
                        std::vector<std::size_t>& next) {
  std::vector<std::string> ids;
  std::vector<Edge>& edges = edges_;
  std::vector<Edge>& more = more_;
  std::vector<std::optional<EdgeKey>> cut, more_cut;
  std::size_t batch = std::max<std::size_t>(1, s_.first_expand_batch());
  for (std::size_t begin = 0; begin < frontier.size(); begin += batch) {
    if (begin > 0) {
      double yield = static_cast<double>(next.size()) / static_cast<double>(begin);
      // Once the budget is spent, only whether one more entity exists is left to find.
      std::size_t fit =
          yield > 0 && remaining() > 0
              ? static_cast<std::size_t>(static_cast<double>(remaining()) / yield * 1.25) + 1
              : 2 * batch;
      batch = std::clamp<std::size_t>(fit, 1, 2 * batch);
    }
    std::size_t end = std::min(frontier.size(), begin + batch);
    ids.clear();
    for (std::size_t k = begin; k < end; ++k) ids.push_back(nodes_[frontier[k]].id);
    ExpandRequest q = request(nullptr);
    edges.clear();
    s_.expand(ids, q, edges);
    order_edges(edges, ids.size(), q.limit, cut);
    std::size_t k = 0;
    for (std::size_t source = 0; source < ids.size(); ++source) {
      std::size_t stop = k;
      while (stop < edges.size() && edges[stop].source == source) ++stop;
      std::size_t parent = frontier[begin + source];
      if (!follow(edges, k, stop, parent, depth, next)) return;
      k = stop;
      std::optional<EdgeKey> after = std::move(cut[source]);
      while (after) {
        ExpandRequest c = request(&*after);
        more.clear();
        s_.expand({ids[source]}, c, more);
        order_edges(more, 1, c.limit, more_cut);
        if (!follow(more, 0, more.size(), parent, depth, next)) return;
        after = std::move(more_cut[0]);
      }
    }
  }
}

TraverseResult Walk::run() {
  check_traverse_request(r_);
  std::vector<std::string> starts = r_.starts;
  std::sort(starts.begin(), starts.end());
  starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
  std::vector<std::string> visible = starts.empty() ? starts : s_.visible_entities(starts, r_.at);
  std::sort(visible.begin(), visible.end());
  std::vector<std::size_t> frontier;
  for (auto& id : visible) {
    if (remaining() == 0) {
      result_.truncated = true;
      break;
    }
    visited_.emplace(id, nodes_.size());
    frontier.push_back(nodes_.size());
    nodes_.push_back({id, 0, kNone, {}});
  }

  for (int depth = 1; depth <= r_.max_depth && !frontier.empty() && !result_.truncated; ++depth) {
    std::vector<std::size_t> next;
    expand_level(frontier, depth, next);
    std::sort(next.begin(), next.end(),
              [&](std::size_t a, std::size_t b) { return nodes_[a].id < nodes_[b].id; });
    frontier = std::move(next);
  }

  std::vector<std::size_t> order(nodes_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (nodes_[a].depth != nodes_[b].depth) return nodes_[a].depth < nodes_[b].depth;
    return nodes_[a].id < nodes_[b].id;
  });
  result_.nodes.reserve(nodes_.size());
  for (std::size_t i : order) {
    Reached out;
    out.id = nodes_[i].id;
    out.depth = nodes_[i].depth;
    // One allocation each (a path has depth + 1 entries), not one per doubling.
    out.path.reserve(static_cast<std::size_t>(out.depth) + 1);
    out.relationships.reserve(static_cast<std::size_t>(out.depth));
    for (std::size_t k = i; k != kNone; k = nodes_[k].parent) {
      out.path.push_back(nodes_[k].id);
      if (nodes_[k].parent != kNone) out.relationships.push_back(nodes_[k].via);
    }
    std::reverse(out.path.begin(), out.path.end());
    std::reverse(out.relationships.begin(), out.relationships.end());
    result_.nodes.push_back(std::move(out));
  }
  return std::move(result_);
}

}  // namespace

TraverseResult traverse(GraphStore& s, const TraverseRequest& r) { return Walk(s, r).run(); }

}  // namespace llmspell::temporal

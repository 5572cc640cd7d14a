// A naive model of the bi-temporal graph for oracle tests: per (kind, id) a list of rectangles
// (valid x transaction time) with their data. Writes are computed as "belief functions" over valid
// time (what the current beliefs say at each valid instant) and turned into rectangles by
// closing every current rectangle whose belief changes anywhere and re-inserting the new belief
// inside it; reads scan every rectangle. Also the interface both the core and the two database
// hosts are driven through (GraphApi), with rows rendered as text so that hosts compare exactly.
#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "temporal/json.h"
#include "temporal/types.h"

namespace llmspell::temporal::testing {

struct Outcome {
  std::optional<Micros> tx;        // transaction time of a write that changed something
  std::optional<ErrorKind> error;  // or the kind of its failure
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

inline std::string time_text(Micros t) {
  if (t == kInfinity) return "inf";
  if (t == kMinusInfinity) return "-inf";
  return std::to_string(t);
}

inline std::string outcome_text(const Outcome& o) {
  if (o.error) return "error " + std::to_string(static_cast<int>(*o.error));
  if (o.tx) return "tx " + time_text(*o.tx);
  return "no change";
}

// Everything the oracle calls; rows come back as text lines in the host's order.
class GraphApi {
 public:
  virtual ~GraphApi() = default;
  virtual Outcome add_entity(const std::string& id, const std::string& type,
                             const std::string& name, const std::string& props,
                             std::optional<Micros> from, Micros to) = 0;
  virtual Outcome update_entity(const std::string& id, std::optional<std::string> type,
                                std::optional<std::string> name, std::optional<std::string> props,
                                std::optional<Micros> from, Micros to) = 0;
  virtual Outcome end_entity(const std::string& id, std::optional<Micros> at) = 0;
  virtual Outcome retract_entity(const std::string& id) = 0;
  virtual Outcome add_relationship(const std::string& id, const std::string& from_entity,
                                   const std::string& to_entity, const std::string& type,
                                   const std::string& props, std::optional<Micros> from,
                                   Micros to) = 0;
  virtual Outcome update_relationship(const std::string& id, std::optional<std::string> type,
                                      std::optional<std::string> props, std::optional<Micros> from,
                                      Micros to) = 0;
  virtual Outcome end_relationship(const std::string& id, std::optional<Micros> at) = 0;
  virtual Outcome retract_relationship(const std::string& id) = 0;
  virtual std::int64_t compact_history(Micros before) = 0;

  // "id|type|name|properties|vs|ve|ts", history with "|te"
  virtual std::vector<std::string> get_entity(const std::string& id, const AsOf& at) = 0;
  virtual std::vector<std::string> entity_history(const std::string& id) = 0;
  virtual std::vector<std::string> query_entities(std::optional<std::string> type,
                                                  std::optional<std::string> filter,
                                                  const AsOf& at) = 0;
  // "relationship_id|type|direction|neighbour"
  virtual std::vector<std::string> neighbours(const std::string& id, Direction d,
                                              const std::vector<std::string>& types,
                                              const AsOf& at) = 0;
  // "id|depth|a>b>c|r1>r2|truncated"
  virtual std::vector<std::string> traverse(const std::vector<std::string>& starts, int depth,
                                            Direction d, const std::vector<std::string>& types,
                                            std::int64_t max_nodes, const AsOf& at) = 0;
};

inline std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

// A point read shows no transaction end: as known at the read point it is still open, so the
// answer for a past point never changes. History rows (point = false) show it.
inline std::string entity_line(const std::string& id, const std::string& type,
                               const std::string& name, const std::string& props, Micros vs,
                               Micros ve, Micros ts, Micros te, bool point) {
  std::string line = id + "|" + type + "|" + name + "|" + props + "|" + time_text(vs) + "|" +
                     time_text(ve) + "|" + time_text(ts);
  return point ? line : line + "|" + time_text(te);
}

class Model {
 public:
  struct Data {
    std::string type, name, props, from, to;  // name for entities, from/to for relationships
    friend bool operator==(const Data&, const Data&) = default;
  };
  struct Row {
    std::string id;
    Data data;
    Interval valid, tx;
  };
  struct Segment {
    Interval valid;
    Data data;
  };
  using Belief = std::vector<Segment>;  // sorted, non-overlapping
  enum Kind { kEntity, kRelationship };

  // ---- writes, at transaction time t --------------------------------------------------------
  Outcome add(Kind k, const std::string& id, const Data& d, Interval r, Micros t) {
    if (k == kRelationship && (current(kEntity, d.from).empty() || current(kEntity, d.to).empty()))
      return {std::nullopt, ErrorKind::kMissingEndpoint};
    Belief b = belief(k, id);
    for (auto& s : b)
      if (s.valid.overlaps(r)) return {std::nullopt, ErrorKind::kAlreadyExists};
    b.push_back({r, d});
    return commit(k, id, b, t) ? Outcome{t, {}} : Outcome{};
  }

  template <class F>
  Outcome change(Kind k, const std::string& id, F&& f, Interval r, Micros t) {
    Belief b = belief(k, id);
    if (b.empty()) return {std::nullopt, ErrorKind::kNotFound};
    Belief out;
    bool any = false;
    for (auto& s : b) {
      for (Interval piece :
           {Interval{s.valid.start, std::min(s.valid.end, r.start)},
            Interval{std::max(s.valid.start, r.start), std::min(s.valid.end, r.end)},
            Interval{std::max(s.valid.start, r.end), s.valid.end}}) {
        if (piece.empty()) continue;
        bool inside = piece.start >= r.start && piece.end <= r.end;
        any = any || inside;
        out.push_back({piece, inside ? f(s.data) : s.data});
      }
    }
    if (!any) return {std::nullopt, ErrorKind::kNotFound};
    return commit(k, id, out, t) ? Outcome{t, {}} : Outcome{};
  }

  bool end_one(Kind k, const std::string& id, Micros at, Micros t) {
    Belief out;
    for (auto& s : belief(k, id)) {
      Interval piece{s.valid.start, std::min(s.valid.end, at)};
      if (!piece.empty()) out.push_back({piece, s.data});
    }
    return commit(k, id, out, t);
  }

  Outcome end(Kind k, const std::string& id, Micros at, Micros t) {
    if (current(k, id).empty()) return {std::nullopt, ErrorKind::kNotFound};
    bool changed = end_one(k, id, at, t);
    if (k == kEntity)
      for (auto& rid : relationships_of(id))
        changed = end_one(kRelationship, rid, at, t) || changed;
    return changed ? Outcome{t, {}} : Outcome{};
  }

  Outcome retract(Kind k, const std::string& id, Micros t) {
    if (current(k, id).empty()) return {std::nullopt, ErrorKind::kNotFound};
    auto rels = k == kEntity ? relationships_of(id) : std::vector<std::string>{};
    commit(k, id, {}, t);
    for (auto& rid : rels) commit(kRelationship, rid, {}, t);
    return {t, {}};
  }

  std::int64_t compact(Micros before) {
    std::int64_t n = 0;
    for (auto& rows : rows_)
      n += static_cast<std::int64_t>(std::erase_if(
          rows, [&](const Row& r) { return r.tx.end != kInfinity && r.tx.end < before; }));
    return n;
  }

  // ---- reads ----------------------------------------------------------------------------------
  std::vector<const Row*> visible(Kind k, const AsOf& at) const {
    std::vector<const Row*> out;
    for (auto& r : rows_[k])
      if (r.valid.contains(at.valid) && r.tx.contains(at.tx)) out.push_back(&r);
    return out;
  }
  const Row* visible_one(Kind k, const std::string& id, const AsOf& at) const {
    const Row* found = nullptr;
    for (auto* r : visible(k, at))
      if (r->id == id) {
        if (found) throw std::logic_error("two visible versions of " + id);
        found = r;
      }
    return found;
  }

  static std::string line(const Row& r, bool point = true) {
    return entity_line(r.id, r.data.type, r.data.name, r.data.props, r.valid.start, r.valid.end,
                       r.tx.start, r.tx.end, point);
  }

  std::vector<std::string> get_entity(const std::string& id, const AsOf& at) const {
    const Row* r = visible_one(kEntity, id, at);
    if (!r) return {};
    return {line(*r)};
  }

  std::vector<std::string> entity_history(const std::string& id) const {
    std::vector<const Row*> rows;
    for (auto& r : rows_[kEntity])
      if (r.id == id) rows.push_back(&r);
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
      return std::pair(a->tx.start, a->valid.start) < std::pair(b->tx.start, b->valid.start);
    });
    std::vector<std::string> out;
    for (auto* r : rows) out.push_back(line(*r, false));
    return out;
  }

  std::vector<std::string> query_entities(const std::optional<std::string>& type,
                                          const std::optional<std::string>& filter,
                                          const AsOf& at) const {
    std::vector<const Row*> rows;
    for (auto* r : visible(kEntity, at))
      if ((!type || r->data.type == *type) && (!filter || json::contains(r->data.props, *filter)))
        rows.push_back(r);
    std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) { return a->id < b->id; });
    std::vector<std::string> out;
    for (auto* r : rows) out.push_back(line(*r));
    return out;
  }

  struct Step {
    std::string rel, type, neighbour;
    bool outgoing;
  };
  std::vector<Step> steps(const std::string& id, Direction d, const std::vector<std::string>& types,
                          const AsOf& at) const {
    std::vector<Step> out;
    if (!visible_one(kEntity, id, at)) return out;
    for (auto* r : visible(kRelationship, at)) {
      if (!types.empty() && std::find(types.begin(), types.end(), r->data.type) == types.end())
        continue;
      if (d != Direction::kIn && r->data.from == id && visible_one(kEntity, r->data.to, at))
        out.push_back({r->id, r->data.type, r->data.to, true});
      else if (d != Direction::kOut && r->data.to == id && visible_one(kEntity, r->data.from, at))
        out.push_back({r->id, r->data.type, r->data.from, false});
    }
    return out;
  }

  // Ordered by type, neighbour, relationship id.
  std::vector<std::string> neighbours(const std::string& id, Direction d,
                                      const std::vector<std::string>& types, const AsOf& at) const {
    auto s = steps(id, d, types, at);
    std::sort(s.begin(), s.end(), [](const Step& a, const Step& b) {
      return std::tie(a.type, a.neighbour, a.rel) < std::tie(b.type, b.neighbour, b.rel);
    });
    std::vector<std::string> out;
    for (auto& x : s)
      out.push_back(x.rel + "|" + x.type + "|" + (x.outgoing ? "out" : "in") + "|" + x.neighbour);
    return out;
  }

  // Level by level: every unvisited neighbour of the level gets the parent with the smallest
  // (parent id, relationship id); new entities are admitted in (parent id, id) order until the
  // budget is spent.
  std::vector<std::string> traverse(std::vector<std::string> starts, int depth, Direction d,
                                    const std::vector<std::string>& types, std::int64_t max_nodes,
                                    const AsOf& at) const {
    struct Node {
      int depth;
      std::string path, rels;
    };
    std::map<std::string, Node> seen;
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    bool truncated = false;
    std::vector<std::string> level;
    for (auto& s : starts) {
      if (!visible_one(kEntity, s, at)) continue;
      if (static_cast<std::int64_t>(seen.size()) == max_nodes) {
        truncated = true;
        break;
      }
      seen[s] = {0, s, ""};
      level.push_back(s);
    }
    for (int k = 1; k <= depth && !truncated && !level.empty(); ++k) {
      std::map<std::string, std::pair<std::string, std::string>> parent;  // id -> (parent, rel)
      for (auto& p : level)
        for (auto& st : steps(p, d, types, at)) {
          if (seen.count(st.neighbour)) continue;
          auto cand = std::pair(p, st.rel);
          auto it = parent.find(st.neighbour);
          if (it == parent.end() || cand < it->second) parent[st.neighbour] = cand;
        }
      std::vector<std::pair<std::string, std::string>> order;  // (parent, id)
      for (auto& [id, pr] : parent) order.push_back({pr.first, id});
      std::sort(order.begin(), order.end());
      std::vector<std::string> next;
      for (auto& [p, id] : order) {
        if (static_cast<std::int64_t>(seen.size()) == max_nodes) {
          truncated = true;
          break;
        }
        const Node& pn = seen[p];
        const std::string& rel = parent[id].second;
        seen[id] = {k, pn.path + ">" + id, pn.rels.empty() ? rel : pn.rels + ">" + rel};
        next.push_back(id);
      }
      level = next;
    }
    std::vector<std::pair<int, std::string>> order;
    for (auto& [id, n] : seen) order.push_back({n.depth, id});
    std::sort(order.begin(), order.end());
    std::vector<std::string> out;
    for (auto& [dep, id] : order) {
      const Node& n = seen[id];
      out.push_back(id + "|" + std::to_string(dep) + "|" + n.path + "|" + n.rels + "|" +
                    (truncated ? "t" : "f"));
    }
    return out;
  }

  std::vector<const Row*> current(Kind k, const std::string& id) const {
    std::vector<const Row*> out;
    for (auto& r : rows_[k])
      if (r.id == id && r.tx.end == kInfinity) out.push_back(&r);
    return out;
  }

  const std::vector<Row>& rows(Kind k) const { return rows_[k]; }

 private:
  Belief belief(Kind k, const std::string& id) const {
    Belief b;
    for (auto* r : current(k, id)) b.push_back({r->valid, r->data});
    std::sort(b.begin(), b.end(),
              [](const Segment& a, const Segment& c) { return a.valid.start < c.valid.start; });
    return b;
  }

  std::vector<std::string> relationships_of(const std::string& entity) const {
    std::set<std::string> ids;
    for (auto& r : rows_[kRelationship])
      if (r.tx.end == kInfinity && (r.data.from == entity || r.data.to == entity)) ids.insert(r.id);
    return {ids.begin(), ids.end()};
  }

  // The data the belief gives at every instant of `range`, if it is uniformly `d` there.
  static bool uniform(const Belief& b, Interval range, const Data& d) {
    Micros at = range.start;
    for (auto& s : b) {
      if (s.valid.end <= at || s.valid.start >= range.end) continue;
      if (s.valid.start > at || !(s.data == d)) return false;
      at = s.valid.end;
      if (at >= range.end) return true;
    }
    return false;
  }

  // Makes `next` the current belief about (k, id) from t on; false when it already was.
  bool commit(Kind k, const std::string& id, const Belief& next, Micros t) {
    auto& rows = rows_[k];
    std::vector<Interval> closed;
    std::vector<Interval> kept;
    bool changed = false;
    for (std::size_t i = 0; i < rows.size();) {
      Row& r = rows[i];
      if (r.id != id || r.tx.end != kInfinity || uniform(next, r.valid, r.data)) {
        if (r.id == id && r.tx.end == kInfinity) kept.push_back(r.valid);
        ++i;
        continue;
      }
      changed = true;
      closed.push_back(r.valid);
      if (r.tx.start == t) {
        rows.erase(rows.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      r.tx.end = t;
      ++i;
    }
    // Re-insert the new belief inside each closed rectangle, and wherever nothing was before.
    for (auto& s : next) {
      bool covered_by_kept = false;
      for (auto& kv : kept)
        if (kv.start <= s.valid.start && s.valid.end <= kv.end) covered_by_kept = true;
      if (covered_by_kept) continue;
      std::vector<Interval> pieces;
      Micros at = s.valid.start;
      std::vector<Interval> cuts = closed;
      std::sort(cuts.begin(), cuts.end(),
                [](const Interval& a, const Interval& b) { return a.start < b.start; });
      for (auto& c : cuts) {
        if (c.end <= at || c.start >= s.valid.end) continue;
        if (c.start > at) pieces.push_back({at, c.start});
        pieces.push_back({std::max(at, c.start), std::min(c.end, s.valid.end)});
        at = std::min(c.end, s.valid.end);
      }
      if (at < s.valid.end) pieces.push_back({at, s.valid.end});
      for (auto& p : pieces) {
        rows.push_back({id, s.data, p, {t, kInfinity}});
        changed = true;
      }
    }
    return changed;
  }

  std::vector<Row> rows_[2];
};

}  // namespace llmspell::temporal::testing

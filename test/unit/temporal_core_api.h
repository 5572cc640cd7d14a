// GraphApi over the core itself: the graph functions on a MemoryStore with an injectable clock.
// Reads other than traversal are plain scans of the store's rows.
#pragma once

#include <memory>

#include "temporal/graph.h"
#include "temporal/memory_store.h"
#include "temporal_model.h"

namespace llmspell::temporal::testing {

class CoreApi : public GraphApi {
 public:
  // The clock moves forward by `tick` microseconds at every reading.
  explicit CoreApi(Micros start = 1'800'000'000'000'000LL, Micros tick = 1000)
      : now_(start), store_([this, tick] { return now_ += tick; }) {}

  MemoryStore& store() { return store_; }
  void set_clock(Micros t) { now_ = t; }

  template <class F>
  Outcome run(F&& f) {
    store_.begin();
    Outcome o;
    try {
      std::optional<Micros> tx = f();
      if (tx) o.tx = *tx;
    } catch (const GraphError& e) {
      o.error = e.kind();
    }
    store_.commit();
    return o;
  }
  static ValidRange range(std::optional<Micros> from, Micros to) { return {from, to}; }
  static std::string canon(const std::string& p) { return json::canonical(p, "properties", true); }
  static std::optional<std::string> canon(const std::optional<std::string>& p) {
    if (!p) return std::nullopt;
    return canon(*p);
  }

  Outcome add_entity(const std::string& id, const std::string& type, const std::string& name,
                     const std::string& props, std::optional<Micros> from, Micros to) override {
    return run([&] {
      return temporal::add_entity(store_, id, {type, name, canon(props)}, range(from, to));
    });
  }
  Outcome update_entity(const std::string& id, std::optional<std::string> type,
                        std::optional<std::string> name, std::optional<std::string> props,
                        std::optional<Micros> from, Micros to) override {
    return run([&] {
      return temporal::update_entity(store_, id, {type, name, canon(props)}, range(from, to));
    });
  }
  Outcome end_entity(const std::string& id, std::optional<Micros> at) override {
    return run([&] { return temporal::end_entity(store_, id, at); });
  }
  Outcome retract_entity(const std::string& id) override {
    return run([&] { return temporal::retract_entity(store_, id); });
  }
  Outcome add_relationship(const std::string& id, const std::string& from_entity,
                           const std::string& to_entity, const std::string& type,
                           const std::string& props, std::optional<Micros> from,
                           Micros to) override {
    return run([&] {
      return temporal::add_relationship(store_, id, {from_entity, to_entity, type, canon(props)},
                                        range(from, to));
    });
  }
  Outcome update_relationship(const std::string& id, std::optional<std::string> type,
                              std::optional<std::string> props, std::optional<Micros> from,
                              Micros to) override {
    return run([&] {
      return temporal::update_relationship(store_, id, {type, canon(props)}, range(from, to));
    });
  }
  Outcome end_relationship(const std::string& id, std::optional<Micros> at) override {
    return run([&] { return temporal::end_relationship(store_, id, at); });
  }
  Outcome retract_relationship(const std::string& id) override {
    return run([&] { return temporal::retract_relationship(store_, id); });
  }
  std::int64_t compact_history(Micros before) override {
    return static_cast<std::int64_t>(store_.compact_history(before));
  }

  static std::string line(const EntityVersion& v, bool point = true) {
    return entity_line(v.id, v.data.type, v.data.name, v.data.properties, v.valid.start,
                       v.valid.end, v.tx.start, v.tx.end, point);
  }
  std::vector<std::string> get_entity(const std::string& id, const AsOf& at) override {
    std::vector<std::string> out;
    for (auto& v : store_.entities())
      if (v.id == id && v.visible(at)) out.push_back(line(v));
    return out;
  }
  std::vector<std::string> entity_history(const std::string& id) override {
    std::vector<EntityVersion> rows;
    for (auto& v : store_.entities())
      if (v.id == id) rows.push_back(v);
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) {
      return std::pair(a.tx.start, a.valid.start) < std::pair(b.tx.start, b.valid.start);
    });
    std::vector<std::string> out;
    for (auto& v : rows) out.push_back(line(v, false));
    return out;
  }
  std::vector<std::string> query_entities(std::optional<std::string> type,
                                          std::optional<std::string> filter,
                                          const AsOf& at) override {
    std::vector<EntityVersion> rows;
    for (auto& v : store_.entities())
      if (v.visible(at) && (!type || v.data.type == *type) &&
          (!filter || json::contains(v.data.properties, *filter)))
        rows.push_back(v);
    std::sort(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.id < b.id; });
    std::vector<std::string> out;
    for (auto& v : rows) out.push_back(line(v));
    return out;
  }
  std::vector<std::string> neighbours(const std::string& id, Direction d,
                                      const std::vector<std::string>& types,
                                      const AsOf& at) override {
    if (store_.visible_entities({id}, at).empty()) return {};
    std::vector<Edge> edges;
    store_.expand({id}, {d, &types, at}, edges);
    std::vector<std::tuple<std::string, std::string, std::string, std::string>> rows;
    for (auto& e : edges) {
      // kBoth returns a self-loop twice (out and in): keep it once, as outgoing.
      bool out = false;
      for (auto& r : store_.relationships())
        if (r.id == e.relationship_id && r.visible(at))
          out = d != Direction::kIn && r.data.from == id;
      std::string dir = out ? "out" : "in";
      auto row = std::tuple(e.relationship_type, e.neighbour, e.relationship_id, dir);
      if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
    }
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> lines;
    for (auto& [type, nb, rid, dir] : rows)
      lines.push_back(rid + "|" + type + "|" + dir + "|" + nb);
    return lines;
  }
  std::vector<std::string> traverse(const std::vector<std::string>& starts, int depth, Direction d,
                                    const std::vector<std::string>& types, std::int64_t max_nodes,
                                    const AsOf& at) override {
    TraverseRequest r{starts, depth, d, types, max_nodes, at};
    TraverseResult result = temporal::traverse(store_, r);
    std::vector<std::string> out;
    for (auto& n : result.nodes)
      out.push_back(n.id + "|" + std::to_string(n.depth) + "|" + join(n.path, ">") + "|" +
                    join(n.relationships, ">") + "|" + (result.truncated ? "t" : "f"));
    return out;
  }

 private:
  Micros now_;
  MemoryStore store_;
};

}  // namespace llmspell::temporal::testing

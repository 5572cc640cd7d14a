// The HNSW algorithm (Malkov & Yashunin), written once against a store. A store holds nodes
// (vector, level, links per level, deleted mark) wherever it likes: an arena in memory, index
// pages, shadow tables. It provides:
//
//   std::uint32_t dims() const;
//   std::size_t id_limit() const;                       // every NodeId is below this
//   int level(NodeId) const;
//   bool deleted(NodeId) const;
//   void set_deleted(NodeId, bool);
//   float distance(const float* query, NodeId) const;   // query already prepared (metric.h)
//   float distance(NodeId, NodeId) const;
//   std::uint32_t links(NodeId, int level, NodeId* out) const;   // a consistent copy; the count
//   void set_links(NodeId, int level, const NodeId* ids, std::uint32_t count);
//   // Replaces the links only if they still equal `expected` (another writer may have changed
//   // them since they were read); false otherwise, and the caller reads again and retries.
//   bool replace_links(NodeId, int level, const NodeId* expected, std::uint32_t expected_count,
//                      const NodeId* ids, std::uint32_t count);
//   void prefetch(NodeId) const;                        // a hint; may do nothing
//   // Optional: distance(query, ids[i]) for every i at once (a store that pays per call, such
//   // as one behind a buffer manager, batches the calls and overlaps the memory reads).
//   void distances(const float* query, const NodeId* ids, std::uint32_t n, float* out) const;
//   NodeId entry_point() const;  int max_level() const;
//   void set_entry_point(NodeId, int level);            // unconditional (deletion)
//   void raise_entry_point(NodeId, int level);          // only if level > max_level(), atomically
//   template <class F> void for_each_node(F) const;     // every allocated node, deleted or not
//
// Writers never hold one node while waiting for another: a link update reads, computes, then
// replaces optimistically. That keeps concurrent inserters (threads, or PostgreSQL backends
// holding page locks) free of deadlocks.
//
// The graph never allocates nodes itself: the caller stores the vector and level, then calls
// link(). Filters (tenant, scope) and deletion are evaluated during traversal: rejected nodes are
// walked through but not returned.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <queue>
#include <vector>

#include "hnsw/filter.h"
#include "hnsw/ranked_set.h"
#include "hnsw/types.h"
#include "hnsw/visited.h"

namespace llmspell::hnsw {

// Level for a new node: floor(-ln(u) * mL) with mL = 1/ln(M), u drawn from a hash of the seed and
// a per-insert key, so a given seed and key always give the same level.
int sample_level(const Params& p, std::uint64_t key);

// Orders a priority queue nearest first.
struct Closer {
  bool operator()(const Candidate& a, const Candidate& b) const { return b < a; }
};

// The width of the level-1 search that picks a search's level-0 entries. Measured on 100k
// clustered vectors (M=16, 10 level seeds): 4 entries lift recall@10 at ef=20 from 0.91-0.96 to
// 0.97-0.98 for 2% more distance computations, and at ef=40 from 0.96-0.99 to 0.99-1.0 for none
// (the level-0 search converges sooner). Wider (8, 16) gains little more and costs up to 10% of
// the QPS on uniform data, where the entry matters least.
inline constexpr std::uint32_t kLevel1Ef = 4;

// Distances at or below this (squared L2, or 1 - cos) mean the same vector, up to rounding.
inline constexpr float kDuplicateDistance = 1e-7f;

template <class Store>
class Graph {
 public:
  Graph(const Params& params, Store& store) : params_(params), store_(store) {}

  const Params& params() const { return params_; }
  Store& store() { return store_; }
  const Store& store() const { return store_; }

  // Connects a node whose vector and level are already in the store.
  void link(NodeId node, const float* vec);

  // k nearest accepted nodes, nearest first. `filter` may be null. When the filter can count its
  // nodes and passes few of them, an exact scan over those nodes is cheaper and exact.
  std::vector<Candidate> search(const float* query, std::uint32_t k, std::uint32_t ef,
                                const Filter* filter) const;

  // Exact k-NN over every accepted node (the oracle, and the plan for very selective filters).
  std::vector<Candidate> exact_search(const float* query, std::uint32_t k,
                                      const Filter* filter) const;

  // Marks nodes deleted (they stop being returned at once) and repairs the links of the
  // neighbours they point to, so the graph stays navigable. Other nodes may still link to them:
  // deleted nodes keep routing searches until consolidate().
  void remove(const std::vector<NodeId>& nodes);

  // Repairs every live node that still links to a deleted node (one pass over the graph). After
  // it no live node links to a deleted one, so the store may reuse their slots.
  void consolidate();
  // The same for one node: relinks each level of n that points to a deleted node.
  void repair_node(NodeId n);

  // Makes every live node reachable again by a level-0 walk from the entry point. Pruning can
  // strand a few (clusters of duplicates link only among themselves; heavy deletes), and a
  // search can never return a stranded node. Each stranded group gets one incoming link from
  // the nearest reachable node. Returns the number of links added.
  std::size_t reconnect();

  // True when an exact scan of `matching` nodes is expected to be cheaper than a filtered graph
  // search: the graph visits about ef * M / selectivity nodes, the scan visits `matching`.
  // `graph_size`: the nodes of the graph walked (a store holding several graphs, one per
  // partition, passes the partition's size); by default the whole store.
  bool prefer_exact(std::int64_t matching, std::uint32_t ef) const {
    return prefer_exact(matching, ef, store_.id_limit());
  }
  bool prefer_exact(std::int64_t matching, std::uint32_t ef, std::size_t graph_size) const;

  // A search that can be resumed: results come nearest first, as many as the caller asks for,
  // until every reachable accepted node has been returned. The first ef results are those of
  // search(); later ones continue the same best-first walk (a database asks for more rows when
  // conditions outside the index reject some). The query must stay valid while it is used.
  class Cursor {
   public:
    Cursor(const Graph& graph, const float* query, std::uint32_t ef, const Filter* filter);
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    // The next result; false when there are no more.
    bool next(Candidate* out);
    // Nodes whose distance was computed so far (the work done).
    std::size_t visited_count() const { return visited_count_; }

   private:
    void expand(const Candidate& c);
    // About how many nodes the first window visits (ef expansions of up to 2m links each),
    // capped so that a very large ef does not reserve (and map) megabytes for every query.
    std::size_t expected_visits() const {
      return std::min<std::size_t>(std::size_t{ef_} * 2 * graph_.params_.m, 4096);
    }
    const Graph& graph_;
    const float* query_;
    std::uint32_t ef_;
    const Filter* filter_;
    VisitedSet visited_;
    std::size_t visited_count_ = 0;
    std::priority_queue<Candidate, std::vector<Candidate>, Closer> frontier_;
    // Visited nodes no nearer than the ef-th result when found: the current window never expands
    // them (its bound only shrinks), so they wait here unordered until the walk resumes.
    std::vector<Candidate> deferred_;
    RankedSet found_;                // accepted, not yet returned
    std::vector<Candidate> window_;  // a settled window, nearest first: going out
    std::size_t window_next_ = 0;
    bool resumed_ = true;  // deferred_ was moved back since the last window went out
  };

 private:
  using MaxHeap = std::priority_queue<Candidate>;  // farthest on top
  using MinHeap = std::priority_queue<Candidate, std::vector<Candidate>, Closer>;

  bool accepted(NodeId n, const Filter* filter) const {
    return !store_.deleted(n) && (filter == nullptr || filter->accepts(n));
  }

  std::uint32_t read_links(NodeId n, int level, NodeId* out) const {
    return store_.links(n, level, out);
  }

  void distances(const float* query, const NodeId* ids, std::uint32_t n, float* out) const {
    if constexpr (requires { store_.distances(query, ids, n, out); }) {
      store_.distances(query, ids, n, out);
    } else {
      for (std::uint32_t i = 0; i < n; ++i) {
        if (i + 1 < n) store_.prefetch(ids[i + 1]);
        out[i] = store_.distance(query, ids[i]);
      }
    }
  }

  // Greedy walk on one level towards the query (ef = 1).
  Candidate greedy(const float* query, Candidate cur, int level) const;

  // Where a search enters level 0: a greedy walk down to level 1, then a small best-first search
  // on level 1 whose results all seed level 0. A greedy walk on the sparse upper levels stops at
  // a local minimum about half the time; on clustered data the level-0 search with a small ef
  // then often stays on the wrong side of a cluster, and recall at a given ef depends on the
  // luck of the level draw. Several level-1 entries make it robust for a few more distances.
  // Returns the number of entries written to `out` (at least 1 when the graph is not empty).
  std::uint32_t level0_entries(const float* query, Candidate* out) const;

  // Best-first search on one level from `count` entries; returns up to ef accepted nodes
  // (farthest on top).
  MaxHeap search_layer(const float* query, const Candidate* entries, std::uint32_t count,
                       std::uint32_t ef, int level, const Filter* filter) const;

  // The neighbour-selection heuristic: keeps a candidate only if it is closer to the base than to
  // every candidate already kept, which spreads links in all directions.
  void select_neighbors(std::vector<Candidate>& sorted, std::uint32_t max_count) const;

  // Adds `from` to the links of `to` on `level`, pruning with the heuristic when full.
  void add_link(NodeId to, NodeId from, float distance, int level);

  void repair(NodeId node, NodeId removed, int level, const NodeId* removed_links,
              std::uint32_t removed_count);
  // Relinks `node` on `level` from its live links and the live links of its deleted links.
  void relink_around_deleted(NodeId node, int level, const NodeId* links, std::uint32_t count);

  Params params_;
  Store& store_;
  mutable VisitedPool visited_;
};

// ---- implementation -------------------------------------------------------------------------

template <class Store>
Candidate Graph<Store>::greedy(const float* query, Candidate cur, int level) const {
  NodeId links[2 * kMaxM];
  float dist[2 * kMaxM];
  for (;;) {
    std::uint32_t count = read_links(cur.node, level, links);
    // One batch: a store behind a cache or buffer manager overlaps the vector reads.
    distances(query, links, count, dist);
    Candidate best = cur;
    for (std::uint32_t i = 0; i < count; ++i)
      if (dist[i] < best.distance && store_.level(links[i]) >= level) best = {dist[i], links[i]};
    if (best.node == cur.node) return cur;
    cur = best;
  }
}

template <class Store>
std::uint32_t Graph<Store>::level0_entries(const float* query, Candidate* out) const {
  NodeId entry = store_.entry_point();
  if (entry == kNoNode) return 0;
  Candidate cur{store_.distance(query, entry), entry};
  int top = store_.max_level();
  for (int l = top; l > 1; --l) cur = greedy(query, cur, l);
  if (top < 1) {
    out[0] = cur;
    return 1;
  }
  MaxHeap w = search_layer(query, &cur, 1, kLevel1Ef, 1, nullptr);
  if (w.empty()) {  // only deleted nodes around: they still route the search
    out[0] = cur;
    return 1;
  }
  std::uint32_t n = 0;
  for (; !w.empty(); w.pop()) out[n++] = w.top();
  return n;
}

template <class Store>
typename Graph<Store>::MaxHeap Graph<Store>::search_layer(const float* query,
                                                          const Candidate* entries,
                                                          std::uint32_t count, std::uint32_t ef,
                                                          int level, const Filter* filter) const {
  VisitedLease visited(visited_);
  visited->reset(store_.id_limit());
  MaxHeap results;
  MinHeap candidates;
  for (std::uint32_t i = 0; i < count; ++i) {
    const Candidate& entry = entries[i];
    if (!visited->insert(entry.node)) continue;
    candidates.push(entry);
    if (accepted(entry.node, filter)) {
      results.push(entry);
      if (results.size() > ef) results.pop();
    }
  }
  float bound = results.size() >= ef ? results.top().distance : INFINITY;

  NodeId links[2 * kMaxM];
  while (!candidates.empty()) {
    Candidate c = candidates.top();
    if (c.distance > bound) break;
    candidates.pop();
    std::uint32_t count = read_links(c.node, level, links);
    std::uint32_t fresh = 0;
    for (std::uint32_t i = 0; i < count; ++i) {
      NodeId n = links[i];
      if (!visited->insert(n)) continue;
      // A stale link into a slot reused at a lower level: not a node of this level.
      if (level > 0 && store_.level(n) < level) continue;
      links[fresh++] = n;
    }
    float dist[2 * kMaxM];
    distances(query, links, fresh, dist);
    for (std::uint32_t i = 0; i < fresh; ++i) {
      NodeId n = links[i];
      float d = dist[i];
      if (results.size() < ef || d < bound) {
        candidates.push({d, n});
        if (accepted(n, filter)) {
          results.push({d, n});
          if (results.size() > ef) results.pop();
          if (results.size() >= ef) bound = results.top().distance;
        }
      }
    }
  }
  return results;
}

template <class Store>
void Graph<Store>::select_neighbors(std::vector<Candidate>& sorted, std::uint32_t max_count) const {
  if (sorted.size() <= max_count) return;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < sorted.size() && kept < max_count; ++i) {
    const Candidate& c = sorted[i];
    bool good = true;
    for (std::size_t j = 0; j < kept; ++j) {
      // A copy of a kept neighbour adds no direction; keeping copies would let clusters of
      // duplicate vectors link only among themselves and trap searches inside.
      float d = store_.distance(c.node, sorted[j].node);
      if (d < c.distance || (params_.metric != Metric::kInnerProduct && d <= kDuplicateDistance)) {
        good = false;
        break;
      }
    }
    if (good) sorted[kept++] = c;
  }
  sorted.resize(kept);
}

template <class Store>
void Graph<Store>::add_link(NodeId to, NodeId from, float distance, int level) {
  if (store_.level(to) < level) return;
  std::uint32_t max_count = max_links(params_, level);
  NodeId current[2 * kMaxM];
  NodeId next[2 * kMaxM + 1];
  std::vector<Candidate> cands;
  for (;;) {
    std::uint32_t count = store_.links(to, level, current);
    for (std::uint32_t i = 0; i < count; ++i)
      if (current[i] == from) return;
    std::uint32_t next_count;
    if (count < max_count) {
      std::copy(current, current + count, next);
      next[count] = from;
      next_count = count + 1;
    } else {
      cands.clear();
      cands.push_back({distance, from});
      for (std::uint32_t i = 0; i < count; ++i)
        cands.push_back({store_.distance(to, current[i]), current[i]});
      std::sort(cands.begin(), cands.end());
      select_neighbors(cands, max_count);
      for (std::size_t i = 0; i < cands.size(); ++i) next[i] = cands[i].node;
      next_count = static_cast<std::uint32_t>(cands.size());
    }
    if (store_.replace_links(to, level, current, count, next, next_count)) return;
  }
}

template <class Store>
void Graph<Store>::link(NodeId node, const float* vec) {
  int level = store_.level(node);
  NodeId entry = store_.entry_point();
  int top = store_.max_level();
  if (entry == kNoNode) {
    store_.raise_entry_point(node, level);
    if (store_.entry_point() == node) return;
    entry = store_.entry_point();  // another writer got there first: link below it
    top = store_.max_level();
  }

  Candidate cur{store_.distance(vec, entry), entry};
  for (int l = top; l > level; --l) cur = greedy(vec, cur, l);
  std::vector<Candidate> found;
  for (int l = std::min(level, top); l >= 0; --l) {
    MaxHeap w = search_layer(vec, &cur, 1, params_.ef_construction, l, nullptr);
    found.clear();
    while (!w.empty()) {
      if (w.top().node != node) found.push_back(w.top());
      w.pop();
    }
    std::reverse(found.begin(), found.end());  // nearest first
    if (found.empty()) continue;               // only deleted nodes around: keep descending
    cur = found.front();
    select_neighbors(found, params_.m);
    NodeId ids[2 * kMaxM];
    for (std::size_t i = 0; i < found.size(); ++i) ids[i] = found[i].node;
    store_.set_links(node, l, ids, static_cast<std::uint32_t>(found.size()));
    for (const Candidate& c : found) add_link(c.node, node, c.distance, l);
  }
  if (level > top) store_.raise_entry_point(node, level);
}

template <class Store>
bool Graph<Store>::prefer_exact(std::int64_t matching, std::uint32_t ef,
                                std::size_t graph_size) const {
  if (matching < 0) return false;
  double total = static_cast<double>(graph_size);
  if (total <= 0) return true;
  double selectivity = std::max(static_cast<double>(matching) / total, 1e-9);
  double graph_cost = static_cast<double>(std::max<std::uint32_t>(ef, 1)) * params_.m / selectivity;
  return static_cast<double>(matching) <= graph_cost;
}

template <class Store>
std::vector<Candidate> Graph<Store>::exact_search(const float* query, std::uint32_t k,
                                                  const Filter* filter) const {
  MaxHeap best;
  auto consider = [&](NodeId n) {
    if (!accepted(n, filter)) return;
    float d;
    if constexpr (requires(const Store& s) { s.exact_distance(query, n); }) {
      d = store_.exact_distance(query, n);
    } else {
      d = store_.distance(query, n);
    }
    if (best.size() < k) {
      best.push({d, n});
    } else if (d < best.top().distance) {
      best.pop();
      best.push({d, n});
    }
  };
  if (k == 0) return {};
  if (filter != nullptr && filter->count() >= 0) {
    filter->for_each(consider);
  } else {
    store_.for_each_node(consider);
  }
  std::vector<Candidate> out(best.size());
  for (std::size_t i = out.size(); i-- > 0;) {
    out[i] = best.top();
    best.pop();
  }
  return out;
}

template <class Store>
std::vector<Candidate> Graph<Store>::search(const float* query, std::uint32_t k, std::uint32_t ef,
                                            const Filter* filter) const {
  if (k == 0) return {};
  ef = std::max(ef, k);
  if (filter != nullptr) {
    std::int64_t matching = filter->count();
    if (matching == 0) return {};
    if (prefer_exact(matching, ef)) return exact_search(query, k, filter);
  }
  Candidate entries[kLevel1Ef];
  std::uint32_t count = level0_entries(query, entries);
  if (count == 0) return {};
  MaxHeap w = search_layer(query, entries, count, ef, 0, filter);
  if constexpr (requires(const Store& s) { s.reranks(); }) {
    if (store_.reranks()) {
      // Traversal ran on compact codes: rank the candidates by their exact distances.
      std::vector<Candidate> exact;
      exact.reserve(w.size());
      for (; !w.empty(); w.pop())
        exact.push_back({store_.exact_distance(query, w.top().node), w.top().node});
      std::sort(exact.begin(), exact.end());
      if (exact.size() > k) exact.resize(k);
      return exact;
    }
  }
  while (w.size() > k) w.pop();
  std::vector<Candidate> out(w.size());
  for (std::size_t i = out.size(); i-- > 0;) {
    out[i] = w.top();
    w.pop();
  }
  return out;
}

template <class Store>
void Graph<Store>::repair(NodeId node, NodeId removed, int level, const NodeId* removed_links,
                          std::uint32_t removed_count) {
  NodeId links[2 * kMaxM];
  NodeId next[2 * kMaxM];
  std::vector<Candidate> cands;
  for (;;) {
    std::uint32_t count = store_.links(node, level, links);
    bool points_to_removed = false;
    for (std::uint32_t i = 0; i < count && !points_to_removed; ++i)
      points_to_removed = links[i] == removed;
    if (!points_to_removed) return;
    // Candidates: the node's other links plus the removed node's links; the heuristic keeps the
    // ones that spread out best.
    cands.clear();
    auto consider = [&](NodeId n) {
      if (n == node || n == removed || store_.deleted(n) || store_.level(n) < level) return;
      for (const Candidate& c : cands)
        if (c.node == n) return;
      cands.push_back({store_.distance(node, n), n});
    };
    for (std::uint32_t i = 0; i < count; ++i) consider(links[i]);
    for (std::uint32_t i = 0; i < removed_count; ++i) consider(removed_links[i]);
    std::sort(cands.begin(), cands.end());
    select_neighbors(cands, max_links(params_, level));
    for (std::size_t i = 0; i < cands.size(); ++i) next[i] = cands[i].node;
    if (store_.replace_links(node, level, links, count, next,
                             static_cast<std::uint32_t>(cands.size())))
      return;
  }
}

template <class Store>
void Graph<Store>::relink_around_deleted(NodeId node, int level, const NodeId* links,
                                         std::uint32_t count) {
  std::vector<Candidate> cands;
  auto consider = [&](NodeId n) {
    if (n == node || store_.deleted(n) || store_.level(n) < level) return;
    for (const Candidate& c : cands)
      if (c.node == n) return;
    cands.push_back({store_.distance(node, n), n});
  };
  NodeId second[2 * kMaxM];
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!store_.deleted(links[i])) {
      consider(links[i]);
      continue;
    }
    std::uint32_t c = store_.links(links[i], level, second);
    for (std::uint32_t j = 0; j < c; ++j) consider(second[j]);
  }
  std::sort(cands.begin(), cands.end());
  select_neighbors(cands, max_links(params_, level));
  NodeId ids[2 * kMaxM];
  for (std::size_t i = 0; i < cands.size(); ++i) ids[i] = cands[i].node;
  // Best effort under concurrency: if a writer changed the list meanwhile, the next
  // consolidation sees any link to a deleted node that is left and repairs it then.
  store_.replace_links(node, level, links, count, ids, static_cast<std::uint32_t>(cands.size()));
}

template <class Store>
void Graph<Store>::repair_node(NodeId n) {
  NodeId links[2 * kMaxM];
  for (int l = store_.level(n); l >= 0; --l) {
    std::uint32_t c = store_.links(n, l, links);
    bool stale = false;
    for (std::uint32_t i = 0; i < c && !stale; ++i) stale = store_.deleted(links[i]);
    if (stale) relink_around_deleted(n, l, links, c);
  }
}

template <class Store>
std::size_t Graph<Store>::reconnect() {
  NodeId entry = store_.entry_point();
  if (entry == kNoNode) return 0;
  VisitedSet seen;
  seen.reset(store_.id_limit());
  NodeId links[2 * kMaxM];
  std::vector<NodeId> stack;
  auto walk_from = [&](NodeId start) {
    stack.push_back(start);
    while (!stack.empty()) {
      NodeId n = stack.back();
      stack.pop_back();
      std::uint32_t c = store_.links(n, 0, links);
      for (std::uint32_t i = 0; i < c; ++i)
        if (seen.insert(links[i])) stack.push_back(links[i]);
    }
  };
  seen.insert(entry);
  walk_from(entry);
  std::vector<NodeId> stranded;
  store_.for_each_node([&](NodeId n) {
    if (!store_.deleted(n) && !seen.contains(n)) stranded.push_back(n);
  });
  std::size_t added = 0;
  for (NodeId u : stranded) {
    if (!seen.insert(u)) continue;  // reached through an earlier repair
    // Greedy walk on level 0 from the entry point: every node it visits is reachable.
    Candidate cur{store_.distance(u, entry), entry};
    for (bool moved = true; moved;) {
      moved = false;
      std::uint32_t c = store_.links(cur.node, 0, links);
      for (std::uint32_t i = 0; i < c; ++i) {
        if (links[i] == u || store_.deleted(links[i])) continue;
        float d = store_.distance(u, links[i]);
        if (d < cur.distance) {
          cur = {d, links[i]};
          moved = true;
        }
      }
    }
    // Link from the nearest reachable node with a free slot among cur and its neighbours;
    // when all are full, cur gives up its farthest link.
    NodeId from = cur.node;
    {
      std::uint32_t c = store_.links(cur.node, 0, links);
      if (c >= max_links(params_, 0)) {
        float best = INFINITY;
        NodeId around[2 * kMaxM];
        for (std::uint32_t i = 0; i < c; ++i) {
          if (links[i] == u || store_.deleted(links[i])) continue;
          if (store_.links(links[i], 0, around) >= max_links(params_, 0)) continue;
          float d = store_.distance(u, links[i]);
          if (d < best) {
            best = d;
            from = links[i];
          }
        }
      }
    }
    cur.node = from;
    for (;;) {
      std::uint32_t c = store_.links(cur.node, 0, links);
      NodeId next[2 * kMaxM];
      std::uint32_t farthest = 0;
      float far_d = -INFINITY;
      for (std::uint32_t i = 0; i < c; ++i) {
        next[i] = links[i];
        float d = store_.distance(cur.node, links[i]);
        if (d > far_d) {
          far_d = d;
          farthest = i;
        }
      }
      std::uint32_t n = c;
      if (n < max_links(params_, 0)) {
        next[n++] = u;
      } else {
        next[farthest] = u;
      }
      if (store_.replace_links(cur.node, 0, links, c, next, n)) break;
    }
    ++added;
    walk_from(u);
  }
  return added;
}

template <class Store>
void Graph<Store>::consolidate() {
  store_.for_each_node([&](NodeId n) {
    if (!store_.deleted(n)) repair_node(n);
  });
}

template <class Store>
void Graph<Store>::remove(const std::vector<NodeId>& nodes) {
  for (NodeId n : nodes) store_.set_deleted(n, true);
  NodeId removed_links[2 * kMaxM];
  NodeId links[2 * kMaxM];
  for (NodeId r : nodes) {
    for (int l = store_.level(r); l >= 0; --l) {
      std::uint32_t rc = store_.links(r, l, removed_links);
      for (std::uint32_t i = 0; i < rc; ++i) {
        if (!store_.deleted(removed_links[i])) repair(removed_links[i], r, l, removed_links, rc);
      }
    }
  }
  // A deleted entry point still routes searches, but its slot may be reused: move the entry to
  // the highest live node.
  NodeId entry = store_.entry_point();
  if (entry == kNoNode || !store_.deleted(entry)) return;
  NodeId best = kNoNode;
  int best_level = -1;
  for (int l = store_.level(entry); l >= 0 && best == kNoNode; --l) {
    std::uint32_t c = store_.links(entry, l, links);
    for (std::uint32_t i = 0; i < c; ++i) {
      if (!store_.deleted(links[i]) && store_.level(links[i]) > best_level) {
        best = links[i];
        best_level = store_.level(links[i]);
      }
    }
  }
  if (best == kNoNode) {
    store_.for_each_node([&](NodeId n) {
      if (!store_.deleted(n) && store_.level(n) > best_level) {
        best = n;
        best_level = store_.level(n);
      }
    });
  }
  store_.set_entry_point(best, best == kNoNode ? -1 : best_level);
}

template <class Store>
Graph<Store>::Cursor::Cursor(const Graph& graph, const float* query, std::uint32_t ef,
                             const Filter* filter)
    : graph_(graph),
      query_(query),
      ef_(std::max<std::uint32_t>(ef, 1)),
      filter_(filter),
      frontier_(Closer{},
                [&] {
                  std::vector<Candidate> v;
                  v.reserve(expected_visits());
                  return v;
                }()),
      found_(ef_) {
  const Store& store = graph.store_;
  visited_.reset(store.id_limit());
  // Sized once for a typical walk: a database runs one cursor per query, and growing these
  // from empty cost a dozen reallocations each.
  deferred_.reserve(expected_visits());
  found_.reserve(expected_visits());
  if (filter != nullptr && graph.prefer_exact(filter->count(), ef_)) {
    // Few accepted nodes: rank them all; nothing is left to walk.
    filter->for_each([&](NodeId n) {
      if (!store.deleted(n) && visited_.insert(n)) {
        found_.add({store.distance(query, n), n});
        ++visited_count_;
      }
    });
    return;
  }
  NodeId entry = store.entry_point();
  if (entry == kNoNode) return;
  // The same entries as search(), so the first window is search()'s.
  Candidate entries[kLevel1Ef];
  std::uint32_t count = graph.level0_entries(query, entries);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!visited_.insert(entries[i].node)) continue;
    ++visited_count_;
    frontier_.push(entries[i]);
    if (graph.accepted(entries[i].node, filter)) found_.add(entries[i]);
  }
  // The entry point too: every live node is reachable from it on level 0 (reconnect() keeps it
  // so), which lets a long enough walk return everything.
  if (visited_.insert(entry)) {
    ++visited_count_;
    Candidate e{store.distance(query, entry), entry};
    frontier_.push(e);
    if (graph.accepted(entry, filter)) found_.add(e);
  }
}

template <class Store>
void Graph<Store>::Cursor::expand(const Candidate& c) {
  const Store& store = graph_.store_;
  NodeId links[2 * kMaxM];
  std::uint32_t count = store.links(c.node, 0, links);
  std::uint32_t fresh = 0;
  for (std::uint32_t i = 0; i < count; ++i)
    if (visited_.insert(links[i])) links[fresh++] = links[i];
  visited_count_ += fresh;
  float dist[2 * kMaxM];
  graph_.distances(query_, links, fresh, dist);
  for (std::uint32_t i = 0; i < fresh; ++i) {
    Candidate d{dist[i], links[i]};
    if (found_.size() >= ef_ && d.distance > found_.bound())
      deferred_.push_back(d);
    else
      frontier_.push(d);
    if (graph_.accepted(d.node, filter_)) found_.add(d);
  }
}

template <class Store>
bool Graph<Store>::Cursor::next(Candidate* out) {
  for (;;) {
    // A window of ef results is settled once the walk would stop: nothing unexpanded is nearer
    // than the ef-th best found.
    if (window_next_ < window_.size()) {
      *out = window_[window_next_++];
      return true;
    }
    if (!resumed_) {
      // A new window: its bound is the old one or farther, so the deferred nodes may count.
      for (const Candidate& d : deferred_) frontier_.push(d);
      deferred_.clear();
      resumed_ = true;
    }
    if (!found_.empty()) {
      bool settled = frontier_.empty();
      if (!settled && found_.size() >= ef_) settled = frontier_.top().distance > found_.bound();
      // A settled window is what search() returns: all of it goes out before the walk resumes.
      if (settled) {
        found_.take_window(&window_);
        window_next_ = 0;
        resumed_ = false;
        continue;
      }
    }
    if (frontier_.empty()) return false;
    Candidate c = frontier_.top();
    frontier_.pop();
    expand(c);
  }
}

}  // namespace llmspell::hnsw

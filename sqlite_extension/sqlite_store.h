// The HNSW store of the SQLite virtual table: an in-memory mirror of the graph kept in the
// shadow tables, implementing the store concept of hnsw/graph.h.
//
// - Structure (per node: level, links, row id, filter tags, deleted mark) is always resident: it
//   is small (about (2M+1)*4 + 24 bytes a node) and every search walks it.
// - Vectors are a bounded cache (CLOCK eviction), loaded from <table>_vectors on first touch.
//   Stored vectors never change (a new vector gets a new node), so cached ones are never dirty.
// - Partitions: in a partitioned table every value of the first filter column (the tenant, as a
//   rule) has a graph of its own, with its own entry point, and links never cross partitions. A
//   search names its partition with select_partition(); the store concept's entry point and
//   for_each_node then refer to that partition. Rows whose first filter column is NULL form one
//   more partition, whose entry point is the table's global one (also the only one of an
//   unpartitioned table).
// - Every change to a node marks it dirty (written to <table>_nodes at commit) and, inside a
//   transaction, first saves the node's previous state in an undo log with one level per
//   savepoint. ROLLBACK and ROLLBACK TO replay the log, so the mirror returns exactly to the state
//   that SQLite restores in the shadow tables, without reading them again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "hnsw/metric.h"
#include "hnsw/types.h"

namespace llmspell::sqlite::hnsw_vtab {

using hnsw::kNoNode;
using hnsw::NodeId;

// The tag of a NULL filter value (and of every column of a node that is not live): no filter
// passes it.
inline constexpr std::uint32_t kNoTag = 0xffffffffu;
// The partition of the rows whose first filter column is NULL (and of every row of an
// unpartitioned table).
inline constexpr std::uint32_t kNullPartition = kNoTag;
// Selects every node at once, for the passes that are not a graph walk (consolidation, exact
// scans).
inline constexpr std::uint32_t kAllPartitions = 0xfffffffeu;

// A partition's entry point and top level.
struct PartitionEntry {
  NodeId entry = kNoNode;
  int max_level = -1;
};

// Where the cache reads vectors from: <table>_vectors.
class VectorSource {
 public:
  virtual ~VectorSource() = default;
  // Writes the stored vector of `node` (dims floats, as inserted); throws when it is missing.
  virtual void read_vector(NodeId node, float* out) = 0;
};

// A node as <table>_nodes stores it and as the undo log saves it.
struct NodeRecord {
  bool exists = false;
  bool deleted = false;
  std::int64_t label = 0;  // the row id
  int level = 0;
  std::vector<std::uint32_t> links;  // for each level 0..level: count, then the ids
  std::vector<std::uint32_t> tags;   // one per filter column
};

struct CacheStats {
  std::size_t capacity = 0;  // vectors
  std::size_t resident = 0;
  std::uint64_t loads = 0;
  std::uint64_t evictions = 0;
};

class SqliteStore {
 public:
  SqliteStore(const hnsw::Params& params, std::size_t filter_columns, std::size_t cache_bytes,
              VectorSource& source);

  // ---- the store concept of hnsw/graph.h ----------------------------------------------------
  std::uint32_t dims() const { return dims_; }
  std::size_t id_limit() const { return g_.id_limit; }
  int level(NodeId n) const { return levels_[n]; }
  // Free slots count as deleted: no search returns them.
  bool deleted(NodeId n) const { return flags_[n] != kLive; }
  void set_deleted(NodeId n, bool d);
  float distance(const float* query, NodeId n) const {
    return hnsw::metric_distance(metric_, query, vector(n), dims_);
  }
  float distance(NodeId a, NodeId b) const {
    const float* va = vector(a);
    pin_ = a;  // loading b must not evict a
    const float* vb = vector(b);
    pin_ = kNoNode;
    return hnsw::metric_distance(metric_, va, vb, dims_);
  }
  std::uint32_t links(NodeId n, int level, NodeId* out) const {
    // A reused slot may have fewer levels than a stale link to it assumes: no links there.
    if (level > levels_[n] || (flags_[n] & kExists) == 0) return 0;
    const std::uint32_t* l = link_list(n, level);
    std::memcpy(out, l + 1, l[0] * sizeof(NodeId));
    return l[0];
  }
  void set_links(NodeId n, int level, const NodeId* ids, std::uint32_t count);
  // One writer per connection: the comparison always succeeds unless the caller is confused.
  bool replace_links(NodeId n, int level, const NodeId* expected, std::uint32_t expected_count,
                     const NodeId* ids, std::uint32_t count);
  void prefetch(NodeId n) const {
    std::uint32_t s = slot_of_[n];
    if (s != kNoSlot) __builtin_prefetch(slot_ptr(s));
  }
  NodeId entry_point() const { return selected_entry().entry; }
  int max_level() const { return selected_entry().max_level; }
  void set_entry_point(NodeId n, int level);
  void raise_entry_point(NodeId n, int level) {
    const PartitionEntry& e = selected_entry();
    if (e.entry == kNoNode || level > e.max_level) set_entry_point(n, level);
  }
  // Every node of the selected partition (its live ones), or every allocated node.
  template <class F>
  void for_each_node(F&& fn) const {
    if (!partitioned_ || selected_ == kAllPartitions) {
      for (std::size_t n = 0; n < g_.id_limit; ++n) fn(static_cast<NodeId>(n));
      return;
    }
    for (NodeId n : partition_nodes(selected_)) fn(n);
  }

  // ---- partitions -----------------------------------------------------------------------------
  // Set before loading: whether the first filter column partitions the graph.
  void set_partitioned(bool p) { partitioned_ = p && columns_ > 0; }
  bool partitioned() const { return partitioned_; }
  // The partition graph operations refer to from now on (the store concept has no argument for it).
  void select_partition(std::uint32_t p) const { selected_ = p; }
  std::uint32_t partition_of(NodeId n) const {
    return partitioned_ ? tags_[static_cast<std::size_t>(n) * columns_] : kNullPartition;
  }
  // The live nodes of a partition (partitioned tables only).
  const std::vector<NodeId>& partition_nodes(std::uint32_t p) const {
    return p == kNullPartition ? null_partition_ : posting(0, p);
  }
  std::size_t partition_size(std::uint32_t p) const {
    return partitioned_ ? partition_nodes(p).size() : live_;
  }
  PartitionEntry partition_entry(std::uint32_t p) const {
    if (p == kNullPartition) return g_.root;
    return p < entries_.size() ? entries_[p] : PartitionEntry{};
  }
  // Partitions (NULL first) that have an entry point.
  template <class F>
  void for_each_partition(F&& fn) const {
    if (g_.root.entry != kNoNode) fn(kNullPartition);
    for (std::size_t p = 0; p < entries_.size(); ++p)
      if (entries_[p].entry != kNoNode) fn(static_cast<std::uint32_t>(p));
  }
  // Partitions whose entry point changed since clear_dirty() (written at commit).
  const std::vector<std::uint32_t>& dirty_partitions() const { return dirty_partitions_; }

  // ---- nodes ----------------------------------------------------------------------------------
  bool exists(NodeId n) const { return n < g_.id_limit && (flags_[n] & kExists) != 0; }
  bool live(NodeId n) const { return n < g_.id_limit && flags_[n] == kLive; }
  std::int64_t label(NodeId n) const { return labels_[n]; }
  std::uint32_t tag(NodeId n, std::size_t column) const { return tags_[n * columns_ + column]; }
  std::size_t filter_columns() const { return columns_; }
  NodeRecord record(NodeId n) const;
  // Live nodes whose filter column `column` has tag `tag`.
  const std::vector<NodeId>& posting(std::size_t column, std::uint32_t tag) const;
  std::size_t live_count() const { return live_; }
  std::size_t deleted_count() const { return deleted_; }

  // ---- changes: undo-logged inside a transaction, and marked dirty -----------------------------
  // A node in a free slot (or a new one) with the given level, label and tags, and no links.
  NodeId allocate(int level, std::int64_t label, const std::uint32_t* tags);
  // Frees the slot of a deleted node that no live node links to any more.
  void free_slot(NodeId n);
  void set_label(NodeId n, std::int64_t label);
  void set_tags(NodeId n, const std::uint32_t* tags);
  // The next key for hnsw::sample_level: a counter kept with the graph, so levels replay the same.
  std::uint64_t next_insert_key() { return g_.inserts++; }
  std::uint64_t inserts() const { return g_.inserts; }
  std::uint64_t generation() const { return g_.generation; }
  void set_generation(std::uint64_t g) { g_.generation = g; }

  // ---- loading from the shadow tables (no undo, not dirty) -------------------------------------
  void reset();
  // Sizes the per-node arrays for `nodes` slots at once (a full load knows the highest node).
  void reserve(std::size_t nodes) { grow(nodes); }
  void load(NodeId n, const NodeRecord& r);
  void load_tags(NodeId n, const std::uint32_t* tags);
  void load_globals(NodeId entry, int max_level, std::uint64_t inserts, std::uint64_t generation);
  // Entry points of the non-NULL partitions: all of them, replacing the ones held.
  void clear_partitions() { entries_.clear(); }
  void load_partition(std::uint32_t p, NodeId entry, int max_level);
  // After a full load: every slot below the highest node without a record is free.
  void finish_load();

  // ---- vector cache -----------------------------------------------------------------------------
  // The prepared vector of a node (normalised for cosine), loaded on a miss. The pointer stays
  // valid until the next cache load.
  const float* vector(NodeId n) const {
    std::uint32_t s = slot_of_[n];
    if (s != kNoSlot) [[likely]] {
      ref_[s] = 1;
      return slot_ptr(s);
    }
    return load_vector(n);
  }
  bool vector_resident(NodeId n) const { return n < slot_of_.size() && slot_of_[n] != kNoSlot; }
  // Caches a vector just written (already prepared), so the insert does not read it back.
  void put_vector(NodeId n, const float* prepared);
  void forget_vector(NodeId n);
  CacheStats cache_stats() const;

  // ---- dirty nodes ----------------------------------------------------------------------------
  const std::vector<NodeId>& dirty() const { return dirty_list_; }
  void clear_dirty();

  // ---- transactions (the virtual table's xBegin ... xCommit/xRollback) -------------------------
  void begin();
  void savepoint(int number);
  void release(int number);
  void rollback_to(int number);
  void commit();
  void rollback();
  bool in_transaction() const { return !markers_.empty(); }
  // Called after dirty nodes were written: a later ROLLBACK TO an earlier savepoint must then
  // rewrite everything (the shadow rows it restores may predate changes the undo log does not
  // cover).
  void note_flush() { ++flushes_; }

 private:
  static constexpr std::uint8_t kExists = 1;
  static constexpr std::uint8_t kDeletedBit = 2;
  static constexpr std::uint8_t kLive = kExists;
  static constexpr std::uint32_t kNoSlot = 0xffffffffu;
  static constexpr std::size_t kSlotsPerChunk = 256;
  static constexpr std::align_val_t kAlignment{64};

  struct Globals {
    PartitionEntry root;  // the NULL partition's entry (restored with the globals on rollback)
    std::size_t id_limit = 0;
    std::uint64_t inserts = 0;
    std::uint64_t generation = 0;
  };
  struct UndoEntry {
    NodeId node;
    std::uint64_t prev_mark;
    NodeRecord old;
  };
  struct PartitionUndo {
    std::uint32_t partition;
    PartitionEntry old;
  };
  struct Marker {
    int number;
    std::uint64_t id;
    std::size_t pos;            // first undo entry of this level
    std::size_t partition_pos;  // first partition undo entry of this level
    Globals globals;
    std::uint64_t flushes;
  };
  struct ChunkDelete {
    void operator()(float* p) const { ::operator delete[](p, kAlignment); }
  };

  void grow(std::size_t nodes);
  // Saves the node's state in the undo log (once per savepoint level) and marks it dirty.
  void touch(NodeId n);
  void mark_dirty(NodeId n);
  // Replaces a node's whole state, keeping postings, counters, the free list and the cache right.
  void assign(NodeId n, const NodeRecord& r);
  void add_postings(NodeId n);
  void remove_postings(NodeId n);
  void count(NodeId n, int delta);
  std::uint32_t* link_list(NodeId n, int level) {
    if (level == 0) return links0_.data() + static_cast<std::size_t>(n) * stride0_;
    return upper_[n].get() + static_cast<std::size_t>(level - 1) * (1 + m_);
  }
  const std::uint32_t* link_list(NodeId n, int level) const {
    if (level == 0) return links0_.data() + static_cast<std::size_t>(n) * stride0_;
    return upper_[n].get() + static_cast<std::size_t>(level - 1) * (1 + m_);
  }
  void set_level_storage(NodeId n, int level);
  void merge_top_marker();
  const PartitionEntry& selected_entry() const {
    static const PartitionEntry kNone;
    if (selected_ == kNullPartition || !partitioned_) return g_.root;
    return selected_ < entries_.size() ? entries_[selected_] : kNone;
  }
  void mark_partition_dirty(std::uint32_t p);
  void restore_to(std::size_t marker_index);

  float* slot_ptr(std::uint32_t s) const {
    return chunks_[s / kSlotsPerChunk].get() + (s % kSlotsPerChunk) * slot_floats_;
  }
  const float* load_vector(NodeId n) const;
  std::uint32_t acquire_slot() const;

  hnsw::Metric metric_;
  std::uint32_t dims_;
  std::uint32_t m_;
  std::size_t stride0_;  // words per level-0 list: count + 2M ids
  std::size_t columns_;
  VectorSource& source_;

  Globals g_;
  std::size_t capacity_ = 0;  // nodes the per-node arrays hold
  std::size_t high_water_ = 0;
  std::vector<std::uint8_t> levels_;
  std::vector<std::uint8_t> flags_;
  std::vector<std::int64_t> labels_;
  std::vector<std::uint32_t> links0_;
  std::vector<std::unique_ptr<std::uint32_t[]>> upper_;
  std::vector<std::uint32_t> tags_;
  std::vector<std::uint32_t> posting_pos_;
  std::vector<std::vector<std::vector<NodeId>>> postings_;  // [column][tag]
  std::vector<NodeId> free_;  // may hold stale entries: allocate() checks each
  bool partitioned_ = false;
  mutable std::uint32_t selected_ = kNullPartition;
  std::vector<PartitionEntry> entries_;  // per tag of the first filter column
  std::vector<NodeId> null_partition_;   // live nodes whose first filter column is NULL
  std::vector<PartitionUndo> partition_undo_;
  std::vector<std::uint8_t> partition_dirty_flag_;
  std::vector<std::uint32_t> dirty_partitions_;
  std::size_t live_ = 0;
  std::size_t deleted_ = 0;

  std::vector<std::uint8_t> dirty_flag_;
  std::vector<NodeId> dirty_list_;

  std::vector<UndoEntry> undo_;
  std::vector<Marker> markers_;
  std::vector<std::uint64_t> saved_mark_;
  std::uint64_t next_mark_ = 1;
  // The innermost savepoint known to hold the state at xBegin (-1: none). SQLite calls xBegin at
  // the table's first write and then reports only the innermost savepoint open at that moment
  // (often the statement's own, released when it ends), never the ones opened before it.
  int unchanged_through_ = -1;
  std::uint64_t flushes_ = 0;

  // Vector cache.
  std::size_t slot_floats_;
  std::size_t slot_capacity_;
  mutable std::vector<std::unique_ptr<float[], ChunkDelete>> chunks_;
  mutable std::vector<std::uint32_t> slot_of_;  // per node
  mutable std::vector<NodeId> owner_;           // per slot
  mutable std::vector<std::uint8_t> ref_;       // per slot: CLOCK reference bit
  mutable std::vector<std::uint32_t> free_slots_;
  mutable std::size_t hand_ = 0;
  mutable NodeId pin_ = kNoNode;
  mutable std::vector<float> scratch_;
  mutable std::uint64_t loads_ = 0;
  mutable std::uint64_t evictions_ = 0;
};

}  // namespace llmspell::sqlite::hnsw_vtab

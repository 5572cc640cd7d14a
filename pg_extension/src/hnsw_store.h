// The HNSW store over index pages: the core's Graph reads and writes nodes through the buffer
// manager, and every change goes through GenericXLog (crash-safe, replicated). One store serves
// one partition (the graph of one value of the first filter column).
//
// Every PostgreSQL call is made inside pg_guard(): an error becomes a PgError exception that
// unwinds the core, and the glue re-raises it once no C++ object is left in scope.
#pragma once

#include "pg_glue.h"

extern "C" {
#include "utils/rel.h"
}

#include <cstdint>
#include <vector>

#include "hnsw/filter.h"
#include "hnsw/types.h"
#include "hnsw_pages.h"
#include "hnsw_vector_cache.h"

class PageStore {
 public:
  using NodeId = llmspell::hnsw::NodeId;

  // `vectors`: a scan's backend-local vector cache (hnsw_vector_cache.h), or null: writers must
  // read every element from its page.
  PageStore(Relation index, const hnsw_pages::MetaData& meta, uint64 partition_key,
            VectorCache* vectors = nullptr);

  // The graph's store concept (see common/hnsw/graph.h).
  std::uint32_t dims() const { return dims_; }
  // Page ids are sparse; a huge limit makes searches use hashed visited sets.
  std::size_t id_limit() const { return std::size_t{1} << 31; }
  int level(NodeId n) const { return info(n).level; }
  bool deleted(NodeId n) const {
    return (info(n).flags & (hnsw_pages::kDeleted | hnsw_pages::kFree)) != 0;
  }
  void set_deleted(NodeId n, bool d);
  float distance(const float* query, NodeId n) const;
  float distance(NodeId a, NodeId b) const;
  // distance(query, ids[i]) for each i: one error guard for the batch, and the page reads of
  // later nodes overlap the arithmetic of earlier ones.
  void distances(const float* query, const NodeId* ids, std::uint32_t n, float* out) const;
  std::uint32_t links(NodeId n, int level, NodeId* out) const;
  void set_links(NodeId n, int level, const NodeId* ids, std::uint32_t count);
  bool replace_links(NodeId n, int level, const NodeId* expected, std::uint32_t expected_count,
                     const NodeId* ids, std::uint32_t count);
  void prefetch(NodeId) const {}
  NodeId entry_point() const;
  int max_level() const;
  void set_entry_point(NodeId n, int level);
  void raise_entry_point(NodeId n, int level);
  template <class F>
  void for_each_node(F&& fn) const {
    std::vector<NodeId> page_nodes;
    for (BlockNumber b = first_element_block(); b < block_count(); ++b) {
      page_nodes.clear();
      nodes_on_page(b, &page_nodes);
      for (NodeId n : page_nodes) fn(n);
    }
  }

  // Beyond the concept.
  // A scan's store (one with a vector cache) takes its partition's directory entry as the scan
  // read it at start: it walks from that entry point and uses the links cached since the
  // partition's last link change.
  void begin_scan(const hnsw_pages::DirectoryEntry& entry);
  const std::uint64_t* keys(NodeId n) const { return info(n).keys; }
  // The heap TID of n from the scan cache; false when n is not cached.
  bool cached_heap_tid(NodeId n, ItemPointerData* tid) const;
  // Reads n's element again for a scan about to return it: true, with its heap TID, when it is
  // still live and still at `distance` (a cached vector may belong to a slot VACUUM has freed and
  // an insert reused since the scan began).
  bool confirm(const float* query, NodeId n, float distance, ItemPointerData* tid) const;
  // Reads the stored vector as float32 (exact for float32 elements).
  void read_vector(NodeId n, float* out) const;
  float element_error(NodeId n) const { return info(n).err; }
  std::uint64_t partition_key() const { return partition_key_; }
  // Counts a node into or out of its partition's directory entry.
  void adjust_count(std::int64_t delta);
  std::int64_t partition_count() const;
  // Calls CHECK_FOR_INTERRUPTS now and then from inside long walks.
  void check_interrupts() const;

  // Fills `out` with the nodes of this partition on block b (live or deleted, not free).
  void nodes_on_page(BlockNumber b, std::vector<NodeId>* out) const;
  BlockNumber first_element_block() const { return hnsw_pages::kDirectoryBlock + 1; }
  BlockNumber block_count() const;

 private:
  struct NodeInfo {
    std::uint64_t epoch = 0;  // the store that wrote it
    NodeId id = llmspell::hnsw::kNoNode;
    VectorCache::Info info{};
  };
  // Element headers seen lately, so level(), deleted() and keys() right after a distance()
  // cost no second page read (a scan's cached elements carry their own). One array per backend,
  // shared by its stores: a slot counts only for the store whose epoch it carries, so a new store
  // (one per scan) starts empty without clearing 40 kB. A backend runs one statement at a time, and
  // stores are not used by threads.
  static constexpr std::size_t kInfoCacheSize = 1024;
  static NodeInfo* info_slots();
  static std::uint64_t& info_epochs();
  // The product's high bits: its low bits depend only on the id's low bits, which are the page
  // offset (one or two values for large elements) and would put most nodes in a few slots.
  static std::size_t info_slot(NodeId n) { return (n * 2654435761u) >> 22; }
  static_assert(kInfoCacheSize == std::size_t{1} << (32 - 22));
  // Pins block, through the buffer it was last seen in when that still holds it.
  Buffer pin(BlockNumber block) const;
  // A hint: starts loading the shared buffer header pin() will lock for this block.
  void prefetch_buffer_header(BlockNumber block) const;

  const VectorCache::Info& info(NodeId n) const;
  // The traversal distance to an element on a share-locked page.
  float element_distance(const float* query, const hnsw_pages::ElementHeader* h) const;
  // The same for stored vector bytes (float32 or float16, as in the element).
  float vector_distance(const float* query, const char* v) const;
  // distances() through the pages; with a cache, the elements read are copied into it.
  void page_distances(const float* query, const NodeId* ids, std::uint32_t n, float* out) const;
  void remember(NodeId n, const hnsw_pages::ElementHeader* h) const;
  // Locates this partition's directory entry (block and index), creating it when `create`.
  bool find_directory_entry(bool create, BlockNumber* block, int* index) const;

  Relation index_;
  std::uint32_t dims_;
  std::uint32_t m_;
  std::uint8_t metric_;
  std::uint8_t format_;
  std::uint64_t partition_key_;
  VectorCache* vectors_;
  NodeInfo* info_;
  std::uint64_t info_epoch_;
  mutable std::vector<float> scratch_a_, scratch_b_;
  mutable BlockNumber directory_block_ = InvalidBlockNumber;
  mutable int directory_index_ = -1;
  mutable std::uint32_t calls_ = 0;
  bool scanning_ = false;
  hnsw_pages::DirectoryEntry scan_entry_{};
};

// Filter columns compared during traversal: a node passes when each constrained column's hash
// equals the scan key's.
class KeyFilter final : public llmspell::hnsw::Filter {
 public:
  KeyFilter(const PageStore& store, const std::uint64_t* wanted, const bool* constrained)
      : store_(store) {
    for (int i = 0; i < hnsw_pages::kMaxFilterKeys; ++i) {
      wanted_[i] = wanted[i];
      constrained_[i] = constrained[i];
    }
  }
  bool accepts(llmspell::hnsw::NodeId n) const override {
    const std::uint64_t* k = store_.keys(n);
    for (int i = 0; i < hnsw_pages::kMaxFilterKeys; ++i)
      if (constrained_[i] && k[i] != wanted_[i]) return false;
    return true;
  }

 private:
  const PageStore& store_;
  std::uint64_t wanted_[hnsw_pages::kMaxFilterKeys];
  bool constrained_[hnsw_pages::kMaxFilterKeys];
};

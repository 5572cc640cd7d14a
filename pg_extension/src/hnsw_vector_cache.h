// A backend-local cache of the elements of the llmspell_hnsw indexes this backend scans (vector,
// header fields, heap TID, links), so that a walk computes most of its distances and reads most
// of its neighbour lists without pinning and locking one shared buffer per node (that costs more
// than the arithmetic: see the profile in the session notes).
//
// Why it stays right:
// - An element's vector, level and filter keys never change in place. A slot gets a new element
//   only after a VACUUM freed it, and that VACUUM bumps the metapage's generation: a cache whose
//   generation differs from the scan's metapage is emptied first.
// - Links do change. Every insert and VACUUM bumps its partition's `link_edits` in the directory
//   after its link writes; cached links carry the count the scan that read them started with,
//   and a scan uses them only when its partition's count is still that value.
// - A VACUUM may free and an insert reuse a slot while a scan runs. A scan returns cached heap
//   TIDs only under an MVCC snapshot, which hides the rows such a slot named (hnsw_scan.cpp).
// - Only scans use it. Inserts and VACUUM read pages, so every link they write is to an element
//   they saw live under its buffer lock.
//
// llmspell.hnsw_cache_mb bounds each index's cache (0 turns caching off). Entries are evicted
// with CLOCK when it is full.
#pragma once

#include "pg_glue.h"

extern "C" {
#include "storage/itemptr.h"
#include "storage/relfilenode.h"
}

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "hnsw_pages.h"
#include "reserved_memory.h"

extern int hnsw_cache_mb;  // llmspell.hnsw_cache_mb

class VectorCache {
 public:
  using NodeId = llmspell::hnsw::NodeId;

  // The header fields a walk asks about for every node it meets (PageStore::info()).
  struct Info {
    std::uint8_t level;
    std::uint8_t flags;
    float err;
    std::uint64_t keys[hnsw_pages::kMaxFilterKeys];
  };
  struct Entry {
    Info info;
    NodeId node;
    ItemPointerData heap_tid;
    std::uint8_t referenced;   // CLOCK: read since the hand last passed
    std::uint64_t link_edits;  // of the partition when the links below were read
    std::uint32_t link_count;  // kNoLinks: not cached yet
  };
  static constexpr std::uint32_t kNoLinks = ~std::uint32_t{0};

  // The cache of the index stored in `node` as of `generation`, for vectors of `vector_bytes`,
  // level-0 lists of up to `max_links` and level-0 elements of `element_bytes`; nullptr when
  // caching is off. Emptied when the generation moved.
  static VectorCache* of(const RelFileNode& node, std::uint64_t generation,
                         std::size_t vector_bytes, std::uint32_t max_links,
                         std::size_t element_bytes);

  // The entry of n, or nullptr.
  Entry* find(NodeId n) {
    std::size_t key = key_of(n);
    if (key >= slots_.size()) return nullptr;
    std::uint32_t slot = slots_[key];
    return slot == kEmpty ? nullptr : entry(slot);
  }
  // Starts loading the map position find(n) reads: a batch of finds whose positions are all on
  // their way costs one memory latency, not one per find.
  void prefetch_slot(NodeId n) const {
    std::size_t key = key_of(n);
    if (key < slots_.size()) __builtin_prefetch(&slots_[key]);
  }
  // Marks an entry used (CLOCK). Separate from find(), so that a batch of finds, whose entries
  // are still being loaded, writes to none of them.
  static void touch(Entry* e) { e->referenced = 1; }
  // Starts loading the entry's header and vector: distances are computed right after a batch of
  // finds, and the walk reads the header next.
  void prefetch(const Entry* e) const {
    __builtin_prefetch(e);
    const char* v = vector(e);
    for (std::size_t line = 0; line < prefetch_bytes_; line += 64) __builtin_prefetch(v + line);
  }
  const char* vector(const Entry* e) const {
    return reinterpret_cast<const char*>(e) + vector_offset_;
  }
  NodeId* links(Entry* e) const { return reinterpret_cast<NodeId*>(e + 1); }
  // Copies an element's header fields and vector (as stored: float32 or float16 bytes); its
  // links are not cached yet.
  void put(NodeId n, const hnsw_pages::ElementHeader* h, const char* vector_bytes);

  // Links of the levels above 0, which few nodes have (about 1 in m): lists of up to m ids in
  // one pool, found through an open-addressing table on (node, level), and tagged like the
  // level-0 links.
  struct UpperLinks {
    std::uint64_t key;  // upper_key(); kNoUpper: a free table position
    std::uint64_t link_edits;
    std::uint32_t count;
    std::uint32_t first;  // where the ids start in upper_ids_
  };
  const UpperLinks* upper_links(NodeId n, int level) const {
    if (upper_table_.empty()) return nullptr;
    const std::uint64_t key = upper_key(n, level);
    const UpperLinks& u = upper_table_[upper_position(key)];
    return u.key == key ? &u : nullptr;
  }
  const NodeId* upper_ids(const UpperLinks* u) const { return upper_ids_.data() + u->first; }
  void put_upper_links(NodeId n, int level, std::uint64_t link_edits, const NodeId* ids,
                       std::uint32_t count);

 private:
  VectorCache(std::size_t vector_bytes, std::uint32_t max_links, std::size_t element_bytes,
              std::size_t capacity);
  static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};
  Entry* entry(std::uint32_t slot) const {
    return reinterpret_cast<Entry*>(entries_.data() + std::size_t{slot} * stride_);
  }
  // The node -> slot map: an array over the index's element positions (block, offset), which
  // are dense, since a page holds at most elements_per_page_ of them: 4 bytes per position and
  // one load per lookup, where a hash table's probes missed the processor's caches. Nodes beyond
  // that bound (none in a well-formed index) are simply not cached.
  std::size_t key_of(NodeId n) const {
    std::size_t offset = hnsw_pages::node_offset(n);
    if (offset == 0 || offset > elements_per_page_) return ~std::size_t{0};
    return std::size_t{hnsw_pages::node_block(n)} * elements_per_page_ + (offset - 1);
  }
  static constexpr std::uint64_t kNoUpper = ~std::uint64_t{0};
  static std::uint64_t upper_key(NodeId n, int level) {
    return (std::uint64_t{n} << 8) | static_cast<std::uint8_t>(level);
  }
  // Where key is in upper_table_ (linear probing), or the free position where it would go.
  std::size_t upper_position(std::uint64_t key) const {
    const std::size_t mask = upper_table_.size() - 1;
    std::size_t i = static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
    while (upper_table_[i].key != key && upper_table_[i].key != kNoUpper) i = (i + 1) & mask;
    return i;
  }
  void clear_upper();
  void clear();

  std::size_t vector_bytes_;
  std::uint32_t max_links_;
  std::size_t element_bytes_;
  std::size_t elements_per_page_;
  std::size_t vector_offset_;  // from the entry's start: after the links, on a cache line
  std::size_t prefetch_bytes_;
  std::size_t stride_;
  std::size_t capacity_;  // entries
  // The budget's worth of address space, reserved with the first entry and backed as entries
  // are added: a small index never takes the whole budget.
  ReservedMemory entries_;
  std::size_t used_ = 0;
  std::size_t hand_ = 0;
  std::vector<std::uint32_t> slots_;     // by key_of(); kEmpty: not cached
  std::vector<UpperLinks> upper_table_;  // power-of-two size, at most half full
  std::vector<NodeId> upper_ids_;        // upper_capacity_ ids per list
  std::size_t upper_lists_ = 0;
  std::uint32_t upper_capacity_;  // ids per list: m
  std::uint64_t generation_ = 0;
  std::size_t budget_mb_ = 0;
};

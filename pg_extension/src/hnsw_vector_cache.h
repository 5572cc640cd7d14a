// A backend-local cache of the element vectors of the llmspell_hnsw indexes this backend scans,
// so that a walk computes most of its distances without pinning and locking one shared buffer
// per node (that costs more than the arithmetic: see the profile in the session notes).
//
// Why it stays right:
// - An element's vector, level and filter keys never change in place. A slot gets a new element
//   only after a VACUUM freed it, and that VACUUM bumps the metapage's generation: a cache whose
//   generation differs from the scan's metapage is emptied first.
// - A VACUUM may free and an insert reuse a slot while a scan runs. The scan therefore confirms
//   each row it returns against the page (hnsw_scan.cpp): still live, same distance.
// - Only scans use it. Inserts and VACUUM read pages, so every link they write is to an element
//   they saw live under its buffer lock.
//
// llmspell.hnsw_cache_mb bounds each index's cache (0 turns caching off). Entries are evicted
// with CLOCK when it is full.
#pragma once

#include "pg_glue.h"

extern "C" {
#include "storage/relfilenode.h"
}

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "hnsw_pages.h"

extern int hnsw_cache_mb;  // llmspell.hnsw_cache_mb

class VectorCache {
 public:
  using NodeId = llmspell::hnsw::NodeId;

  struct Entry {
    NodeId node;
    std::uint8_t level;
    std::uint8_t flags;
    float err;
    std::uint64_t keys[hnsw_pages::kMaxFilterKeys];
  };

  // The cache of the index stored in `node` as of `generation`, for vectors of `vector_bytes`;
  // nullptr when caching is off. Emptied when the generation moved.
  static VectorCache* of(const RelFileNode& node, std::uint64_t generation,
                         std::size_t vector_bytes);

  // The entry of n, or nullptr.
  const Entry* find(NodeId n) const {
    auto it = slot_of_.find(n);
    if (it == slot_of_.end()) return nullptr;
    referenced_[it->second] = 1;
    return entry(it->second);
  }
  const char* vector(const Entry* e) const { return reinterpret_cast<const char*>(e + 1); }
  // Copies an element's header fields and vector (as stored: float32 or float16 bytes).
  void put(NodeId n, const hnsw_pages::ElementHeader* h, const char* vector_bytes);

 private:
  VectorCache(std::size_t vector_bytes, std::size_t capacity);
  static constexpr std::size_t kChunkEntries = 1024;
  Entry* entry(std::uint32_t slot) const {
    return reinterpret_cast<Entry*>(chunks_[slot / kChunkEntries].get() +
                                    (slot % kChunkEntries) * stride_);
  }
  void clear();

  std::size_t vector_bytes_;
  std::size_t stride_;
  std::size_t capacity_;  // entries
  // Allocated as entries are added: a small index never takes the whole budget.
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t used_ = 0;
  std::size_t hand_ = 0;
  std::unordered_map<NodeId, std::uint32_t> slot_of_;
  mutable std::vector<std::uint8_t> referenced_;
  std::uint64_t generation_ = 0;
  std::size_t budget_mb_ = 0;
};

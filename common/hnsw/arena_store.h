// The in-memory store: one contiguous block per node for level 0 (link count, 2M links, the
// vector), so a level-0 expansion touches one region per neighbour; upper-level links in a small
// separate allocation for the few nodes that have them. Builds, tests and benchmarks use it; the
// database hosts build here and then write the finished graph out.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "hnsw/metric.h"
#include "hnsw/types.h"

namespace llmspell::hnsw {

class ArenaStore {
 public:
  explicit ArenaStore(const Params& params);

  // Makes room for `nodes` slots in total; required before concurrent allocate() calls.
  void reserve(std::size_t nodes);
  // A free slot (reused after deletion) or a new one, with the given level and no links.
  NodeId allocate(int level);
  // Returns a deleted slot for reuse by allocate().
  void release(NodeId node);
  // Stores the prepared vector (and its float16 code when the store is quantised).
  void set_vector(NodeId node, const float* prepared);

  std::uint32_t dims() const { return dims_; }
  std::size_t id_limit() const { return used_.load(std::memory_order_acquire); }
  int level(NodeId n) const { return levels_[n]; }
  bool deleted(NodeId n) const { return deleted_[n] != 0; }
  void set_deleted(NodeId n, bool d) { deleted_[n] = d ? 1 : 0; }
  // The exact (float32) vector.
  const float* vector(NodeId n) const {
    if (quantized_) return exact_[n >> kChunkShift].get() + (n & (kChunkNodes - 1)) * dims_;
    return reinterpret_cast<const float*>(block(n) + vector_offset_);
  }

  // Traversal distance: on the float16 code when quantised.
  float distance(const float* query, NodeId n) const {
    if (quantized_)
      return metric_distance_f16(
          metric_, query, reinterpret_cast<const std::uint16_t*>(block(n) + vector_offset_), dims_);
    return metric_distance(metric_, query, vector(n), dims_);
  }
  // Between two nodes (neighbour selection): exact, it decides the graph's shape.
  float distance(NodeId a, NodeId b) const {
    return metric_distance(metric_, vector(a), vector(b), dims_);
  }
  // True when distance(query, n) is approximate and final candidates need exact_distance().
  bool reranks() const { return quantized_; }
  float exact_distance(const float* query, NodeId n) const {
    return metric_distance(metric_, query, vector(n), dims_);
  }

  // A reused slot may have fewer levels than stale links to it assume: it has no links there.
  std::uint32_t links(NodeId n, int level, NodeId* out) const {
    if (level > levels_[n]) return 0;
    StripeLock lock(*this, n);
    const std::uint32_t* l = link_list(n, level);
    std::memcpy(out, l + 1, l[0] * sizeof(NodeId));
    return l[0];
  }
  void set_links(NodeId n, int level, const NodeId* ids, std::uint32_t count) {
    StripeLock lock(*this, n);
    std::uint32_t* l = link_list(n, level);
    std::memcpy(l + 1, ids, count * sizeof(NodeId));
    l[0] = count;
  }
  bool replace_links(NodeId n, int level, const NodeId* expected, std::uint32_t expected_count,
                     const NodeId* ids, std::uint32_t count) {
    StripeLock lock(*this, n);
    std::uint32_t* l = link_list(n, level);
    if (l[0] != expected_count || std::memcmp(l + 1, expected, expected_count * sizeof(NodeId)))
      return false;
    std::memcpy(l + 1, ids, count * sizeof(NodeId));
    l[0] = count;
    return true;
  }
  void prefetch(NodeId n) const { __builtin_prefetch(block(n) + vector_offset_); }

  NodeId entry_point() const { return unpack_entry(entry_.load(std::memory_order_acquire)); }
  int max_level() const { return unpack_level(entry_.load(std::memory_order_acquire)); }
  void set_entry_point(NodeId n, int level) {
    entry_.store(pack_entry(n, level), std::memory_order_release);
  }
  void raise_entry_point(NodeId n, int level) {
    std::uint64_t old = entry_.load(std::memory_order_acquire);
    while ((unpack_entry(old) == kNoNode || level > unpack_level(old)) &&
           !entry_.compare_exchange_weak(old, pack_entry(n, level), std::memory_order_acq_rel)) {
    }
  }

  // While on, link lists are read and written under striped locks (several threads build).
  void set_concurrent(bool on) { concurrent_ = on; }

  template <class F>
  void for_each_node(F&& fn) const {
    std::size_t limit = id_limit();
    for (std::size_t n = 0; n < limit; ++n) fn(static_cast<NodeId>(n));
  }

  // Bytes held for the nodes in use (blocks, upper links, per-node metadata).
  std::size_t memory_bytes() const;

 private:
  static constexpr std::size_t kChunkShift = 12;  // 4096 nodes per chunk
  static constexpr std::size_t kChunkNodes = std::size_t{1} << kChunkShift;
  static constexpr std::size_t kLockStripes = 1024;

  const std::byte* block(NodeId n) const {
    return chunks_[n >> kChunkShift].get() + (n & (kChunkNodes - 1)) * block_size_;
  }
  std::byte* block(NodeId n) {
    return chunks_[n >> kChunkShift].get() + (n & (kChunkNodes - 1)) * block_size_;
  }
  const std::uint32_t* link_list(NodeId n, int level) const {
    if (level == 0) return reinterpret_cast<const std::uint32_t*>(block(n));
    return upper_[n].get() + static_cast<std::size_t>(level - 1) * (1 + m_);
  }
  std::uint32_t* link_list(NodeId n, int level) {
    if (level == 0) return reinterpret_cast<std::uint32_t*>(block(n));
    return upper_[n].get() + static_cast<std::size_t>(level - 1) * (1 + m_);
  }
  void init_slot(NodeId n, int level);

  // Entry node and top level in one word, so readers never see one without the other.
  static std::uint64_t pack_entry(NodeId n, int level) {
    return (std::uint64_t{n} << 32) | static_cast<std::uint32_t>(level);
  }
  static NodeId unpack_entry(std::uint64_t v) { return static_cast<NodeId>(v >> 32); }
  static int unpack_level(std::uint64_t v) { return static_cast<std::int32_t>(v & 0xffffffffu); }

  class StripeLock {
   public:
    StripeLock(const ArenaStore& s, NodeId n)
        : m_(s.concurrent_ ? &s.locks_[n % kLockStripes] : nullptr) {
      if (m_) m_->lock();
    }
    ~StripeLock() {
      if (m_) m_->unlock();
    }
    StripeLock(const StripeLock&) = delete;
    StripeLock& operator=(const StripeLock&) = delete;

   private:
    std::mutex* m_;
  };

  static constexpr std::align_val_t kChunkAlignment{64};
  struct ChunkDelete {
    void operator()(std::byte* p) const { ::operator delete[](p, kChunkAlignment); }
  };

  Metric metric_;
  std::uint32_t dims_;
  std::uint32_t m_;
  std::size_t vector_offset_;
  std::size_t block_size_;
  std::vector<std::unique_ptr<std::byte[], ChunkDelete>> chunks_;
  bool quantized_;
  std::vector<std::unique_ptr<float[]>> exact_;  // float32 vectors when quantised
  std::vector<std::uint8_t> levels_;
  std::vector<std::uint8_t> deleted_;
  std::vector<std::unique_ptr<std::uint32_t[]>> upper_;
  std::atomic<std::size_t> used_{0};
  std::size_t capacity_ = 0;
  std::vector<NodeId> free_;
  std::mutex alloc_mutex_;
  std::atomic<std::uint64_t> entry_{pack_entry(kNoNode, -1)};
  bool concurrent_ = false;
  mutable std::mutex locks_[kLockStripes];
};

}  // namespace llmspell::hnsw

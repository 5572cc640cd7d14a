#include "hnsw_vector_cache.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <tuple>

int hnsw_cache_mb = 64;

namespace {

// The indexes this backend scanned lately, by relation file (a REINDEX or TRUNCATE gives an index
// a new file, so an old cache is simply never asked for again).
constexpr std::size_t kMaxIndexes = 8;

struct FileKey {
  RelFileNode node;
  bool operator<(const FileKey& o) const {
    return std::tie(node.spcNode, node.dbNode, node.relNode) <
           std::tie(o.node.spcNode, o.node.dbNode, o.node.relNode);
  }
};

struct Held {
  std::unique_ptr<VectorCache> cache;
  std::uint64_t last_use = 0;
};

std::map<FileKey, Held>& held() {
  static std::map<FileKey, Held> caches;
  return caches;
}

std::uint64_t uses = 0;

}  // namespace

VectorCache::VectorCache(std::size_t vector_bytes, std::size_t capacity)
    : vector_bytes_(vector_bytes),
      stride_((sizeof(Entry) + vector_bytes + 63) & ~std::size_t{63}),
      capacity_(capacity) {}

VectorCache* VectorCache::of(const RelFileNode& node, std::uint64_t generation,
                             std::size_t vector_bytes) {
  auto& caches = held();
  FileKey key{node};
  if (hnsw_cache_mb <= 0) {
    caches.clear();  // turned off: give the memory back
    return nullptr;
  }
  auto budget = static_cast<std::size_t>(hnsw_cache_mb);
  auto it = caches.find(key);
  if (it != caches.end() &&
      (it->second.cache->vector_bytes_ != vector_bytes || it->second.cache->budget_mb_ != budget)) {
    caches.erase(it);
    it = caches.end();
  }
  if (it == caches.end()) {
    if (caches.size() >= kMaxIndexes) {
      auto oldest = std::min_element(
          caches.begin(), caches.end(),
          [](const auto& a, const auto& b) { return a.second.last_use < b.second.last_use; });
      caches.erase(oldest);
    }
    std::size_t stride = (sizeof(Entry) + vector_bytes + 63) & ~std::size_t{63};
    std::size_t capacity = std::max<std::size_t>(16, (budget << 20) / stride);
    Held h;
    h.cache.reset(new VectorCache(vector_bytes, capacity));
    h.cache->budget_mb_ = budget;
    h.cache->generation_ = generation;
    it = caches.emplace(key, std::move(h)).first;
  }
  VectorCache* c = it->second.cache.get();
  it->second.last_use = ++uses;
  if (c->generation_ != generation) {
    c->clear();
    c->generation_ = generation;
  }
  return c;
}

void VectorCache::clear() {
  slot_of_.clear();
  chunks_.clear();
  referenced_.clear();
  used_ = 0;
  hand_ = 0;
}

void VectorCache::put(NodeId n, const hnsw_pages::ElementHeader* h, const char* vector_bytes) {
  if (slot_of_.count(n)) return;
  std::uint32_t slot;
  if (used_ < capacity_) {
    if (used_ % kChunkEntries == 0) {
      std::size_t entries = std::min(kChunkEntries, capacity_ - used_);
      std::unique_ptr<char[]> chunk(new char[entries * stride_]);
      chunks_.push_back(std::move(chunk));
    }
    slot = static_cast<std::uint32_t>(used_++);
    referenced_.push_back(0);
  } else {
    // CLOCK: a slot read since the hand last passed gets a second chance.
    for (;;) {
      hand_ = (hand_ + 1) % capacity_;
      if (!referenced_[hand_]) break;
      referenced_[hand_] = 0;
    }
    slot = static_cast<std::uint32_t>(hand_);
    slot_of_.erase(entry(slot)->node);
  }
  Entry* e = entry(slot);
  e->node = n;
  e->level = h->level;
  e->flags = h->flags;
  e->err = h->err;
  for (int i = 0; i < hnsw_pages::kMaxFilterKeys; ++i) e->keys[i] = h->keys[i];
  std::memcpy(e + 1, vector_bytes, vector_bytes_);
  slot_of_.emplace(n, slot);
  referenced_[slot] = 1;
}

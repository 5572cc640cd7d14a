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

namespace {

std::size_t round_to_line(std::size_t bytes) { return (bytes + 63) & ~std::size_t{63}; }

// Entry, level-0 links, then the vector from a cache line of its own.
std::size_t vector_offset_for(std::uint32_t max_links) {
  return round_to_line(sizeof(VectorCache::Entry) + sizeof(VectorCache::NodeId) * max_links);
}
std::size_t stride_for(std::size_t vector_bytes, std::uint32_t max_links) {
  return vector_offset_for(max_links) + round_to_line(vector_bytes);
}

}  // namespace

VectorCache::VectorCache(std::size_t vector_bytes, std::uint32_t max_links, std::size_t capacity)
    : vector_bytes_(vector_bytes),
      max_links_(max_links),
      vector_offset_(vector_offset_for(max_links)),
      // The first lines of a vector: the hardware prefetcher streams the rest.
      prefetch_bytes_(std::min<std::size_t>(vector_bytes, 256)),
      stride_(stride_for(vector_bytes, max_links)),
      capacity_(capacity) {}

VectorCache* VectorCache::of(const RelFileNode& node, std::uint64_t generation,
                             std::size_t vector_bytes, std::uint32_t max_links) {
  auto& caches = held();
  FileKey key{node};
  if (hnsw_cache_mb <= 0) {
    caches.clear();  // turned off: give the memory back
    return nullptr;
  }
  auto budget = static_cast<std::size_t>(hnsw_cache_mb);
  auto it = caches.find(key);
  if (it != caches.end() &&
      (it->second.cache->vector_bytes_ != vector_bytes ||
       it->second.cache->max_links_ != max_links || it->second.cache->budget_mb_ != budget)) {
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
    std::size_t capacity =
        std::max<std::size_t>(16, (budget << 20) / stride_for(vector_bytes, max_links));
    Held h;
    h.cache.reset(new VectorCache(vector_bytes, max_links, capacity));
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
  table_.clear();
  upper_.clear();
  chunks_.clear();
  referenced_.clear();
  used_ = 0;
  hand_ = 0;
}

void VectorCache::grow_table() {
  std::vector<Mapping> old = std::move(table_);
  table_.assign(std::max<std::size_t>(1024, old.size() * 2), Mapping{0, kEmpty});
  for (const Mapping& m : old)
    if (m.slot != kEmpty) map(m.node, m.slot);
}

void VectorCache::map(NodeId n, std::uint32_t slot) {
  std::size_t i = home(n);
  while (table_[i].slot != kEmpty) i = (i + 1) & (table_.size() - 1);
  table_[i] = Mapping{n, slot};
}

void VectorCache::unmap(NodeId n) {
  const std::size_t mask = table_.size() - 1;
  std::size_t i = home(n);
  while (table_[i].node != n || table_[i].slot == kEmpty) i = (i + 1) & mask;
  // Backward shift: later members of the probe run move into the hole when their home position
  // allows, so that lookups never stop early at it.
  for (std::size_t j = (i + 1) & mask; table_[j].slot != kEmpty; j = (j + 1) & mask) {
    std::size_t h = home(table_[j].node);
    bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
    if (movable) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i].slot = kEmpty;
}

void VectorCache::put(NodeId n, const hnsw_pages::ElementHeader* h, const char* vector_bytes) {
  if (slot_of(n) != kEmpty) return;
  std::uint32_t slot;
  if (used_ < capacity_) {
    if (used_ % kChunkEntries == 0) {
      std::size_t entries = std::min(kChunkEntries, capacity_ - used_);
      chunks_.emplace_back(new Line[entries * stride_ / sizeof(Line)]);
    }
    if ((used_ + 1) * 2 > table_.size()) grow_table();
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
    unmap(entry(slot)->node);
  }
  Entry* e = entry(slot);
  e->node = n;
  e->heap_tid = h->heap_tid;
  e->level = h->level;
  e->flags = h->flags;
  e->err = h->err;
  for (int i = 0; i < hnsw_pages::kMaxFilterKeys; ++i) e->keys[i] = h->keys[i];
  e->link_edits = 0;
  e->link_count = kNoLinks;
  std::memcpy(reinterpret_cast<char*>(e) + vector_offset_, vector_bytes, vector_bytes_);
  map(n, slot);
  referenced_[slot] = 1;
}

void VectorCache::put_upper_links(NodeId n, int level, std::uint64_t link_edits, const NodeId* ids,
                                  std::uint32_t count) {
  // Bounded like the entries: upper levels hold about one node in m, so a quarter of the entry
  // capacity is only reached when entries were evicted many times over.
  if (upper_.size() >= capacity_ / 4 + 16) upper_.clear();
  UpperLinks& u = upper_[upper_key(n, level)];
  u.link_edits = link_edits;
  u.ids.assign(ids, ids + count);
}

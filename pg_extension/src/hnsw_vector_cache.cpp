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

// An upper bound of the elements one page can hold: each takes at least a level-0 element and its
// line pointer.
std::size_t elements_per_page_for(std::size_t element_bytes) {
  return std::max<std::size_t>(
      1, (BLCKSZ - SizeOfPageHeaderData) / (MAXALIGN(element_bytes) + sizeof(ItemIdData)));
}

}  // namespace

VectorCache::VectorCache(std::size_t vector_bytes, std::uint32_t max_links,
                         std::size_t element_bytes, std::size_t capacity)
    : vector_bytes_(vector_bytes),
      max_links_(max_links),
      element_bytes_(element_bytes),
      elements_per_page_(elements_per_page_for(element_bytes)),
      vector_offset_(vector_offset_for(max_links)),
      // The first lines of a vector: the hardware prefetcher streams the rest.
      prefetch_bytes_(std::min<std::size_t>(vector_bytes, 256)),
      stride_(stride_for(vector_bytes, max_links)),
      capacity_(capacity),
      upper_capacity_(max_links / 2) {}

VectorCache* VectorCache::of(const RelFileNode& node, std::uint64_t generation,
                             std::size_t vector_bytes, std::uint32_t max_links,
                             std::size_t element_bytes) {
  auto& caches = held();
  FileKey key{node};
  if (hnsw_cache_mb <= 0) {
    caches.clear();  // turned off: give the memory back
    return nullptr;
  }
  auto budget = static_cast<std::size_t>(hnsw_cache_mb);
  auto it = caches.find(key);
  if (it != caches.end() && (it->second.cache->vector_bytes_ != vector_bytes ||
                             it->second.cache->max_links_ != max_links ||
                             it->second.cache->element_bytes_ != element_bytes ||
                             it->second.cache->budget_mb_ != budget)) {
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
    h.cache.reset(new VectorCache(vector_bytes, max_links, element_bytes, capacity));
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
  slots_.clear();
  clear_upper();
  entries_ = ReservedMemory();
  used_ = 0;
  hand_ = 0;
}

void VectorCache::put(NodeId n, const hnsw_pages::ElementHeader* h, const char* vector_bytes) {
  std::size_t key = key_of(n);
  if (key == ~std::size_t{0}) return;
  if (key >= slots_.size()) slots_.resize(std::max(key + 1, slots_.size() * 3 / 2), kEmpty);
  if (slots_[key] != kEmpty) return;
  std::uint32_t slot;
  if (used_ < capacity_) {
    if (entries_.data() == nullptr) entries_ = ReservedMemory(capacity_ * stride_);
    slot = static_cast<std::uint32_t>(used_++);
  } else {
    // CLOCK: a slot read since the hand last passed gets a second chance.
    for (;;) {
      hand_ = (hand_ + 1) % capacity_;
      if (!entry(static_cast<std::uint32_t>(hand_))->referenced) break;
      entry(static_cast<std::uint32_t>(hand_))->referenced = 0;
    }
    slot = static_cast<std::uint32_t>(hand_);
    slots_[key_of(entry(slot)->node)] = kEmpty;
  }
  Entry* e = entry(slot);
  e->info.level = h->level;
  e->info.flags = h->flags;
  e->info.err = h->err;
  for (int i = 0; i < hnsw_pages::kMaxFilterKeys; ++i) e->info.keys[i] = h->keys[i];
  e->node = n;
  e->heap_tid = h->heap_tid;
  e->referenced = 1;
  e->link_edits = 0;
  e->link_count = kNoLinks;
  std::memcpy(reinterpret_cast<char*>(e) + vector_offset_, vector_bytes, vector_bytes_);
  slots_[key] = slot;
}

void VectorCache::clear_upper() {
  upper_table_.clear();
  upper_ids_.clear();
  upper_lists_ = 0;
}

void VectorCache::put_upper_links(NodeId n, int level, std::uint64_t link_edits, const NodeId* ids,
                                  std::uint32_t count) {
  if (count > upper_capacity_) return;  // not a list of this index: leave it uncached
  // Bounded like the entries: upper levels hold about one node in m, so a quarter of the entry
  // capacity is only reached when entries were evicted many times over.
  if (upper_lists_ >= capacity_ / 4 + 16) clear_upper();
  if ((upper_lists_ + 1) * 2 > upper_table_.size()) {
    std::vector<UpperLinks> old = std::move(upper_table_);
    upper_table_.assign(std::max<std::size_t>(256, old.size() * 2), UpperLinks{kNoUpper, 0, 0, 0});
    for (const UpperLinks& u : old)
      if (u.key != kNoUpper) upper_table_[upper_position(u.key)] = u;
  }
  const std::uint64_t key = upper_key(n, level);
  UpperLinks& u = upper_table_[upper_position(key)];
  if (u.key == kNoUpper) {
    u.key = key;
    u.first = static_cast<std::uint32_t>(upper_ids_.size());
    upper_ids_.resize(upper_ids_.size() + upper_capacity_);
    ++upper_lists_;
  }
  u.link_edits = link_edits;
  u.count = count;
  std::copy(ids, ids + count, upper_ids_.begin() + u.first);
}

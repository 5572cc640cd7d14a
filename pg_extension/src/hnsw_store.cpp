#include "hnsw_store.h"

extern "C" {
#include "access/generic_xlog.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
}

#include <algorithm>
#include <cstring>

#include "hnsw/metric.h"
#include "hnsw_directory.h"
#include "hnsw_recent_buffer.h"
#include "pg_error.h"
#include "vector/float16.h"

using namespace hnsw_pages;
namespace core = llmspell::hnsw;

namespace {

inline std::size_t vector_offset(uint32 m, int level) {
  return sizeof(ElementHeader) + links_bytes(m, level);
}

// Element n on a locked page; ERROR when n does not name an element (a corrupted link).
ElementHeader* element_on(Relation index, Page page, NodeId n) {
  OffsetNumber off = node_offset(n);
  if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
    ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
                    errmsg("llmspell_hnsw index \"%s\" links to a missing element (%u,%u)",
                           RelationGetRelationName(index), node_block(n), off)));
  return reinterpret_cast<ElementHeader*>(PageGetItem(page, PageGetItemId(page, off)));
}

uint32* link_list(ElementHeader* h, uint32 m, int level) {
  return reinterpret_cast<uint32*>(reinterpret_cast<char*>(h) + links_offset(m, level));
}

}  // namespace

PageStore::PageStore(Relation index, const MetaData& meta, uint64 partition_key,
                     VectorCache* vectors)
    : index_(index),
      dims_(meta.dims),
      m_(meta.m),
      metric_(meta.metric),
      format_(meta.vector_format),
      partition_key_(partition_key),
      vectors_(vectors),
      info_(info_slots()),
      info_epoch_(++info_epochs()),
      scratch_a_(meta.dims),
      scratch_b_(meta.dims) {}

PageStore::NodeInfo* PageStore::info_slots() {
  static NodeInfo slots[kInfoCacheSize];
  return slots;
}

std::uint64_t& PageStore::info_epochs() {
  static std::uint64_t epochs = 0;
  return epochs;
}

void PageStore::prefetch_buffer_header(BlockNumber block) const {
  hnsw_prefetch_buffer_header(index_, block);
}

Buffer PageStore::pin(BlockNumber block) const { return hnsw_read_buffer(index_, block); }

void PageStore::check_interrupts() const {
  if ((++calls_ & 255) == 0) pg_guard([] { CHECK_FOR_INTERRUPTS(); });
}

void PageStore::remember(NodeId n, const ElementHeader* h) const {
  NodeInfo& slot = info_[info_slot(n)];
  slot.id = n;
  slot.epoch = info_epoch_;
  slot.info.level = h->level;
  slot.info.flags = h->flags;
  slot.info.err = h->err;
  for (int i = 0; i < kMaxFilterKeys; ++i) slot.info.keys[i] = h->keys[i];
}

const VectorCache::Info& PageStore::info(NodeId n) const {
  if (vectors_ != nullptr) {
    if (const VectorCache::Entry* e = vectors_->find(n)) return e->info;
  }
  NodeInfo& slot = info_[info_slot(n)];
  if (slot.id == n && slot.epoch == info_epoch_) return slot.info;
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    remember(n, element_on(index_, BufferGetPage(buf), n));
    UnlockReleaseBuffer(buf);
  });
  return slot.info;
}

float PageStore::element_distance(const float* query, const ElementHeader* h) const {
  return vector_distance(query, reinterpret_cast<const char*>(h) + vector_offset(m_, h->level));
}

float PageStore::vector_distance(const float* query, const char* v) const {
  auto metric = static_cast<core::Metric>(metric_);
  if (format_ == kFloat32)
    return core::metric_distance(metric, reinterpret_cast<const float*>(v), query, dims_);
  llmspell::vector::halves_to_floats(reinterpret_cast<const uint16*>(v), scratch_b_.data(), dims_);
  return core::metric_distance(metric, scratch_b_.data(), query, dims_);
}

float PageStore::distance(const float* query, NodeId n) const {
  if (vectors_ != nullptr) {
    float d = 0;
    distances(query, &n, 1, &d);
    return d;
  }
  check_interrupts();
  float d = 0;
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    ElementHeader* h = element_on(index_, BufferGetPage(buf), n);
    remember(n, h);
    d = element_distance(query, h);
    UnlockReleaseBuffer(buf);
  });
  return d;
}

namespace {

// Where element n probably is on a page that is pinned but not locked: only a prefetch hint,
// never dereferenced for its value (the line pointer may be changing under a writer).
const char* element_hint(Page page, NodeId n) {
  ItemId item = PageGetItemId(page, node_offset(n));
  unsigned off = ItemIdGetOffset(item);
  return off < BLCKSZ ? static_cast<const char*>(page) + off : static_cast<const char*>(page);
}

}  // namespace

namespace {

// Cache misses of one distances() call of a scan: their ids, where their results go, and a copy
// of each element's header and vector taken under the buffer lock (the cache is filled after
// the lock is gone: filling it allocates, which must not happen inside pg_guard). One backend
// runs one scan step at a time, so a single set serves every scan.
struct Misses {
  std::vector<PageStore::NodeId> ids;
  std::vector<std::uint32_t> positions;
  std::vector<float> out;
  std::vector<char> copies;
};
Misses misses;

}  // namespace

void PageStore::distances(const float* query, const NodeId* ids, std::uint32_t n,
                          float* out) const {
  if (vectors_ == nullptr) {
    page_distances(query, ids, n, out);
    return;
  }
  misses.ids.clear();
  misses.positions.clear();
  constexpr std::uint32_t kBatch = 64;
  VectorCache::Entry* hits[kBatch];
  for (std::uint32_t first = 0; first < n; first += kBatch) {
    const std::uint32_t count = std::min(kBatch, n - first);
    // Every vector of the batch is requested before the first is read: each is a cache miss,
    // and so is each position of the node -> entry map.
    for (std::uint32_t i = 0; i < count; ++i) vectors_->prefetch_slot(ids[first + i]);
    for (std::uint32_t i = 0; i < count; ++i) {
      hits[i] = vectors_->find(ids[first + i]);
      if (hits[i] != nullptr) vectors_->prefetch(hits[i]);
    }
    for (std::uint32_t i = 0; i < count; ++i) {
      if (hits[i] != nullptr) {
        out[first + i] = vector_distance(query, vectors_->vector(hits[i]));
        VectorCache::touch(hits[i]);
      } else {
        misses.ids.push_back(ids[first + i]);
        misses.positions.push_back(first + i);
      }
    }
  }
  if (misses.ids.empty()) return;
  auto count = static_cast<std::uint32_t>(misses.ids.size());
  const std::size_t vbytes = vector_bytes(dims_, format_);
  misses.out.resize(count);
  misses.copies.resize(count * (sizeof(ElementHeader) + vbytes));
  page_distances(query, misses.ids.data(), count, misses.out.data());
  for (std::uint32_t i = 0; i < count; ++i) {
    out[misses.positions[i]] = misses.out[i];
    const char* copy = misses.copies.data() + i * (sizeof(ElementHeader) + vbytes);
    vectors_->put(misses.ids[i], reinterpret_cast<const ElementHeader*>(copy),
                  copy + sizeof(ElementHeader));
  }
}

void PageStore::page_distances(const float* query, const NodeId* ids, std::uint32_t n,
                               float* out) const {
  constexpr std::uint32_t kBatch = 64;
  const std::size_t vbytes = vector_bytes(dims_, format_);
  for (std::uint32_t first = 0; first < n; first += kBatch) {
    const std::uint32_t count = std::min(kBatch, n - first);
    const NodeId* batch = ids + first;
    check_interrupts();
    pg_guard([&] {
      Buffer bufs[kBatch];
      // The buffer headers, the line pointers, then the element headers are fetched for the
      // whole batch before the first of them is needed: each is a cache miss of its own.
      for (std::uint32_t i = 0; i < count; ++i) prefetch_buffer_header(node_block(batch[i]));
      for (std::uint32_t i = 0; i < count; ++i) {
        bufs[i] = pin(node_block(batch[i]));
        __builtin_prefetch(PageGetItemId(BufferGetPage(bufs[i]), node_offset(batch[i])));
      }
      for (std::uint32_t i = 0; i < count; ++i)
        __builtin_prefetch(element_hint(BufferGetPage(bufs[i]), batch[i]));
      for (std::uint32_t i = 0; i < count; ++i) {
        if (i + 1 < count) {
          const char* next = element_hint(BufferGetPage(bufs[i + 1]), batch[i + 1]);
          __builtin_prefetch(next + sizeof(ElementHeader) + links_bytes(m_, 0));
        }
        LockBuffer(bufs[i], BUFFER_LOCK_SHARE);
        ElementHeader* h = element_on(index_, BufferGetPage(bufs[i]), batch[i]);
        remember(batch[i], h);
        out[first + i] = element_distance(query, h);
        if (vectors_ != nullptr) {
          char* copy = misses.copies.data() + (first + i) * (sizeof(ElementHeader) + vbytes);
          std::memcpy(copy, h, sizeof(ElementHeader));
          std::memcpy(copy + sizeof(ElementHeader),
                      reinterpret_cast<const char*>(h) + vector_offset(m_, h->level), vbytes);
        }
        UnlockReleaseBuffer(bufs[i]);
      }
    });
  }
}

void PageStore::read_vector(NodeId n, float* out) const {
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    ElementHeader* h = element_on(index_, BufferGetPage(buf), n);
    const char* v = reinterpret_cast<const char*>(h) + vector_offset(m_, h->level);
    if (format_ == kFloat32) {
      std::memcpy(out, v, sizeof(float) * dims_);
    } else {
      llmspell::vector::halves_to_floats(reinterpret_cast<const uint16*>(v), out, dims_);
    }
    UnlockReleaseBuffer(buf);
  });
}

float PageStore::distance(NodeId a, NodeId b) const {
  read_vector(a, scratch_a_.data());
  return distance(scratch_a_.data(), b);
}

bool PageStore::cached_heap_tid(NodeId n, ItemPointerData* tid) const {
  const VectorCache::Entry* e = vectors_ != nullptr ? vectors_->find(n) : nullptr;
  if (e == nullptr) return false;
  *tid = e->heap_tid;
  return true;
}

bool PageStore::confirm(const float* query, NodeId n, float distance, ItemPointerData* tid) const {
  bool live = false;
  float d = 0;
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    ElementHeader* h = element_on(index_, BufferGetPage(buf), n);
    live = (h->flags & (kDeleted | kFree)) == 0;
    if (live) {
      d = element_distance(query, h);
      *tid = h->heap_tid;
    }
    UnlockReleaseBuffer(buf);
  });
  return live && d == distance;
}

std::uint32_t PageStore::links(NodeId n, int level, NodeId* out) const {
  VectorCache::Entry* cached = nullptr;
  if (scanning_ && level == 0) {
    cached = vectors_->find(n);
    if (cached != nullptr && cached->link_count != VectorCache::kNoLinks &&
        cached->link_edits == scan_entry_.link_edits) {
      VectorCache::touch(cached);
      std::memcpy(out, vectors_->links(cached), sizeof(NodeId) * cached->link_count);
      return cached->link_count;
    }
  } else if (scanning_) {
    const VectorCache::UpperLinks* u = vectors_->upper_links(n, level);
    if (u != nullptr && u->link_edits == scan_entry_.link_edits) {
      std::memcpy(out, vectors_->upper_ids(u), sizeof(NodeId) * u->count);
      return u->count;
    }
  }
  std::uint32_t count = 0;
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    ElementHeader* h = element_on(index_, BufferGetPage(buf), n);
    remember(n, h);
    if (level <= h->level && !(h->flags & kFree)) {
      const uint32* l = link_list(h, m_, level);
      count = l[0];
      std::memcpy(out, l + 1, sizeof(NodeId) * count);
    }
    UnlockReleaseBuffer(buf);
  });
  // Tagged with the count this scan started with: links written since then are read again by
  // the next scan, which sees a higher count.
  if (cached != nullptr) {
    std::memcpy(vectors_->links(cached), out, sizeof(NodeId) * count);
    cached->link_count = count;
    cached->link_edits = scan_entry_.link_edits;
  } else if (scanning_ && level > 0) {
    vectors_->put_upper_links(n, level, scan_entry_.link_edits, out, count);
  }
  return count;
}

bool PageStore::replace_links(NodeId n, int level, const NodeId* expected,
                              std::uint32_t expected_count, const NodeId* ids,
                              std::uint32_t count) {
  bool replaced = false;
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
    ElementHeader* h = element_on(index_, BufferGetPage(buf), n);
    if (level <= h->level && !(h->flags & kFree)) {
      const uint32* l = link_list(h, m_, level);
      bool unchanged = expected == nullptr ||
                       (l[0] == expected_count &&
                        std::memcmp(l + 1, expected, sizeof(NodeId) * expected_count) == 0);
      if (unchanged) {
        GenericXLogState* state = GenericXLogStart(index_);
        Page page = GenericXLogRegisterBuffer(state, buf, 0);
        uint32* w = link_list(element_on(index_, page, n), m_, level);
        w[0] = count;
        std::memcpy(w + 1, ids, sizeof(NodeId) * count);
        GenericXLogFinish(state);
        replaced = true;
      }
    } else {
      replaced = true;  // the slot no longer has this level: nothing to update
    }
    UnlockReleaseBuffer(buf);
  });
  return replaced;
}

void PageStore::set_links(NodeId n, int level, const NodeId* ids, std::uint32_t count) {
  replace_links(n, level, nullptr, 0, ids, count);
}

void PageStore::set_deleted(NodeId n, bool d) {
  pg_guard([&] {
    Buffer buf = pin(node_block(n));
    LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
    ElementHeader* h = element_on(index_, BufferGetPage(buf), n);
    bool is = (h->flags & kDeleted) != 0;
    if (is != d) {
      GenericXLogState* state = GenericXLogStart(index_);
      Page page = GenericXLogRegisterBuffer(state, buf, 0);
      ElementHeader* w = element_on(index_, page, n);
      w->flags = static_cast<uint8>(d ? (w->flags | kDeleted) : (w->flags & ~kDeleted));
      GenericXLogFinish(state);
      remember(n, w);
    }
    UnlockReleaseBuffer(buf);
  });
}

BlockNumber PageStore::block_count() const {
  BlockNumber n = 0;
  pg_guard([&] { n = RelationGetNumberOfBlocks(index_); });
  return n;
}

void PageStore::nodes_on_page(BlockNumber b, std::vector<NodeId>* out) const {
  check_interrupts();
  NodeId ids[MaxOffsetNumber];
  int count = 0;
  pg_guard([&] {
    Buffer buf = pin(b);
    LockBuffer(buf, BUFFER_LOCK_SHARE);
    Page page = BufferGetPage(buf);
    if (!PageIsNew(page) && opaque(page)->type == kElementPage) {
      OffsetNumber max = PageGetMaxOffsetNumber(page);
      for (OffsetNumber off = FirstOffsetNumber; off <= max; ++off) {
        auto* h = reinterpret_cast<ElementHeader*>(PageGetItem(page, PageGetItemId(page, off)));
        if (h->flags & kFree) continue;
        if (h->keys[0] != partition_key_) continue;
        NodeId n = node_id(b, off);
        remember(n, h);
        ids[count++] = n;
      }
    }
    UnlockReleaseBuffer(buf);
  });
  out->insert(out->end(), ids, ids + count);
}

// ---- partition directory --------------------------------------------------------------------

bool PageStore::find_directory_entry(bool create, BlockNumber* block, int* index) const {
  if (directory_block_ != InvalidBlockNumber) {
    *block = directory_block_;
    *index = directory_index_;
    return true;
  }
  bool found = false;
  pg_guard([&] { found = hnsw_directory_find(index_, partition_key_, create, block, index); });
  if (found) {
    directory_block_ = *block;
    directory_index_ = *index;
  }
  return found;
}

void PageStore::begin_scan(const DirectoryEntry& entry) {
  if (vectors_ == nullptr) return;
  scan_entry_ = entry;
  scanning_ = true;
}

NodeId PageStore::entry_point() const {
  if (scanning_) return scan_entry_.entry;
  BlockNumber block;
  int index;
  if (!find_directory_entry(false, &block, &index)) return core::kNoNode;
  DirectoryEntry e;
  pg_guard([&] { e = hnsw_directory_read(index_, block, index); });
  return e.entry;
}

int PageStore::max_level() const {
  if (scanning_) return scan_entry_.max_level;
  BlockNumber block;
  int index;
  if (!find_directory_entry(false, &block, &index)) return -1;
  DirectoryEntry e;
  pg_guard([&] { e = hnsw_directory_read(index_, block, index); });
  return e.max_level;
}

std::int64_t PageStore::partition_count() const {
  BlockNumber block;
  int index;
  if (!find_directory_entry(false, &block, &index)) return 0;
  DirectoryEntry e;
  pg_guard([&] { e = hnsw_directory_read(index_, block, index); });
  return e.count;
}

void PageStore::set_entry_point(NodeId n, int level) {
  BlockNumber block;
  int index;
  find_directory_entry(true, &block, &index);
  pg_guard([&] { hnsw_directory_update(index_, block, index, n, level, false, 0); });
}

void PageStore::raise_entry_point(NodeId n, int level) {
  BlockNumber block;
  int index;
  find_directory_entry(true, &block, &index);
  pg_guard([&] { hnsw_directory_update(index_, block, index, n, level, true, 0); });
}

void PageStore::adjust_count(std::int64_t delta) {
  BlockNumber block;
  int index;
  find_directory_entry(true, &block, &index);
  pg_guard([&] { hnsw_directory_adjust_count(index_, block, index, delta); });
}

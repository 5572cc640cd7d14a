// INSERT (and UPDATE, which inserts a new version): the element is written to a reused slot or
// appended, then linked into its partition's graph by the core through the page store.
#include "hnsw_am.h"

extern "C" {
#include "access/generic_xlog.h"
#include "common/pg_prng.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
}

#include <algorithm>
#include <cstring>
#include <vector>

#include "hnsw/graph.h"
#include "hnsw/metric.h"
#include "hnsw_directory.h"
#include "hnsw_element.h"
#include "hnsw_store.h"
#include "pg_error.h"
#include "vector_type.h"

using namespace hnsw_pages;
namespace core = llmspell::hnsw;

namespace {

constexpr BlockNumber kFreeSlotSearchPages = 32;  // pages examined for a reusable slot

// Writes the element over a free slot big enough for `level`, searching from the free hint.
// Returns kNoNode when there is none nearby (and moves the hint past the pages examined).
NodeId reuse_free_slot(Relation index, const MetaData& meta, const char* element,
                       std::size_t size) {
  if (meta.free_hint == InvalidBlockNumber) return core::kNoNode;
  BlockNumber nblocks = RelationGetNumberOfBlocks(index);
  BlockNumber end = std::min(nblocks, meta.free_hint + kFreeSlotSearchPages);
  NodeId found = core::kNoNode;
  BlockNumber first_with_free = InvalidBlockNumber;  // any size: the hint must not skip it
  BlockNumber b = meta.free_hint;
  for (; b < end && found == core::kNoNode; ++b) {
    Buffer buf = ReadBuffer(index, b);
    LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
    Page page = BufferGetPage(buf);
    if (!PageIsNew(page) && opaque(page)->type == kElementPage) {
      OffsetNumber max = PageGetMaxOffsetNumber(page);
      for (OffsetNumber off = FirstOffsetNumber; off <= max; ++off) {
        ItemId id = PageGetItemId(page, off);
        auto* h = reinterpret_cast<ElementHeader*>(PageGetItem(page, id));
        if (!(h->flags & kFree)) continue;
        if (first_with_free == InvalidBlockNumber) first_with_free = b;
        if (ItemIdGetLength(id) < size) continue;
        GenericXLogState* state = GenericXLogStart(index);
        Page w = GenericXLogRegisterBuffer(state, buf, 0);
        char* item = reinterpret_cast<char*>(PageGetItem(w, PageGetItemId(w, off)));
        std::memcpy(item, element, size);
        GenericXLogFinish(state);
        found = node_id(b, off);
        break;
      }
    }
    UnlockReleaseBuffer(buf);
  }
  // Remember how far this search got, so the next one starts there.
  BlockNumber hint = first_with_free != InvalidBlockNumber ? first_with_free
                     : b >= nblocks                        ? InvalidBlockNumber
                                                           : b;
  if (hint != meta.free_hint) {
    Buffer metabuf = ReadBuffer(index, kMetaBlock);
    LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
    GenericXLogState* state = GenericXLogStart(index);
    Page page = GenericXLogRegisterBuffer(state, metabuf, 0);
    if (hnsw_pages::meta(page)->free_hint == meta.free_hint)
      hnsw_pages::meta(page)->free_hint = hint;
    GenericXLogFinish(state);
    UnlockReleaseBuffer(metabuf);
  }
  return found;
}

// Appends the element on the insert page, or on a new page when it is full.
NodeId append_element(Relation index, const char* element, std::size_t size) {
  for (;;) {
    Buffer metabuf = ReadBuffer(index, kMetaBlock);
    LockBuffer(metabuf, BUFFER_LOCK_SHARE);
    BlockNumber target = hnsw_pages::meta(BufferGetPage(metabuf))->insert_block;
    UnlockReleaseBuffer(metabuf);
    if (target != InvalidBlockNumber) {
      Buffer buf = ReadBuffer(index, target);
      LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
      Page page = BufferGetPage(buf);
      if (PageGetFreeSpace(page) >= size &&
          PageGetMaxOffsetNumber(page) < (1u << kOffsetBits) - 2) {
        GenericXLogState* state = GenericXLogStart(index);
        Page w = GenericXLogRegisterBuffer(state, buf, 0);
        OffsetNumber off = PageAddItem(w, (Item)element, size, InvalidOffsetNumber, false, false);
        if (off == InvalidOffsetNumber) elog(ERROR, "llmspell_hnsw: failed to add an element");
        GenericXLogFinish(state);
        UnlockReleaseBuffer(buf);
        return node_id(target, off);
      }
      UnlockReleaseBuffer(buf);
    }
    // Full (or no insert page yet): a new page becomes the insert page.
    Buffer fresh = hnsw_new_page(index, kElementPage);
    BlockNumber fresh_block = BufferGetBlockNumber(fresh);
    UnlockReleaseBuffer(fresh);
    metabuf = ReadBuffer(index, kMetaBlock);
    LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
    GenericXLogState* state = GenericXLogStart(index);
    Page page = GenericXLogRegisterBuffer(state, metabuf, 0);
    if (hnsw_pages::meta(page)->insert_block == target)
      hnsw_pages::meta(page)->insert_block = fresh_block;
    GenericXLogFinish(state);
    UnlockReleaseBuffer(metabuf);
  }
}

}  // namespace

void hnsw_insert_element(Relation index, const MetaData& meta, const float* vector,
                         const uint64* keys, ItemPointer heap_tid) {
  core::Params params = hnsw_params(meta);
  int level = core::sample_level(params, pg_prng_uint64(&pg_global_prng_state));
  std::size_t size = element_size(meta.m, meta.dims, meta.vector_format, level);
  char* element = static_cast<char*>(palloc(size));
  float* prepared = static_cast<float*>(palloc(sizeof(float) * meta.dims));
  core::prepare_vector(params.metric, vector, prepared, meta.dims);
  hnsw_fill_element(element, meta, level, *heap_tid, keys, prepared);

  NodeId node = reuse_free_slot(index, meta, element, size);
  if (node == core::kNoNode) node = append_element(index, element, size);

  CoreError err = call_core([&] {
    PageStore store(index, meta, keys[0]);
    core::Graph<PageStore> graph(params, store);
    graph.link(node, prepared);
    store.adjust_count(1);
  });
  raise_core_error(err);
  pfree(element);
  pfree(prepared);
}

bool hnsw_insert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                 IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo* info) {
  (void)heap;
  (void)check_unique;
  (void)index_unchanged;
  (void)info;
  if (isnull[0]) return false;
  // Work in a short-lived context: detoasted values and page copies go away with it.
  MemoryContext context =
      AllocSetContextCreate(CurrentMemoryContext, "llmspell_hnsw insert", ALLOCSET_DEFAULT_SIZES);
  MemoryContext old = MemoryContextSwitchTo(context);
  MetaData meta = hnsw_read_meta(index);
  PgVector* v = pg_vector_from_datum(values[0]);
  pg_vector_check_typmod(v->dim, static_cast<int32>(meta.dims));
  uint64 keys[kMaxFilterKeys] = {0, 0};
  for (int c = 0; c < meta.filter_keys; ++c)
    keys[c] = hnsw_key_hash(index, c + 2, values[c + 1], isnull[c + 1]);
  hnsw_insert_element(index, meta, v->x, keys, heap_tid);
  MemoryContextSwitchTo(old);
  MemoryContextDelete(context);
  return false;
}

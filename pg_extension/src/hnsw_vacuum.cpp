// VACUUM: dead heap tuples leave the graph. Their elements are marked deleted (they stop being
// returned), the neighbours they linked to are repaired, then one pass relinks every element
// that still points to a deleted one, and only then are the slots freed for reuse by inserts.
#include "hnsw_am.h"

extern "C" {
#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
}

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_set>
#include <vector>

#include "hnsw/graph.h"
#include "hnsw_element.h"
#include "hnsw_store.h"
#include "pg_error.h"

using namespace hnsw_pages;
namespace core = llmspell::hnsw;

namespace {

struct VacuumWork {
  std::map<uint64, std::vector<NodeId>> dead;  // per partition, newly dead
  std::unordered_set<NodeId> all_deleted;      // newly dead and earlier deleted, not yet free
  double live = 0;
};

// Pass 1: which elements point to dead heap tuples.
void collect(Relation index, VacuumWork& w, IndexBulkDeleteCallback callback, void* state) {
  BlockNumber nblocks = 0;
  pg_guard([&] { nblocks = RelationGetNumberOfBlocks(index); });
  std::vector<std::pair<NodeId, uint64>> page_dead;
  for (BlockNumber b = kDirectoryBlock + 1; b < nblocks; ++b) {
    page_dead.clear();
    NodeId deleted[MaxOffsetNumber];
    int ndeleted = 0;
    double live = 0;
    pg_guard([&] {
      vacuum_delay_point();
      Buffer buf = ReadBuffer(index, b);
      LockBuffer(buf, BUFFER_LOCK_SHARE);
      Page page = BufferGetPage(buf);
      if (!PageIsNew(page) && opaque(page)->type == kElementPage) {
        OffsetNumber max = PageGetMaxOffsetNumber(page);
        for (OffsetNumber off = FirstOffsetNumber; off <= max; ++off) {
          auto* h = reinterpret_cast<ElementHeader*>(PageGetItem(page, PageGetItemId(page, off)));
          if (h->flags & kFree) continue;
          if (h->flags & kDeleted) {
            deleted[ndeleted++] = node_id(b, off);
          } else if (callback(&h->heap_tid, state)) {
            deleted[ndeleted++] = node_id(b, off);
            page_dead.emplace_back(node_id(b, off), h->keys[0]);
          } else {
            live += 1;
          }
        }
      }
      UnlockReleaseBuffer(buf);
    });
    w.live += live;
    w.all_deleted.insert(deleted, deleted + ndeleted);
    for (auto& [n, key] : page_dead) w.dead[key].push_back(n);
  }
}

// Pass 3: elements that still link to a deleted element are relinked around it.
void consolidate(Relation index, const MetaData& meta, VacuumWork& w) {
  if (w.all_deleted.empty()) return;
  core::Params params = hnsw_params(meta);
  std::map<uint64, std::unique_ptr<PageStore>> stores;
  std::map<uint64, std::unique_ptr<core::Graph<PageStore>>> graphs;
  BlockNumber nblocks = 0;
  pg_guard([&] { nblocks = RelationGetNumberOfBlocks(index); });
  std::vector<std::pair<NodeId, uint64>> stale;
  for (BlockNumber b = kDirectoryBlock + 1; b < nblocks; ++b) {
    stale.clear();
    pg_guard([&] {
      vacuum_delay_point();
      Buffer buf = ReadBuffer(index, b);
      LockBuffer(buf, BUFFER_LOCK_SHARE);
      Page page = BufferGetPage(buf);
      if (!PageIsNew(page) && opaque(page)->type == kElementPage) {
        OffsetNumber max = PageGetMaxOffsetNumber(page);
        for (OffsetNumber off = FirstOffsetNumber; off <= max; ++off) {
          auto* h = reinterpret_cast<ElementHeader*>(PageGetItem(page, PageGetItemId(page, off)));
          if (h->flags & (kFree | kDeleted)) continue;
          bool points_to_deleted = false;
          for (int l = 0; l <= h->level && !points_to_deleted; ++l) {
            const uint32* links = hnsw_element_links(h, meta.m, l);
            for (uint32 i = 0; i < links[0] && !points_to_deleted; ++i)
              points_to_deleted = w.all_deleted.count(links[1 + i]) != 0;
          }
          if (points_to_deleted) stale.emplace_back(node_id(b, off), h->keys[0]);
        }
      }
      UnlockReleaseBuffer(buf);
    });
    for (auto& [n, key] : stale) {
      auto& store = stores[key];
      if (!store) {
        store = std::make_unique<PageStore>(index, meta, key);
        graphs[key] = std::make_unique<core::Graph<PageStore>>(params, *store);
      }
      graphs[key]->repair_node(n);
    }
  }
}

// Pass 4: deleted elements become free slots; returns the first block holding one.
BlockNumber free_slots(Relation index, const VacuumWork& w) {
  std::map<BlockNumber, std::vector<OffsetNumber>> by_block;
  for (NodeId n : w.all_deleted) by_block[node_block(n)].push_back(node_offset(n));
  for (auto& [block, offsets] : by_block) {
    pg_guard([&] {
      Buffer buf = ReadBuffer(index, block);
      LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
      GenericXLogState* state = GenericXLogStart(index);
      Page page = GenericXLogRegisterBuffer(state, buf, 0);
      for (OffsetNumber off : offsets) {
        auto* h = reinterpret_cast<ElementHeader*>(PageGetItem(page, PageGetItemId(page, off)));
        h->flags = kFree | kDeleted;
      }
      GenericXLogFinish(state);
      UnlockReleaseBuffer(buf);
    });
  }
  return by_block.empty() ? InvalidBlockNumber : by_block.begin()->first;
}

void run_vacuum(Relation index, IndexBulkDeleteResult* stats, IndexBulkDeleteCallback callback,
                void* state) {
  MetaData meta;
  pg_guard([&] { meta = hnsw_read_meta(index); });
  VacuumWork w;
  collect(index, w, callback, state);
  core::Params params = hnsw_params(meta);
  // Pass 2: per partition, the core marks the dead deleted and repairs their neighbours (and
  // moves the entry point off a deleted node).
  double removed = 0;
  for (auto& [key, nodes] : w.dead) {
    PageStore store(index, meta, key);
    core::Graph<PageStore> graph(params, store);
    graph.remove(nodes);
    store.adjust_count(-static_cast<std::int64_t>(nodes.size()));
    removed += static_cast<double>(nodes.size());
  }
  consolidate(index, meta, w);
  // Deletes can strand live nodes; give them a way in before the slots are freed.
  for (auto& [key, nodes] : w.dead) {
    PageStore store(index, meta, key);
    core::Graph<PageStore> graph(params, store);
    graph.reconnect();
    store.adjust_count(0);  // counts the links reconnect() wrote (scan caches)
  }
  BlockNumber first_free = free_slots(index, w);
  if (first_free != InvalidBlockNumber) {
    pg_guard([&] {
      Buffer metabuf = ReadBuffer(index, kMetaBlock);
      LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
      GenericXLogState* st = GenericXLogStart(index);
      Page page = GenericXLogRegisterBuffer(st, metabuf, 0);
      MetaData* m = hnsw_pages::meta(page);
      if (m->free_hint == InvalidBlockNumber || first_free < m->free_hint)
        m->free_hint = first_free;
      m->generation++;
      GenericXLogFinish(st);
      UnlockReleaseBuffer(metabuf);
    });
  }
  stats->tuples_removed += removed;
  stats->num_index_tuples = w.live;
}

}  // namespace

IndexBulkDeleteResult* hnsw_bulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                       IndexBulkDeleteCallback callback, void* callback_state) {
  if (stats == NULL)
    stats = static_cast<IndexBulkDeleteResult*>(palloc0(sizeof(IndexBulkDeleteResult)));
  CoreError err = call_core([&] { run_vacuum(info->index, stats, callback, callback_state); });
  raise_core_error(err);
  stats->num_pages = RelationGetNumberOfBlocks(info->index);
  return stats;
}

static bool keep_everything(ItemPointer, void*) { return false; }

IndexBulkDeleteResult* hnsw_vacuumcleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats) {
  if (info->analyze_only) return stats;
  if (stats == NULL) {
    // No bulk delete ran: count the live elements for the statistics.
    stats = static_cast<IndexBulkDeleteResult*>(palloc0(sizeof(IndexBulkDeleteResult)));
    CoreError err = call_core([&] {
      VacuumWork w;
      collect(info->index, w, keep_everything, nullptr);
      stats->num_index_tuples = w.live;
    });
    raise_core_error(err);
  }
  stats->num_pages = RelationGetNumberOfBlocks(info->index);
  return stats;
}

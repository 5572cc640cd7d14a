// CREATE INDEX: heap tuples are collected per partition, each partition's graph is built in
// memory by the shared core (on several threads), then written to pages in one pass. A build
// that outgrows maintenance_work_mem writes what it has and inserts the rest one by one.
#include "hnsw_am.h"

extern "C" {
#include "access/generic_xlog.h"
#include "access/tableam.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
}

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <vector>

#include "hnsw/index.h"
#include "hnsw_directory.h"
#include "hnsw_element.h"
#include "pg_error.h"
#include "vector_type.h"

using namespace hnsw_pages;
namespace core = llmspell::hnsw;

namespace {

struct PartitionRows {
  std::vector<ItemPointerData> tids;
  std::vector<uint64> keys;  // kMaxFilterKeys per row
  std::vector<float> vectors;
};

struct BuildState {
  Relation index = nullptr;
  MetaData meta{};
  std::map<uint64, PartitionRows> partitions;
  double tuples = 0;
  std::size_t bytes = 0;
  std::size_t budget = 0;
  bool spilled = false;
  unsigned threads = 1;
  // Rows the planner expects in the heap (0 when unknown): the first partition reserves room
  // for them, so collecting does not copy the vectors again each time the array grows.
  std::size_t expected_rows = 0;
};

// Frees the C++ build state if the build is cancelled or fails (the memory context dies).
void free_build_state(void* arg) {
  auto** holder = static_cast<BuildState**>(arg);
  delete *holder;
  *holder = nullptr;
}

std::size_t per_row_bytes(const MetaData& meta) {
  return sizeof(float) * meta.dims * 2 + sizeof(uint32) * (2 * meta.m + 2) + 96;
}

// Lays out one built partition on consecutive new pages and writes them, WAL-logged.
void write_partition(BuildState& st, uint64 key, PartitionRows& rows, const core::Index& graph) {
  const core::ArenaStore& arena = graph.arena();
  std::size_t n = arena.id_limit();
  const MetaData& meta = st.meta;
  BlockNumber first = RelationGetNumberOfBlocks(st.index);
  // Pass 1: where each node goes.
  std::vector<NodeId> place(n);
  {
    BlockNumber block = first;
    OffsetNumber offset = 0;
    std::size_t used = 0;
    for (std::size_t i = 0; i < n; ++i) {
      std::size_t size =
          element_size(meta.m, meta.dims, meta.vector_format, arena.level(static_cast<NodeId>(i))) +
          sizeof(ItemIdData);
      if (used + size > page_capacity() || offset >= (1u << kOffsetBits) - 1) {
        ++block;
        offset = 0;
        used = 0;
      }
      used += size;
      place[i] = node_id(block, ++offset);
    }
  }
  // Pass 2: fill and write page by page.
  PGAlignedBlock image;
  std::vector<char> element(page_capacity());
  NodeId links[2 * core::kMaxM];
  std::size_t i = 0;
  while (i < n) {
    BlockNumber block = node_block(place[i]);
    Page page = image.data;
    PageInit(page, BLCKSZ, sizeof(PageOpaque));
    opaque(page)->next = InvalidBlockNumber;
    opaque(page)->type = kElementPage;
    opaque(page)->page_id = kPageId;
    for (; i < n && node_block(place[i]) == block; ++i) {
      auto node = static_cast<NodeId>(i);
      int level = arena.level(node);
      std::uint64_t label = graph.node_label(node);
      std::size_t size = element_size(meta.m, meta.dims, meta.vector_format, level);
      hnsw_fill_element(element.data(), meta, level, rows.tids[label],
                        &rows.keys[label * kMaxFilterKeys], arena.vector(node));
      auto* h = reinterpret_cast<ElementHeader*>(element.data());
      for (int l = 0; l <= level; ++l) {
        uint32 count = arena.links(node, l, links);
        uint32* dst = hnsw_element_links(h, meta.m, l);
        dst[0] = count;
        for (uint32 j = 0; j < count; ++j) dst[1 + j] = place[links[j]];
      }
      pg_guard([&] {
        if (PageAddItem(page, reinterpret_cast<Item>(element.data()), size, node_offset(place[i]),
                        false, false) != node_offset(place[i]))
          elog(ERROR, "llmspell_hnsw: could not place an element on a new page");
      });
    }
    pg_guard([&] {
      Buffer buf = ReadBuffer(st.index, P_NEW);
      LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
      if (BufferGetBlockNumber(buf) != block)
        elog(ERROR, "llmspell_hnsw: index grew during its build (block %u, expected %u)",
             BufferGetBlockNumber(buf), block);
      GenericXLogState* state = GenericXLogStart(st.index);
      Page target = GenericXLogRegisterBuffer(state, buf, GENERIC_XLOG_FULL_IMAGE);
      std::memcpy(target, page, BLCKSZ);
      GenericXLogFinish(state);
      UnlockReleaseBuffer(buf);
      CHECK_FOR_INTERRUPTS();
    });
  }
  NodeId entry = arena.entry_point();
  int top = arena.max_level();
  pg_guard([&] {
    BlockNumber dir_block;
    int slot;
    hnsw_directory_find(st.index, key, true, &dir_block, &slot);
    hnsw_directory_update(st.index, dir_block, slot, entry == core::kNoNode ? entry : place[entry],
                          top, false, static_cast<int64>(n));
    // Appends continue on the last page written.
    Buffer metabuf = ReadBuffer(st.index, kMetaBlock);
    LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
    GenericXLogState* state = GenericXLogStart(st.index);
    Page metapage = GenericXLogRegisterBuffer(state, metabuf, 0);
    hnsw_pages::meta(metapage)->insert_block =
        n > 0 ? node_block(place[n - 1]) : InvalidBlockNumber;
    GenericXLogFinish(state);
    UnlockReleaseBuffer(metabuf);
  });
}

// Builds every collected partition in memory and writes it out.
void build_partitions(BuildState& st) {
  core::Params params = hnsw_params(st.meta);
  pg_guard([&] { pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, 3); });
  std::size_t done = 0;
  for (auto& [key, rows] : st.partitions) {
    std::size_t n = rows.tids.size();
    core::Index graph(params);
    std::vector<std::uint64_t> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = i;
    graph.add_batch(labels.data(), rows.vectors.data(), n, st.threads);
    pg_guard([&] { pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, 4); });
    write_partition(st, key, rows, graph);
    done += n;
    pg_guard([&] { pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, done); });
  }
  st.partitions.clear();
  st.bytes = 0;
}

void build_callback(Relation index, ItemPointer tid, Datum* values, bool* isnull, bool alive,
                    void* arg) {
  (void)alive;
  BuildState& st = **static_cast<BuildState**>(arg);
  if (isnull[0]) return;
  PgVector* v = pg_vector_from_datum(values[0]);
  pg_vector_check_typmod(v->dim, static_cast<int32>(st.meta.dims));
  uint64 keys[kMaxFilterKeys] = {0, 0};
  for (int c = 0; c < st.meta.filter_keys; ++c)
    keys[c] = hnsw_key_hash(index, c + 2, values[c + 1], isnull[c + 1]);
  st.tuples += 1;
  if (st.spilled) {
    hnsw_insert_element(index, st.meta, v->x, keys, tid);
    return;
  }
  CoreError err = call_core([&] {
    PartitionRows& rows = st.partitions[keys[0]];
    if (rows.tids.empty() && st.partitions.size() == 1 && st.expected_rows > 0) {
      rows.tids.reserve(st.expected_rows);
      rows.keys.reserve(st.expected_rows * kMaxFilterKeys);
      rows.vectors.reserve(st.expected_rows * st.meta.dims);
    }
    rows.tids.push_back(*tid);
    rows.keys.insert(rows.keys.end(), keys, keys + kMaxFilterKeys);
    rows.vectors.insert(rows.vectors.end(), v->x, v->x + st.meta.dims);
    st.bytes += per_row_bytes(st.meta);
  });
  raise_core_error(err);
  if (st.bytes > st.budget) {
    ereport(NOTICE, (errmsg("llmspell_hnsw graph no longer fits in maintenance_work_mem after "
                            "%.0f tuples; the rest is inserted one by one, which is slower",
                            st.tuples),
                     errhint("Increase maintenance_work_mem for a faster build.")));
    err = call_core([&] { build_partitions(st); });
    raise_core_error(err);
    st.spilled = true;
  }
}

}  // namespace

IndexBuildResult* hnsw_build(Relation heap, Relation index, IndexInfo* info) {
  if (RelationGetNumberOfBlocks(index) != 0)
    elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));
  MetaData meta = hnsw_describe(index);
  hnsw_init_pages(index, meta, MAIN_FORKNUM);
  double expected_rows = std::max<double>(heap->rd_rel->reltuples, 0);

  auto** holder = static_cast<BuildState**>(palloc0(sizeof(BuildState*)));
  auto* callback = static_cast<MemoryContextCallback*>(palloc0(sizeof(MemoryContextCallback)));
  callback->func = free_build_state;
  callback->arg = holder;
  MemoryContextRegisterResetCallback(CurrentMemoryContext, callback);
  CoreError err = call_core([&] {
    *holder = new BuildState();
    (*holder)->index = index;
    (*holder)->meta = meta;
    (*holder)->budget = static_cast<std::size_t>(maintenance_work_mem) * 1024;
    if (expected_rows > 0)
      (*holder)->expected_rows = std::min<std::size_t>(static_cast<std::size_t>(expected_rows),
                                                       (*holder)->budget / per_row_bytes(meta) + 1);
    // The graph is built by threads of this backend (pure C++, no PostgreSQL calls), as many
    // as parallel maintenance workers are allowed, plus this one.
    (*holder)->threads = 1 + static_cast<unsigned>(std::max(0, max_parallel_maintenance_workers));
  });
  raise_core_error(err);

  pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, 2);
  double heap_tuples =
      table_index_build_scan(heap, index, info, true, true, build_callback, holder, NULL);
  pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
                               static_cast<int64>((*holder)->tuples));
  err = call_core([&] { build_partitions(**holder); });
  raise_core_error(err);

  IndexBuildResult* result = static_cast<IndexBuildResult*>(palloc(sizeof(IndexBuildResult)));
  result->heap_tuples = heap_tuples;
  result->index_tuples = (*holder)->tuples;
  delete *holder;
  *holder = nullptr;
  return result;
}

void hnsw_buildempty(Relation index) {
  MetaData meta = hnsw_describe(index);
  hnsw_init_pages(index, meta, INIT_FORKNUM);
}

// ORDER BY embedding <op> $1 [LIMIT k] with optional WHERE filter_column = value: one resumable
// core cursor per partition searched (one when the first filter column is constrained, every
// partition otherwise, merged by distance), so rows rejected by other conditions are replaced by
// the next-best ones instead of being lost.
#include "hnsw_am.h"

extern "C" {
#include "access/relscan.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
}

#include <cmath>
#include <memory>
#include <vector>

#include "hnsw/graph.h"
#include "hnsw/metric.h"
#include "hnsw_directory.h"
#include "hnsw_store.h"
#include "pg_error.h"
#include "vector/distance.h"
#include "vector_type.h"

using namespace hnsw_pages;
namespace core = llmspell::hnsw;

namespace {

struct PartitionCursor {
  std::unique_ptr<PageStore> store;
  std::unique_ptr<core::Graph<PageStore>> graph;
  std::unique_ptr<KeyFilter> filter;
  std::unique_ptr<core::Graph<PageStore>::Cursor> cursor;
  bool has_head = false;
  bool head_taken = false;  // the head was returned: advance before the next merge
  core::Candidate head{};
};

struct ScanWork {
  std::vector<float> query;
  double query_norm = 0;
  std::vector<PartitionCursor> parts;
};

struct ScanOpaque {
  ScanWork* work;
  MetaData meta;
  bool started;
  bool empty;  // a condition no row can meet (filter = NULL, ORDER BY distance to NULL)
  bool any_filter;
  bool mvcc;  // the scan's snapshot is an MVCC one: see next_result()
  bool constrained[kMaxFilterKeys];
  uint64 wanted[kMaxFilterKeys];
  int64 returned;
  MemoryContextCallback cleanup;
};

void free_work(void* arg) {
  auto* so = static_cast<ScanOpaque*>(arg);
  delete so->work;
  so->work = nullptr;
}

void advance(PartitionCursor& p) { p.has_head = p.cursor->next(&p.head); }

void start(ScanOpaque* so, Relation index, const PgVector* query) {
  ScanWork* w = new ScanWork();
  so->work = w;
  core::Params params = hnsw_params(so->meta);
  w->query.resize(so->meta.dims);
  core::prepare_vector(params.metric, query->x, w->query.data(), so->meta.dims);
  // Only inner-product bounds over float16 elements use it (user_distance).
  if (so->meta.vector_format == kFloat16 && params.metric == core::Metric::kInnerProduct)
    w->query_norm = llmspell::vector::norm(w->query.data(), so->meta.dims);
  // The directory entries of the partitions to walk: the constrained one, or all of them.
  std::vector<DirectoryEntry> entries;
  if (so->constrained[0]) {
    DirectoryEntry e{};
    bool found = false;
    pg_guard([&] {
      BlockNumber block;
      int slot;
      found = hnsw_directory_find(index, so->wanted[0], false, &block, &slot);
      if (found) e = hnsw_directory_read(index, block, slot);
    });
    if (found) entries.push_back(e);
  } else {
    entries.resize(64);
    int total = 0;
    pg_guard([&] { total = hnsw_directory_list(index, entries.data(), 64); });
    if (total > 64) {
      entries.resize(total);
      pg_guard([&] { hnsw_directory_list(index, entries.data(), total); });
    }
    entries.resize(total);
  }
  std::erase_if(entries, [](const DirectoryEntry& e) { return e.entry == core::kNoNode; });
  VectorCache* vectors = VectorCache::of(index->rd_node, so->meta.generation,
                                         vector_bytes(so->meta.dims, so->meta.vector_format),
                                         2 * so->meta.m, so->meta.element_size_0);
  for (const DirectoryEntry& e : entries) {
    PartitionCursor p;
    p.store = std::make_unique<PageStore>(index, so->meta, e.key, vectors);
    p.store->begin_scan(e);
    p.graph = std::make_unique<core::Graph<PageStore>>(params, *p.store);
    if (so->constrained[1])
      p.filter = std::make_unique<KeyFilter>(*p.store, so->wanted, so->constrained);
    p.cursor = std::make_unique<core::Graph<PageStore>::Cursor>(
        *p.graph, w->query.data(), static_cast<std::uint32_t>(hnsw_ef_search), p.filter.get());
    advance(p);
    w->parts.push_back(std::move(p));
  }
}

// The distance the ORDER BY operator gives (a lower bound of it for float16 elements).
double user_distance(const ScanOpaque* so, const PageStore& store, const core::Candidate& c) {
  auto metric = static_cast<core::Metric>(so->meta.metric);
  double d = c.distance;
  double err = so->meta.vector_format == kFloat16 ? store.element_error(c.node) : 0.0;
  switch (metric) {
    case core::Metric::kL2:
      return std::max(0.0, std::sqrt(std::max(d, 0.0)) - err);
    case core::Metric::kCosine:
      return d - err;
    case core::Metric::kInnerProduct:
      return d - so->work->query_norm * err;
  }
  return d;
}

// The next result over all partitions; false when they are exhausted.
//
// A node the walk saw through the vector cache may have been freed by a VACUUM since, and its
// slot reused. Under an MVCC snapshot its cached heap TID is still safe to return: the row it
// named was dead to every snapshot before VACUUM could free it, and a row stored at that TID
// since was inserted after this scan's snapshot was taken, so the executor drops either. Other
// snapshots get each node confirmed on its page (live, same distance).
bool next_result(ScanOpaque* so, ItemPointerData* tid, double* distance) {
  ScanWork* w = so->work;
  for (;;) {
    // Advanced only now, not right after its head was returned: the executor often wants no
    // more rows (LIMIT), and the next head may cost a whole new window of the walk.
    PartitionCursor* best = nullptr;
    for (PartitionCursor& p : w->parts) {
      if (p.head_taken) {
        p.head_taken = false;
        advance(p);
      }
      if (p.has_head && (best == nullptr || p.head < best->head)) best = &p;
    }
    if (best == nullptr) return false;
    bool live = (so->mvcc && best->store->cached_heap_tid(best->head.node, tid)) ||
                best->store->confirm(w->query.data(), best->head.node, best->head.distance, tid);
    best->head_taken = true;
    if (live) {
      *distance = user_distance(so, *best->store, best->head);
      return true;
    }
  }
}

}  // namespace

IndexScanDesc hnsw_beginscan(Relation index, int nkeys, int norderbys) {
  IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
  auto* so = static_cast<ScanOpaque*>(palloc0(sizeof(ScanOpaque)));
  so->meta = hnsw_read_meta(index);
  // The AM owns the arrays the executor reads ORDER BY values from.
  scan->xs_orderbyvals = static_cast<Datum*>(palloc0(sizeof(Datum) * Max(norderbys, 1)));
  scan->xs_orderbynulls = static_cast<bool*>(palloc(sizeof(bool) * Max(norderbys, 1)));
  for (int i = 0; i < Max(norderbys, 1); ++i) scan->xs_orderbynulls[i] = true;
  so->cleanup.func = free_work;
  so->cleanup.arg = so;
  MemoryContextRegisterResetCallback(CurrentMemoryContext, &so->cleanup);
  scan->opaque = so;
  return scan;
}

void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys) {
  auto* so = static_cast<ScanOpaque*>(scan->opaque);
  delete so->work;
  so->work = nullptr;
  so->started = false;
  so->empty = false;
  so->any_filter = false;
  so->returned = 0;
  for (int i = 0; i < kMaxFilterKeys; ++i) so->constrained[i] = false;
  if (keys && scan->numberOfKeys > 0)
    memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
  if (orderbys && scan->numberOfOrderBys > 0)
    memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
  (void)nkeys;
  (void)norderbys;
  for (int i = 0; i < scan->numberOfKeys; ++i) {
    ScanKey k = &scan->keyData[i];
    int column = k->sk_attno - 2;
    if (column < 0 || column >= kMaxFilterKeys) continue;
    if (k->sk_flags & SK_ISNULL) {
      so->empty = true;
      continue;
    }
    uint64 hash = hnsw_key_hash(scan->indexRelation, k->sk_attno, k->sk_argument, false);
    if (so->constrained[column] && so->wanted[column] != hash) so->empty = true;
    so->constrained[column] = true;
    so->wanted[column] = hash;
    so->any_filter = true;
  }
}

bool hnsw_gettuple(IndexScanDesc scan, ScanDirection dir) {
  (void)dir;
  auto* so = static_cast<ScanOpaque*>(scan->opaque);
  if (so->empty) return false;
  if (!so->started) {
    if (scan->numberOfOrderBys == 0 || (scan->orderByData[0].sk_flags & SK_ISNULL)) {
      if (scan->numberOfOrderBys == 0)
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("an llmspell_hnsw index can only be scanned with ORDER BY distance")));
      so->empty = true;
      return false;
    }
    PgVector* query = pg_vector_from_datum(scan->orderByData[0].sk_argument);
    if (query->dim != static_cast<int>(so->meta.dims))
      ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                      errmsg("query vector has %d dimensions, the index has %u", query->dim,
                             so->meta.dims)));
    so->started = true;
    so->mvcc = scan->xs_snapshot != nullptr && IsMVCCSnapshot(scan->xs_snapshot);
    CoreError err = call_core([&] { start(so, scan->indexRelation, query); });
    raise_core_error(err);
  }
  if (hnsw_scan_limit > 0 && so->returned >= hnsw_scan_limit) {
    if (so->returned == hnsw_scan_limit)
      ereport(NOTICE,
              (errmsg("llmspell_hnsw scan stopped after llmspell.hnsw_scan_limit = %d rows; "
                      "more rows may match",
                      hnsw_scan_limit)));
    so->returned++;
    return false;
  }
  ItemPointerData tid;
  double distance = 0;
  bool found = false;
  CoreError err = call_core([&] { found = next_result(so, &tid, &distance); });
  raise_core_error(err);
  if (!found) return false;
  so->returned++;
  scan->xs_heaptid = tid;
  scan->xs_recheck = so->any_filter;  // filter columns compare hashes: the executor confirms
  scan->xs_recheckorderby = so->meta.vector_format == kFloat16;
  scan->xs_orderbyvals[0] = Float8GetDatum(distance);
  scan->xs_orderbynulls[0] = false;
  return true;
}

void hnsw_endscan(IndexScanDesc scan) {
  auto* so = static_cast<ScanOpaque*>(scan->opaque);
  delete so->work;
  so->work = nullptr;
}

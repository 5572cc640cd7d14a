// llmspell_hnsw_verify(index): reads every page of an llmspell_hnsw index and reports its
// structure: elements, live ones, how many of those a level-0 walk from their partition's entry
// point reaches, links that name no element, and the live count the directory keeps.
#include "hnsw_am.h"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_am.h"
#include "funcapi.h"
#include "storage/bufmgr.h"
#include "utils/syscache.h"
}

#include <unordered_map>
#include <vector>

#include "hnsw_directory.h"
#include "hnsw_element.h"
#include "pg_error.h"

using namespace hnsw_pages;

namespace {

struct Node {
  uint64 key;
  uint8 flags;
  std::vector<NodeId> links0;
};

struct Report {
  int64 partitions = 0, elements = 0, live = 0, reachable = 0, broken = 0, counted = 0;
};

void verify(Relation index, Report& r) {
  MetaData meta;
  BlockNumber nblocks = 0;
  pg_guard([&] {
    meta = hnsw_read_meta(index);
    nblocks = RelationGetNumberOfBlocks(index);
  });
  std::unordered_map<NodeId, Node> nodes;
  std::vector<NodeId> targets;
  for (BlockNumber b = kDirectoryBlock + 1; b < nblocks; ++b) {
    pg_guard([&] {
      Buffer buf = ReadBuffer(index, b);
      LockBuffer(buf, BUFFER_LOCK_SHARE);
      Page page = BufferGetPage(buf);
      if (!PageIsNew(page) && opaque(page)->type == kElementPage) {
        OffsetNumber max = PageGetMaxOffsetNumber(page);
        for (OffsetNumber off = FirstOffsetNumber; off <= max; ++off) {
          auto* h = reinterpret_cast<ElementHeader*>(PageGetItem(page, PageGetItemId(page, off)));
          Node& n = nodes[node_id(b, off)];
          n.key = h->keys[0];
          n.flags = h->flags;
          if (h->flags & kFree) continue;
          for (int l = 0; l <= h->level; ++l) {
            const uint32* links = hnsw_element_links(h, meta.m, l);
            if (links[0] > (l == 0 ? 2u * meta.m : meta.m)) r.broken++;
            for (uint32 i = 0; i < links[0]; ++i) {
              targets.push_back(links[1 + i]);
              if (l == 0) n.links0.push_back(links[1 + i]);
            }
          }
        }
      }
      UnlockReleaseBuffer(buf);
    });
  }
  for (NodeId t : targets)
    if (nodes.find(t) == nodes.end()) r.broken++;
  for (auto& [id, n] : nodes) {
    r.elements++;
    if (!(n.flags & (kFree | kDeleted))) r.live++;
  }
  std::vector<DirectoryEntry> entries(1024);
  int total = 0;
  pg_guard([&] { total = hnsw_directory_list(index, entries.data(), 1024); });
  if (total > 1024) {
    entries.resize(total);
    pg_guard([&] { hnsw_directory_list(index, entries.data(), total); });
  }
  std::unordered_map<NodeId, bool> seen;
  for (int i = 0; i < total; ++i) {
    const DirectoryEntry& e = entries[i];
    r.partitions++;
    r.counted += e.count;
    if (e.entry == llmspell::hnsw::kNoNode) continue;
    std::vector<NodeId> stack{e.entry};
    while (!stack.empty()) {
      NodeId id = stack.back();
      stack.pop_back();
      auto it = nodes.find(id);
      if (it == nodes.end() || it->second.key != e.key || (it->second.flags & kFree)) continue;
      if (!seen.emplace(id, true).second) continue;
      if (!(it->second.flags & kDeleted)) r.reachable++;
      for (NodeId next : it->second.links0) stack.push_back(next);
    }
  }
}

}  // namespace

LLMSPELL_PG_FUNCTION(llmspell_hnsw_verify) {
  Oid relid = PG_GETARG_OID(0);
  Relation index = index_open(relid, AccessShareLock);
  HeapTuple am = SearchSysCache1(AMOID, ObjectIdGetDatum(index->rd_rel->relam));
  bool ours = HeapTupleIsValid(am) && ((Form_pg_am)GETSTRUCT(am))->amhandler ==
                                          fmgr_internal_function("llmspell_hnsw_handler");
  if (HeapTupleIsValid(am)) ReleaseSysCache(am);
  if (!ours && index->rd_indam->amgettuple != hnsw_gettuple)
    ereport(ERROR,
            (errcode(ERRCODE_WRONG_OBJECT_TYPE),
             errmsg("\"%s\" is not an llmspell_hnsw index", RelationGetRelationName(index))));
  Report r;
  CoreError err = call_core([&] { verify(index, r); });
  index_close(index, AccessShareLock);
  raise_core_error(err);

  TupleDesc desc;
  if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
    elog(ERROR, "llmspell_hnsw_verify must return a record");
  desc = BlessTupleDesc(desc);
  Datum values[6] = {Int64GetDatum(r.partitions), Int64GetDatum(r.elements),
                     Int64GetDatum(r.live),       Int64GetDatum(r.reachable),
                     Int64GetDatum(r.broken),     Int64GetDatum(r.counted)};
  bool nulls[6] = {false, false, false, false, false, false};
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

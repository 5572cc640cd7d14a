// Declarations shared by the files of the llmspell_hnsw index access method: one file per phase
// (hnsw_am: handler, options, costs; hnsw_build; hnsw_insert; hnsw_scan; hnsw_vacuum).
#pragma once

#include "pg_glue.h"

extern "C" {
#include "access/amapi.h"
#include "access/genam.h"
#include "nodes/pathnodes.h"
#include "utils/rel.h"
}

#include "hnsw/types.h"
#include "hnsw_pages.h"

struct HnswOptions {
  int32 vl_len_;
  int m;
  int ef_construction;
};

extern int hnsw_ef_search;   // llmspell.hnsw_ef_search
extern int hnsw_scan_limit;  // llmspell.hnsw_scan_limit (0: no limit)

void hnsw_register_settings();

// Parameters of an index from its options and its vector column; ERROR when they cannot work.
hnsw_pages::MetaData hnsw_describe(Relation index);
hnsw_pages::MetaData hnsw_read_meta(Relation index);
llmspell::hnsw::Params hnsw_params(const hnsw_pages::MetaData& meta);
// Number of filter columns (index columns after the vector).
int hnsw_filter_columns(Relation index);
// Hash of a filter column's value (attno counts from 1; the vector is column 1).
uint64 hnsw_key_hash(Relation index, int attno, Datum value, bool isnull);
// Writes the metapage and an empty directory (a new, empty index).
void hnsw_init_pages(Relation index, const hnsw_pages::MetaData& meta, ForkNumber fork);

IndexBuildResult* hnsw_build(Relation heap, Relation index, IndexInfo* info);
void hnsw_buildempty(Relation index);
bool hnsw_insert(Relation index, Datum* values, bool* isnull, ItemPointer heap_tid, Relation heap,
                 IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo* info);
// Adds one element (used by inserts and by builds that outgrow maintenance_work_mem).
void hnsw_insert_element(Relation index, const hnsw_pages::MetaData& meta, const float* vector,
                         const uint64* keys, ItemPointer heap_tid);
IndexBulkDeleteResult* hnsw_bulkdelete(IndexVacuumInfo* info, IndexBulkDeleteResult* stats,
                                       IndexBulkDeleteCallback callback, void* callback_state);
IndexBulkDeleteResult* hnsw_vacuumcleanup(IndexVacuumInfo* info, IndexBulkDeleteResult* stats);
IndexScanDesc hnsw_beginscan(Relation index, int nkeys, int norderbys);
void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool hnsw_gettuple(IndexScanDesc scan, ScanDirection dir);
void hnsw_endscan(IndexScanDesc scan);

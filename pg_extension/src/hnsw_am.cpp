// The llmspell_hnsw access method: handler, options, settings, cost estimate, validation.
#include "hnsw_am.h"
#include "hnsw_vector_cache.h"

extern "C" {
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "catalog/pg_type.h"
#include "commands/progress.h"
#include "commands/vacuum.h"
#include "optimizer/optimizer.h"
#include "storage/bufmgr.h"
#include "utils/float.h"
#include "utils/guc.h"
#include "utils/selfuncs.h"
#include "utils/typcache.h"
}

#include <cmath>

#include "hnsw_directory.h"
#include "hnsw_recent_buffer.h"
#include "vector/limits.h"

using namespace hnsw_pages;
namespace core = llmspell::hnsw;

int hnsw_ef_search = core::kDefaultEfSearch;
int hnsw_scan_limit = 0;
static relopt_kind hnsw_relopt_kind;

void hnsw_register_settings() {
  hnsw_relopt_kind = add_reloption_kind();
  add_int_reloption(hnsw_relopt_kind, "m", "Links per node on the upper levels (2m on level 0)",
                    core::kDefaultM, core::kMinM, core::kMaxM, AccessExclusiveLock);
  add_int_reloption(hnsw_relopt_kind, "ef_construction",
                    "Candidate list size while building the graph", core::kDefaultEfConstruction,
                    core::kMinEfConstruction, core::kMaxEfConstruction, AccessExclusiveLock);
  DefineCustomIntVariable("llmspell.hnsw_ef_search",
                          "Candidate list size of llmspell_hnsw index scans: higher finds more "
                          "true neighbours, slower.",
                          NULL, &hnsw_ef_search, core::kDefaultEfSearch, 1, core::kMaxEfSearch,
                          PGC_USERSET, 0, NULL, NULL, NULL);
  DefineCustomIntVariable("llmspell.hnsw_scan_limit",
                          "Most index tuples one llmspell_hnsw scan visits when other conditions "
                          "keep rejecting rows (0: until the index is exhausted).",
                          NULL, &hnsw_scan_limit, 0, 0, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
  DefineCustomIntVariable("llmspell.hnsw_cache_mb",
                          "Memory per index and backend for the vectors llmspell_hnsw scans read "
                          "(0: no cache; every distance then reads the index page).",
                          NULL, &hnsw_cache_mb, 64, 0, 1 << 20, PGC_USERSET, GUC_UNIT_MB, NULL,
                          NULL, NULL);
}

static bytea* hnsw_options(Datum reloptions, bool validate) {
  static const relopt_parse_elt table[] = {
      {"m", RELOPT_TYPE_INT, offsetof(HnswOptions, m)},
      {"ef_construction", RELOPT_TYPE_INT, offsetof(HnswOptions, ef_construction)},
  };
  return static_cast<bytea*>(build_reloptions(reloptions, validate, hnsw_relopt_kind,
                                              sizeof(HnswOptions), table, lengthof(table)));
}

int hnsw_filter_columns(Relation index) { return IndexRelationGetNumberOfKeyAttributes(index) - 1; }

MetaData hnsw_describe(Relation index) {
  MetaData meta{};
  meta.magic = kMagic;
  meta.version = kVersion;
  auto* opts = reinterpret_cast<HnswOptions*>(index->rd_options);
  meta.m = static_cast<uint16>(opts ? opts->m : core::kDefaultM);
  meta.ef_construction =
      static_cast<uint16>(opts ? opts->ef_construction : core::kDefaultEfConstruction);
  int32 typmod = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;
  if (typmod < 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("column \"%s\" has no dimensions",
                           NameStr(TupleDescAttr(RelationGetDescr(index), 0)->attname)),
                    errhint("Declare the column as vector(n), for example vector(768).")));
  meta.dims = static_cast<uint32>(typmod);
  int filters = hnsw_filter_columns(index);
  if (filters > kMaxFilterKeys)
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("llmspell_hnsw indexes take at most %d filter columns after the vector",
                           kMaxFilterKeys)));
  meta.filter_keys = static_cast<uint8>(filters);
  FmgrInfo* metric = index_getprocinfo(index, 1, 1);
  meta.metric = static_cast<uint8>(DatumGetInt32(FunctionCall1(metric, Int32GetDatum(0))));
  meta.vector_format = choose_format(meta.m, meta.dims);
  if (element_size(meta.m, meta.dims, meta.vector_format, core::kMaxLevel) + sizeof(ItemIdData) >
      page_capacity())
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("an llmspell_hnsw element with %u dimensions and m = %u does not fit "
                           "on an index page",
                           meta.dims, meta.m),
                    errhint("Use a smaller m.")));
  meta.element_size_0 = static_cast<uint32>(element_size(meta.m, meta.dims, meta.vector_format, 0));
  meta.insert_block = InvalidBlockNumber;
  meta.free_hint = InvalidBlockNumber;
  return meta;
}

MetaData hnsw_read_meta(Relation index) {
  Buffer buf = hnsw_read_buffer(index, kMetaBlock);
  LockBuffer(buf, BUFFER_LOCK_SHARE);
  MetaData m = *meta(BufferGetPage(buf));
  UnlockReleaseBuffer(buf);
  if (m.magic != kMagic)
    ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED), errmsg("\"%s\" is not an llmspell_hnsw index",
                                                             RelationGetRelationName(index))));
  if (m.version != kVersion)
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("llmspell_hnsw index \"%s\" has page format %u, this version reads %u",
                           RelationGetRelationName(index), m.version, kVersion),
                    errhint("Rebuild it with REINDEX.")));
  return m;
}

core::Params hnsw_params(const MetaData& meta) {
  core::Params p;
  p.dims = meta.dims;
  p.metric = static_cast<core::Metric>(meta.metric);
  p.m = meta.m;
  p.ef_construction = meta.ef_construction;
  return p;
}

uint64 hnsw_key_hash(Relation index, int attno, Datum value, bool isnull) {
  if (isnull) return 0x6e756c6c6e756c6cULL;  // "nullnull": NULL has a partition of its own
  FmgrInfo* hash = index_getprocinfo(index, attno, 1);
  return static_cast<uint64>(DatumGetInt64(
      FunctionCall2Coll(hash, index->rd_indcollation[attno - 1], value, Int64GetDatum(0x11a5e11))));
}

void hnsw_init_pages(Relation index, const MetaData& meta, ForkNumber fork) {
  Buffer metabuf = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);
  LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
  Buffer dirbuf = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);
  LockBuffer(dirbuf, BUFFER_LOCK_EXCLUSIVE);
  GenericXLogState* state = GenericXLogStart(index);
  Page page = GenericXLogRegisterBuffer(state, metabuf, GENERIC_XLOG_FULL_IMAGE);
  PageInit(page, BLCKSZ, sizeof(PageOpaque));
  opaque(page)->next = InvalidBlockNumber;
  opaque(page)->type = kMetaPage;
  opaque(page)->page_id = kPageId;
  *hnsw_pages::meta(page) = meta;
  ((PageHeader)page)->pd_lower =
      static_cast<LocationIndex>(PageGetContents(page) + sizeof(MetaData) - page);
  Page dir = GenericXLogRegisterBuffer(state, dirbuf, GENERIC_XLOG_FULL_IMAGE);
  hnsw_directory_init_page(dir);
  GenericXLogFinish(state);
  UnlockReleaseBuffer(dirbuf);
  UnlockReleaseBuffer(metabuf);
}

// Work of one scan: ef_search expansions of about 2m neighbours each, on the graph of the
// partition the scan is limited to (or every partition when it is not).
static void hnsw_costestimate(PlannerInfo* root, IndexPath* path, double loop_count,
                              Cost* startup_cost, Cost* total_cost, Selectivity* selectivity,
                              double* correlation, double* pages) {
  GenericCosts costs{};
  if (path->indexorderbys == NIL) {
    // Only ORDER BY distance uses this index; never a plain filter scan.
    *startup_cost = *total_cost = get_float8_infinity();
    *selectivity = 0;
    *correlation = 0;
    *pages = 0;
    return;
  }
  genericcostestimate(root, path, loop_count, &costs);
  double tuples = std::max(path->indexinfo->tuples, 1.0);
  int m = core::kDefaultM;
  Relation index = index_open(path->indexinfo->indexoid, NoLock);
  if (index->rd_options) m = reinterpret_cast<HnswOptions*>(index->rd_options)->m;
  index_close(index, NoLock);
  double partition = std::max(tuples * costs.indexSelectivity, 1.0);
  double visits = std::min(
      partition, hnsw_ef_search * 2.0 * m * std::max(1.0, std::log(partition) / std::log(m)));
  double per_visit = cpu_index_tuple_cost + 10 * cpu_operator_cost;
  *startup_cost = visits * per_visit;
  // Rows beyond the first ef_search continue the walk: the whole index, at worst.
  *total_cost = *startup_cost + partition * per_visit * 2;
  *selectivity = costs.indexSelectivity;
  *correlation = 0;
  *pages = std::max(1.0, costs.numIndexPages * visits / partition);
}

static bool hnsw_validate(Oid) { return true; }

static char* hnsw_buildphasename(int64 phase) {
  switch (phase) {
    case PROGRESS_CREATEIDX_SUBPHASE_INITIALIZE:
      return const_cast<char*>("initializing");
    case 2:
      return const_cast<char*>("loading tuples");
    case 3:
      return const_cast<char*>("building graph");
    case 4:
      return const_cast<char*>("writing pages");
    default:
      return NULL;
  }
}

LLMSPELL_PG_FUNCTION(llmspell_hnsw_handler) {
  IndexAmRoutine* am = makeNode(IndexAmRoutine);
  am->amstrategies = 1;
  am->amsupport = 1;
  am->amoptsprocnum = 0;
  am->amcanorder = false;
  am->amcanorderbyop = true;
  am->amcanbackward = false;
  am->amcanunique = false;
  am->amcanmulticol = true;
  am->amoptionalkey = true;
  am->amsearcharray = false;
  am->amsearchnulls = false;
  am->amstorage = false;
  am->amclusterable = false;
  am->ampredlocks = false;
  am->amcanparallel = false;
  am->amcaninclude = false;
  am->amusemaintenanceworkmem = true;
  am->amparallelvacuumoptions = VACUUM_OPTION_PARALLEL_BULKDEL;
  am->amkeytype = InvalidOid;
  am->ambuild = hnsw_build;
  am->ambuildempty = hnsw_buildempty;
  am->aminsert = hnsw_insert;
  am->ambulkdelete = hnsw_bulkdelete;
  am->amvacuumcleanup = hnsw_vacuumcleanup;
  am->amcanreturn = NULL;
  am->amcostestimate = hnsw_costestimate;
  am->amoptions = hnsw_options;
  am->amproperty = NULL;
  am->ambuildphasename = hnsw_buildphasename;
  am->amvalidate = hnsw_validate;
  am->amadjustmembers = NULL;
  am->ambeginscan = hnsw_beginscan;
  am->amrescan = hnsw_rescan;
  am->amgettuple = hnsw_gettuple;
  am->amgetbitmap = NULL;
  am->amendscan = hnsw_endscan;
  am->ammarkpos = NULL;
  am->amrestrpos = NULL;
  am->amestimateparallelscan = NULL;
  am->aminitparallelscan = NULL;
  am->amparallelrescan = NULL;
  PG_RETURN_POINTER(am);
}

// Support function 1 of the vector operator classes: tells the index its metric.
LLMSPELL_PG_FUNCTION(llmspell_hnsw_l2_metric) {
  PG_RETURN_INT32(static_cast<int>(core::Metric::kL2));
}
LLMSPELL_PG_FUNCTION(llmspell_hnsw_cosine_metric) {
  PG_RETURN_INT32(static_cast<int>(core::Metric::kCosine));
}
LLMSPELL_PG_FUNCTION(llmspell_hnsw_ip_metric) {
  PG_RETURN_INT32(static_cast<int>(core::Metric::kInnerProduct));
}

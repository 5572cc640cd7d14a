#include "graph_probe.h"

extern "C" {
#include "access/genam.h"
#include "access/itup.h"
#include "access/relation.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation_d.h"
#include "catalog/pg_operator_d.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/primnodes.h"
#include "rewrite/rowsecurity.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/ruleutils.h"
#include "utils/snapmgr.h"
}

#include <algorithm>
#include <cstring>
#include <string_view>
#include <tuple>

namespace graph_pg {

namespace {

bool direct_probes = true;

enum Kind { kEntities, kOutEdges, kInEdges, kKinds };

// Each key index and its definition as pg_get_indexdef() prints it after " USING ", as migration
// 017 creates it. Another definition (other columns, another order or collation) would give other
// rows or another order than the SPI plans: the direct path then stays off for that index.
struct KeyIndex {
  const char* table;
  const char* index;
  const char* definition;
};
#define KEY(endpoint) "hashtextextended(((tenant_id || ':'::text) || " endpoint "), (0)::bigint)"
#define TIMES "valid_time_start, valid_time_end, transaction_time_start, transaction_time_end"
const KeyIndex kKeyIndexes[kKinds] = {
    {"graph_entities", "graph_entities_key",
     "btree (" KEY("entity_id") ") INCLUDE (tenant_id, entity_id, " TIMES ")"},
    {"graph_relationships", "graph_relationships_out_key",
     "btree (" KEY("from_entity") ", to_entity COLLATE \"C\", relationship_id COLLATE \"C\", "
                                  "relationship_type) INCLUDE (tenant_id, from_entity, " TIMES ")"},
    {"graph_relationships", "graph_relationships_in_key",
     "btree (" KEY("to_entity") ", from_entity COLLATE \"C\", relationship_id COLLATE \"C\", "
                                "relationship_type) INCLUDE (tenant_id, to_entity, " TIMES ")"},
};
#undef KEY
#undef TIMES

// Attribute numbers (0-based) in the index tuples of the definitions above.
enum EntityColumn { kEntityTenant = 1, kEntityId = 2, kEntityTimes = 3 };
enum EdgeColumn {
  kEdgeNeighbour = 1,
  kEdgeRelationship = 2,
  kEdgeType = 3,
  kEdgeTenant = 4,
  kEdgeSource = 5,
  kEdgeTimes = 6
};

// Which index serves each kind, found once and forgotten when the relcache says the table or
// the index changed.
struct Choice {
  bool checked = false;
  Oid table = InvalidOid;
  Oid index = InvalidOid;  // InvalidOid: no usable index
};
Choice choices[kKinds];
uint64 invalidations = 0;

void forget(Datum, Oid relid) {
  ++invalidations;
  for (Choice& c : choices)
    if (relid == InvalidOid || relid == c.table || relid == c.index) c.checked = false;
}

// The index `kind` names in `table`'s schema if it is the one migration 017 defines.
Oid find_key_index(Kind kind, Oid table) {
  Oid oid = get_relname_relid(kKeyIndexes[kind].index, get_rel_namespace(table));
  if (!OidIsValid(oid)) return InvalidOid;
  Relation index = try_relation_open(oid, AccessShareLock);
  if (index == nullptr) return InvalidOid;
  bool ok = index->rd_rel->relkind == RELKIND_INDEX && index->rd_index->indrelid == table &&
            RelationGetIndexPredicate(index) == NIL;
  if (ok) {
    // The key must be the built-in hash, whatever the search_path resolved the name to.
    List* exprs = RelationGetIndexExpressions(index);
    auto* hash = exprs != NIL ? static_cast<Node*>(linitial(exprs)) : nullptr;
    ok = hash != nullptr && IsA(hash, FuncExpr) &&
         reinterpret_cast<FuncExpr*>(hash)->funcid == F_HASHTEXTEXTENDED;
  }
  if (ok) {
    // Storage parameters and a tablespace may follow the definition; a predicate cannot (above).
    const char* def = strstr(pg_get_indexdef_string(oid), " USING ");
    std::size_t n = strlen(kKeyIndexes[kind].definition);
    ok = def != nullptr && strncmp(def + 7, kKeyIndexes[kind].definition, n) == 0 &&
         (def[7 + n] == '\0' || def[7 + n] == ' ');
  }
  relation_close(index, NoLock);
  return ok ? oid : InvalidOid;
}

bool applies_to_user(ArrayType* roles) {
  auto* oids = reinterpret_cast<Oid*>(ARR_DATA_PTR(roles));
  for (int i = 0, n = ARR_DIMS(roles)[0]; i < n; ++i)
    if (oids[i] == ACL_ID_PUBLIC || has_privs_of_role(GetUserId(), oids[i])) return true;
  return false;
}

bool is_const_text(Node* n, const char* value) {
  if (n == nullptr || !IsA(n, Const)) return false;
  auto* c = reinterpret_cast<Const*>(n);
  if (c->consttype != TEXTOID || c->constisnull) return false;
  text* t = DatumGetTextPP(c->constvalue);
  std::size_t len = VARSIZE_ANY_EXHDR(t);
  return len == strlen(value) && memcmp(VARDATA_ANY(t), value, len) == 0;
}

// tenant_id = current_setting('app.tenant_id', true), the policy migration 014 creates: the rows
// it lets through are the ones whose tenant is the store's tenant (current_tenant()).
bool is_tenant_policy(Expr* qual, Relation table) {
  if (qual == nullptr || !IsA(qual, OpExpr)) return false;
  auto* op = reinterpret_cast<OpExpr*>(qual);
  if (op->opno != TextEqualOperator || list_length(op->args) != 2) return false;
  if (op->inputcollid != DEFAULT_COLLATION_OID && op->inputcollid != C_COLLATION_OID) return false;
  auto* var = static_cast<Node*>(linitial(op->args));
  auto* call = static_cast<Node*>(lsecond(op->args));
  if (!IsA(var, Var) || reinterpret_cast<Var*>(var)->varlevelsup != 0 ||
      reinterpret_cast<Var*>(var)->varattno != get_attnum(RelationGetRelid(table), "tenant_id"))
    return false;
  if (!IsA(call, FuncExpr)) return false;
  auto* f = reinterpret_cast<FuncExpr*>(call);
  if (f->funcid != F_CURRENT_SETTING_TEXT_BOOL || list_length(f->args) != 2) return false;
  auto* missing_ok = static_cast<Node*>(lsecond(f->args));
  return is_const_text(static_cast<Node*>(linitial(f->args)), "app.tenant_id") &&
         IsA(missing_ok, Const) && !reinterpret_cast<Const*>(missing_ok)->constisnull &&
         DatumGetBool(reinterpret_cast<Const*>(missing_ok)->constvalue);
}

// Whether a SELECT by this user returns exactly the rows of the store's tenant: row security
// does not apply, or the tenant policy applies and no restrictive SELECT policy does. Other
// permissive policies only add rows, of which the store keeps its tenant's.
bool row_security_allows(Relation table) {
  int rls = check_enable_rls(RelationGetRelid(table), InvalidOid, true);
  if (rls == RLS_NONE || rls == RLS_NONE_ENV) return true;
  if (!row_security || table->rd_rsdesc == nullptr) return false;  // SPI says what happens
  bool tenant = false;
  ListCell* cell;
  foreach (cell, table->rd_rsdesc->policies) {
    auto* p = static_cast<RowSecurityPolicy*>(lfirst(cell));
    if (p->polcmd != '*' && p->polcmd != ACL_SELECT_CHR) continue;
    if (!applies_to_user(p->roles)) continue;
    if (!p->permissive) return false;
    if (is_tenant_policy(p->qual, table)) tenant = true;
  }
  return tenant;
}

struct Opened {
  Relation table;
  Relation index;
};

// Why the direct path may not serve `kind` now (nullptr: it may; the table and index are then
// open in `o`).
const char* open_direct(Kind kind, Opened* o) {
  if (!direct_probes) return "llmspell.graph_direct_probes is off";
  Oid table = RelnameGetRelid(kKeyIndexes[kind].table);
  if (!OidIsValid(table)) return "the table is not on the search_path";
  if (pg_class_aclcheck(table, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
    return "the user has no SELECT privilege on the table";
  o->table = table_open(table, AccessShareLock);
  Choice& c = choices[kind];
  if (!c.checked || c.table != table) {
    uint64 seen = invalidations;
    Oid index = find_key_index(kind, table);
    c = {seen == invalidations, table, index};
  }
  const char* why = nullptr;
  if (!OidIsValid(c.index))
    why = "the key index is missing or not as migration 017 defines it";
  else if (!row_security_allows(o->table))
    why = "row-level security policies other than the tenant policy apply";
  if (why != nullptr) {
    table_close(o->table, NoLock);
    return why;
  }
  Oid index = c.index;
  o->index = try_relation_open(index, AccessShareLock);
  // Locking processes invalidations: the index may have changed (or gone) meanwhile.
  if (o->index == nullptr || !c.checked || c.index != index)
    why = "the key index changed";
  else if (!o->index->rd_index->indisvalid || o->index->rd_index->indcheckxmin)
    why = "the key index is not valid (yet)";
  if (why != nullptr) {
    if (o->index != nullptr) relation_close(o->index, NoLock);
    table_close(o->table, NoLock);
  }
  return why;
}

// Opens `kind`'s table and key index when the direct path may serve a read now; says why not at
// DEBUG1 otherwise (SET client_min_messages = debug1 shows it).
bool open_direct_or_say(Kind kind, Opened* o) {
  const char* why = open_direct(kind, o);
  if (why != nullptr)
    ereport(DEBUG1, (errmsg_internal("llmspell graph: %s read through SQL: %s",
                                     kKeyIndexes[kind].index, why)));
  return why == nullptr;
}

void close_direct(const Opened& o) {
  index_close(o.index, NoLock);
  table_close(o.table, NoLock);
}

// As an index-only scan decides: a tuple on an all-visible page is visible to every snapshot
// (the page then gets the predicate lock a heap fetch would take), any other is fetched.
bool visible_in_heap(IndexScanDesc scan, ItemPointer tid, TupleTableSlot* slot, Buffer* vm) {
  BlockNumber block = ItemPointerGetBlockNumber(tid);
  if (VM_ALL_VISIBLE(scan->heapRelation, block, vm)) {
    PredicateLockPage(scan->heapRelation, block, scan->xs_snapshot);
    return true;
  }
  bool found = index_fetch_heap(scan, slot);
  ExecClearTuple(slot);
  return found;
}

// A text attribute of an index tuple (detoasted if the index compressed it). std::string_view
// compares bytewise, as COLLATE "C" does.
std::string_view text_of(Datum d) {
  auto* v = reinterpret_cast<struct varlena*>(DatumGetPointer(d));
  if (VARATT_IS_EXTENDED(v) && !VARATT_IS_SHORT(v)) v = pg_detoast_datum_packed(v);
  return {VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v)};
}

// VISIBLE() of graph_store.cpp over the four times starting at values[first].
bool visible_at(const Datum* values, const bool* nulls, int first, ProbePoint at) {
  for (int i = first; i < first + 4; ++i)
    if (nulls[i]) return false;
  return DatumGetTimestampTz(values[first]) <= at.valid &&
         DatumGetTimestampTz(values[first + 1]) > at.valid &&
         DatumGetTimestampTz(values[first + 2]) <= at.tx &&
         DatumGetTimestampTz(values[first + 3]) > at.tx;
}

void append_int(StringInfo out, int32 v) {
  appendBinaryStringInfo(out, reinterpret_cast<const char*>(&v), sizeof v);
}

void append_text(StringInfo out, std::string_view text) {
  append_int(out, static_cast<int32>(text.size()));
  appendBinaryStringInfo(out, text.data(), static_cast<int>(text.size()));
}

// Runs one index scan of a probe: begin, then per key rescan, then end.
struct Scan {
  IndexScanDesc desc;
  TupleTableSlot* slot;
  Buffer vm;
};

Scan begin_scan(const Opened& o, int nkeys) {
  Scan s;
  s.desc = index_beginscan(o.table, o.index, GetActiveSnapshot(), nkeys, 0);
  s.desc->xs_want_itup = true;
  s.slot = table_slot_create(o.table, nullptr);
  s.vm = InvalidBuffer;
  return s;
}

void end_scan(Scan& s) {
  if (s.vm != InvalidBuffer) ReleaseBuffer(s.vm);
  ExecDropSingleTupleTableSlot(s.slot);
  index_endscan(s.desc);
}

// The next tuple of the current key visible in the snapshot, deformed; false at the end.
bool next_tuple(Scan& s, Datum* values, bool* nulls) {
  while (ItemPointer tid = index_getnext_tid(s.desc, ForwardScanDirection)) {
    if (!visible_in_heap(s.desc, tid, s.slot, &s.vm)) continue;
    index_deform_tuple(s.desc->xs_itup, s.desc->xs_itupdesc, values, nulls);
    return true;
  }
  return false;
}

}  // namespace

void graph_register_settings() {
  DefineCustomBoolVariable(
      "llmspell.graph_direct_probes",
      "Graph traversals read the key indexes of graph_entities and graph_relationships directly "
      "where row-level security allows it (off: always through SQL).",
      nullptr, &direct_probes, true, PGC_USERSET, 0, nullptr, nullptr, nullptr);
  CacheRegisterRelcacheCallback(forget, 0);
}

bool probe_visible(const std::string& tenant, const Datum* keys, int n, ProbePoint at,
                   StringInfo out) {
  Opened o;
  if (!open_direct_or_say(kEntities, &o)) return false;
  Scan s = begin_scan(o, 1);
  Datum values[INDEX_MAX_KEYS];
  bool nulls[INDEX_MAX_KEYS];
  ScanKeyData key;
  for (int i = 0; i < n; ++i) {
    if (i > 0 && keys[i] == keys[i - 1]) continue;
    CHECK_FOR_INTERRUPTS();
    ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, keys[i]);
    index_rescan(s.desc, &key, 1, nullptr, 0);
    while (next_tuple(s, values, nulls)) {
      if (nulls[kEntityTenant] || nulls[kEntityId]) continue;
      if (text_of(values[kEntityTenant]) != tenant) continue;
      if (!visible_at(values, nulls, kEntityTimes, at)) continue;
      append_text(out, text_of(values[kEntityId]));
    }
  }
  end_scan(s);
  close_direct(o);
  return true;
}

bool probe_edges(const EdgeProbe& p, StringInfo out) {
  Opened o;
  if (!open_direct_or_say(p.incoming ? kInEdges : kOutEdges, &o)) return false;
  Scan s = begin_scan(o, p.after != nullptr ? 2 : 1);
  Datum values[INDEX_MAX_KEYS];
  bool nulls[INDEX_MAX_KEYS];
  ScanKeyData keys[2];
  Datum after = p.after != nullptr ? PointerGetDatum(cstring_to_text_with_len(
                                         p.after->neighbour.data(), p.after->neighbour.size()))
                                   : Datum(0);
  const std::vector<std::string>& frontier = *p.frontier;
  for (std::size_t i = 0; i < frontier.size(); ++i) {
    CHECK_FOR_INTERRUPTS();
    ScanKeyInit(&keys[0], 1, BTEqualStrategyNumber, F_INT8EQ, p.keys[i]);
    // The edges after p.after start at its neighbour: the index descends there.
    if (p.after != nullptr)
      ScanKeyEntryInitialize(&keys[1], 0, 2, BTGreaterEqualStrategyNumber, InvalidOid,
                             C_COLLATION_OID, F_TEXT_GE, after);
    index_rescan(s.desc, keys, p.after != nullptr ? 2 : 1, nullptr, 0);
    uint64 found = 0;
    while (next_tuple(s, values, nulls)) {
      bool any_null = false;
      for (int c = kEdgeNeighbour; c <= kEdgeSource; ++c) any_null |= nulls[c];
      if (any_null) continue;
      if (text_of(values[kEdgeTenant]) != *p.tenant) continue;
      if (text_of(values[kEdgeSource]) != frontier[i]) continue;
      std::string_view type = text_of(values[kEdgeType]);
      if (p.types != nullptr) {
        if (std::find(p.types->begin(), p.types->end(), type) == p.types->end()) continue;
      }
      if (!visible_at(values, nulls, kEdgeTimes, p.at)) continue;
      std::string_view neighbour = text_of(values[kEdgeNeighbour]);
      std::string_view relationship = text_of(values[kEdgeRelationship]);
      if (p.after != nullptr && std::tie(neighbour, relationship) <=
                                    std::tie(p.after->neighbour, p.after->relationship_id))
        continue;
      append_int(out, static_cast<int32>(i));
      append_text(out, neighbour);
      append_text(out, relationship);
      append_text(out, type);
      if (++found == p.limit) break;
    }
  }
  if (p.after != nullptr) pfree(DatumGetPointer(after));
  end_scan(s);
  close_direct(o);
  return true;
}

}  // namespace graph_pg

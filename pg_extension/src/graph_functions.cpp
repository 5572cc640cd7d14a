// The SQL-callable graph writes and graph_traverse(): arguments are read into plain values, the
// core runs over PgGraphStore inside graph_call(), and errors are raised once no C++ object is
// alive. The simple reads are PL/pgSQL in sql/parts/30_graph.sql.
#include "graph_store.h"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
}

#include <malloc.h>

#include "temporal/graph.h"

namespace t = llmspell::temporal;
using graph_pg::graph_call;
using graph_pg::Micros;
using graph_pg::PgGraphStore;

namespace {

// NULL or the C string of a text argument.
const char* text_arg(FunctionCallInfo fcinfo, int n) {
  return PG_ARGISNULL(n) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(n));
}

const char* required_text(FunctionCallInfo fcinfo, int n, const char* function, const char* what) {
  if (PG_ARGISNULL(n))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("%s(): %s must not be NULL", function, what)));
  return text_to_cstring(PG_GETARG_TEXT_PP(n));
}

// The canonical text of a jsonb properties argument (jsonb's own output is the canonical form).
const char* properties_arg(FunctionCallInfo fcinfo, int n, const char* function) {
  if (PG_ARGISNULL(n)) return nullptr;
  Jsonb* jb = PG_GETARG_JSONB_P(n);
  if (!JB_ROOT_IS_OBJECT(jb))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("%s(): properties must be a JSON object", function)));
  return JsonbToCString(nullptr, &jb->root, VARSIZE(jb));
}

struct OptionalTime {
  bool set;
  Micros value;
};
OptionalTime time_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_ARGISNULL(n)) return {false, 0};
  return {true, graph_pg::to_core(PG_GETARG_TIMESTAMPTZ(n))};
}

// An as-of point: NULL is now (valid) or current (transaction); infinity is current too.
Micros point_arg(FunctionCallInfo fcinfo, int n, Micros fallback) {
  if (PG_ARGISNULL(n)) return fallback;
  Micros m = graph_pg::to_core(PG_GETARG_TIMESTAMPTZ(n));
  return m == t::kInfinity ? t::kCurrent : m;
}

const char* require_tenant(const char* function) {
  const char* tenant = graph_pg::current_tenant();
  if (tenant == nullptr)
    ereport(ERROR,
            (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("%s(): no tenant set", function),
             errhint("SET app.tenant_id before writing to the graph.")));
  return tenant;
}

std::optional<std::string> opt(const char* s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

// A 1000-entity traversal allocates and frees about 400 KB (the core's sets and edges, the result
// rows). glibc gives the free top of the heap back to the kernel once it passes 128 KB, so every
// call took ~100 page faults to get it again: a fifth of the walk's CPU time on the benchmark VM.
// Once per backend that traverses: keep up to 8 MB of free heap, and serve blocks up to 4 MB from
// the heap (setting one threshold stops glibc from raising the mmap one by itself).
void keep_freed_memory() {
  static bool done = false;
  if (done) return;
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  done = true;
}

t::ValidRange range(OptionalTime from, OptionalTime to) {
  t::ValidRange r;
  if (from.set) r.start = from.value;
  r.end = to.set ? to.value : t::kInfinity;
  return r;
}

// Runs one write in the core: SPI around it, the transaction time or NULL back.
template <class F>
Datum write(FunctionCallInfo fcinfo, const char* function, const char* tenant, F&& body) {
  bool changed = false;
  Micros tx = 0;
  SPI_connect();
  CoreError err = graph_call(function, [&] {
    PgGraphStore store(tenant);
    std::optional<Micros> r = body(store);
    if (r.has_value()) {
      changed = true;
      tx = *r;
    }
  });
  raise_core_error(err);
  SPI_finish();
  if (!changed) PG_RETURN_NULL();
  PG_RETURN_TIMESTAMPTZ(graph_pg::to_pg(tx));
}

}  // namespace

LLMSPELL_PG_FUNCTION(llmspell_graph_add_entity) {
  const char* fn = "graph_add_entity";
  const char* id = required_text(fcinfo, 0, fn, "entity_id");
  const char* type = required_text(fcinfo, 1, fn, "entity_type");
  const char* name = text_arg(fcinfo, 2);
  const char* props = properties_arg(fcinfo, 3, fn);
  OptionalTime from = time_arg(fcinfo, 4), to = time_arg(fcinfo, 5);
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) {
    return t::add_entity(s, id, {type, name ? name : "", props ? props : "{}"}, range(from, to));
  });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_update_entity) {
  const char* fn = "graph_update_entity";
  const char* id = required_text(fcinfo, 0, fn, "entity_id");
  const char* type = text_arg(fcinfo, 1);
  const char* name = text_arg(fcinfo, 2);
  const char* props = properties_arg(fcinfo, 3, fn);
  OptionalTime from = time_arg(fcinfo, 4), to = time_arg(fcinfo, 5);
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) {
    return t::update_entity(s, id, {opt(type), opt(name), opt(props)}, range(from, to));
  });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_end_entity) {
  const char* fn = "graph_end_entity";
  const char* id = required_text(fcinfo, 0, fn, "entity_id");
  OptionalTime at = time_arg(fcinfo, 1);
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) {
    return t::end_entity(s, id, at.set ? std::optional<Micros>(at.value) : std::nullopt);
  });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_retract_entity) {
  const char* fn = "graph_retract_entity";
  const char* id = required_text(fcinfo, 0, fn, "entity_id");
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) { return t::retract_entity(s, id); });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_add_relationship) {
  const char* fn = "graph_add_relationship";
  const char* id = required_text(fcinfo, 0, fn, "relationship_id");
  const char* from_entity = required_text(fcinfo, 1, fn, "from_entity");
  const char* to_entity = required_text(fcinfo, 2, fn, "to_entity");
  const char* type = required_text(fcinfo, 3, fn, "relationship_type");
  const char* props = properties_arg(fcinfo, 4, fn);
  OptionalTime from = time_arg(fcinfo, 5), to = time_arg(fcinfo, 6);
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) {
    return t::add_relationship(s, id, {from_entity, to_entity, type, props ? props : "{}"},
                               range(from, to));
  });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_update_relationship) {
  const char* fn = "graph_update_relationship";
  const char* id = required_text(fcinfo, 0, fn, "relationship_id");
  const char* type = text_arg(fcinfo, 1);
  const char* props = properties_arg(fcinfo, 2, fn);
  OptionalTime from = time_arg(fcinfo, 3), to = time_arg(fcinfo, 4);
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) {
    return t::update_relationship(s, id, {opt(type), opt(props)}, range(from, to));
  });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_end_relationship) {
  const char* fn = "graph_end_relationship";
  const char* id = required_text(fcinfo, 0, fn, "relationship_id");
  OptionalTime at = time_arg(fcinfo, 1);
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) {
    return t::end_relationship(s, id, at.set ? std::optional<Micros>(at.value) : std::nullopt);
  });
}

LLMSPELL_PG_FUNCTION(llmspell_graph_retract_relationship) {
  const char* fn = "graph_retract_relationship";
  const char* id = required_text(fcinfo, 0, fn, "relationship_id");
  const char* tenant = require_tenant(fn);
  return write(fcinfo, fn, tenant, [&](PgGraphStore& s) { return t::retract_relationship(s, id); });
}

namespace {

// The elements of a text[] argument as C strings (NULL elements are refused).
int text_array_arg(FunctionCallInfo fcinfo, int n, const char* function, const char*** out) {
  *out = nullptr;
  if (PG_ARGISNULL(n)) return -1;
  ArrayType* a = PG_GETARG_ARRAYTYPE_P(n);
  Datum* elems;
  bool* nulls;
  int count;
  deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
  auto** strings = static_cast<const char**>(palloc(sizeof(char*) * (count + 1)));
  for (int i = 0; i < count; ++i) {
    if (nulls[i])
      ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                      errmsg("%s(): array elements must not be NULL", function)));
    strings[i] = TextDatumGetCString(elems[i]);
  }
  *out = strings;
  return count;
}

}  // namespace

// graph_traverse(start_ids, max_depth, relationship_types, direction, max_nodes, valid_at, tx_at)
LLMSPELL_PG_FUNCTION(llmspell_graph_traverse) {
  const char* fn = "graph_traverse";
  const char** starts;
  int nstarts = text_array_arg(fcinfo, 0, fn, &starts);
  int depth = PG_ARGISNULL(1) ? t::kDefaultMaxDepth : PG_GETARG_INT32(1);
  const char** types;
  int ntypes = text_array_arg(fcinfo, 2, fn, &types);
  const char* direction = PG_ARGISNULL(3) ? "out" : text_to_cstring(PG_GETARG_TEXT_PP(3));
  int64 max_nodes = PG_ARGISNULL(4) ? t::kDefaultMaxNodes : PG_GETARG_INT32(4);
  Micros now = graph_pg::to_core(GetCurrentTimestamp());
  Micros valid = point_arg(fcinfo, 5, now);
  Micros tx = point_arg(fcinfo, 6, t::kCurrent);
  const char* tenant = graph_pg::current_tenant();

  InitMaterializedSRF(fcinfo, 0);
  auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  SPI_connect();
  keep_freed_memory();
  CoreError err = graph_call(fn, [&] {
    t::TraverseRequest r;
    for (int i = 0; i < nstarts; ++i) r.starts.emplace_back(starts[i]);
    for (int i = 0; i < ntypes; ++i) r.types.emplace_back(types[i]);
    r.max_depth = depth;
    r.direction = t::parse_direction(direction);
    r.max_nodes = max_nodes;
    r.at = {valid, tx};
    t::check_traverse_request(r);
    if (tenant == nullptr) return;  // no tenant: nothing is visible
    PgGraphStore store(tenant);
    t::TraverseResult result = t::traverse(store, r);
    for (const t::Reached& n : result.nodes) {
      pg_guard([&] {
        Datum values[5] = {
            PointerGetDatum(cstring_to_text_with_len(n.id.data(), static_cast<int>(n.id.size()))),
            Int32GetDatum(n.depth), graph_pg::text_array(n.path),
            graph_pg::text_array(n.relationships), BoolGetDatum(result.truncated)};
        bool nulls[5] = {false, false, false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        // The tuplestore holds a copy: the next row reuses this memory.
        for (int k : {0, 2, 3}) pfree(DatumGetPointer(values[k]));
      });
    }
  });
  raise_core_error(err);
  SPI_finish();
  return (Datum)0;
}

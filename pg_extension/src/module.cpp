// Module magic and the checks shared by every vector function.
#include "vector_type.h"

#include <cmath>

extern "C" {
#include "utils/guc.h"
}

#include "vector/limits.h"
#include "vector/vector_codec.h"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

void hnsw_register_settings();
namespace graph_pg {
void graph_register_settings();
}

// Settings and index options are registered once per backend, when the library loads.
void _PG_init(void) {
  hnsw_register_settings();
  graph_pg::graph_register_settings();
  // After every llmspell.* setting exists: a misspelt one is then an error, not a placeholder.
  MarkGUCPrefixReserved("llmspell");
}

using llmspell::vector::kMaxDimensions;

PgVector* pg_vector_new(int dim) {
  std::size_t size = pg_vector_size(dim);
  auto* v = static_cast<PgVector*>(palloc0(size));
  SET_VARSIZE(v, size);
  v->dim = static_cast<int16>(dim);
  return v;
}

void pg_vector_check_dim_range(long dim) {
  if (dim < 1)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
  if (dim > static_cast<long>(kMaxDimensions))
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("vector cannot have more than %d dimensions",
                           static_cast<int>(kMaxDimensions))));
}

void pg_vector_check_typmod(int dim, int32 typmod) {
  if (typmod != -1 && typmod != dim)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("expected %d dimensions, not %d", typmod, dim)));
}

void pg_vector_check_same_dims(const PgVector* a, const PgVector* b) {
  if (a->dim != b->dim)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("different vector dimensions %d and %d", a->dim, b->dim)));
}

void pg_vector_check_finite(const PgVector* v, const char* what) {
  if (!llmspell::vector::all_finite(v->x, static_cast<std::size_t>(v->dim)))
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("NaN or infinity not allowed in vector (%s)", what)));
}

float pg_vector_float_from_double(double x) {
  float f = static_cast<float>(x);
  if (std::isinf(f) && !std::isinf(x))
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("value %g is out of range for type vector", x)));
  return f;
}

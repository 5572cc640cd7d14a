// Distances, arithmetic, comparison and the small scalar functions of the vector type. Each is a
// thin call into the shared core after the dimension checks.
#include "vector_type.h"

#include <cmath>

#include "vector/distance.h"
#include "vector/vector_math.h"

namespace lv = llmspell::vector;

namespace {

inline std::size_t dims(const PgVector* v) { return static_cast<std::size_t>(v->dim); }

void check_no_overflow(const PgVector* v) {
  for (int i = 0; i < v->dim; ++i) {
    if (std::isinf(v->x[i]))
      ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                      errmsg("value out of range: overflow")));
  }
}

int compare_args(FunctionCallInfo fcinfo) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  return lv::compare(a->x, dims(a), b->x, dims(b));
}

}  // namespace

LLMSPELL_PG_FUNCTION(llmspell_l2_distance) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PG_RETURN_FLOAT8(lv::l2_distance(a->x, b->x, dims(a)));
}

LLMSPELL_PG_FUNCTION(llmspell_l2_squared_distance) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PG_RETURN_FLOAT8(lv::l2_squared(a->x, b->x, dims(a)));
}

LLMSPELL_PG_FUNCTION(llmspell_inner_product) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PG_RETURN_FLOAT8(lv::inner_product(a->x, b->x, dims(a)));
}

LLMSPELL_PG_FUNCTION(llmspell_negative_inner_product) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PG_RETURN_FLOAT8(-static_cast<double>(lv::inner_product(a->x, b->x, dims(a))));
}

// NaN when either vector is zero: it has no direction, so no angle (pgvector does the same).
LLMSPELL_PG_FUNCTION(llmspell_cosine_distance) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PG_RETURN_FLOAT8(lv::cosine_distance(a->x, b->x, dims(a)));
}

LLMSPELL_PG_FUNCTION(llmspell_vector_dims) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PG_RETURN_INT32(a->dim);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_norm) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PG_RETURN_FLOAT8(lv::norm(a->x, dims(a)));
}

LLMSPELL_PG_FUNCTION(llmspell_l2_normalize) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* r = pg_vector_new(a->dim);
  lv::normalize(a->x, r->x, dims(a));
  PG_RETURN_VECTOR_P(r);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_add) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PgVector* r = pg_vector_new(a->dim);
  lv::add(a->x, b->x, r->x, dims(a));
  check_no_overflow(r);
  PG_RETURN_VECTOR_P(r);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_sub) {
  PgVector* a = PG_GETARG_VECTOR_P(0);
  PgVector* b = PG_GETARG_VECTOR_P(1);
  pg_vector_check_same_dims(a, b);
  PgVector* r = pg_vector_new(a->dim);
  lv::subtract(a->x, b->x, r->x, dims(a));
  check_no_overflow(r);
  PG_RETURN_VECTOR_P(r);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_cmp) { PG_RETURN_INT32(compare_args(fcinfo)); }
LLMSPELL_PG_FUNCTION(llmspell_vector_lt) { PG_RETURN_BOOL(compare_args(fcinfo) < 0); }
LLMSPELL_PG_FUNCTION(llmspell_vector_le) { PG_RETURN_BOOL(compare_args(fcinfo) <= 0); }
LLMSPELL_PG_FUNCTION(llmspell_vector_eq) { PG_RETURN_BOOL(compare_args(fcinfo) == 0); }
LLMSPELL_PG_FUNCTION(llmspell_vector_ne) { PG_RETURN_BOOL(compare_args(fcinfo) != 0); }
LLMSPELL_PG_FUNCTION(llmspell_vector_ge) { PG_RETURN_BOOL(compare_args(fcinfo) >= 0); }
LLMSPELL_PG_FUNCTION(llmspell_vector_gt) { PG_RETURN_BOOL(compare_args(fcinfo) > 0); }

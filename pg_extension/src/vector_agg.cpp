// avg(vector) and sum(vector). The transition state is a float8[] holding the row count followed
// by the running sums in double precision, so long sums do not drift and parallel workers can
// combine their states.
#include "vector_type.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace {

// Returns the state's elements; *n is 1 + dimensions (or 1 for the empty initial state '{0}').
float8* state_values(ArrayType* state, int* n) {
  if (ARR_NDIM(state) != 1 || ARR_HASNULL(state) || ARR_ELEMTYPE(state) != FLOAT8OID ||
      ARR_DIMS(state)[0] < 1)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("invalid vector aggregate state")));
  *n = ARR_DIMS(state)[0];
  return reinterpret_cast<float8*>(ARR_DATA_PTR(state));
}

ArrayType* make_state(const float8* values, int n) {
  Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * n));
  for (int i = 0; i < n; ++i) elems[i] = Float8GetDatum(values[i]);
  return construct_array(elems, n, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

PgVector* state_to_vector(const float8* values, int n, double divisor) {
  PgVector* r = pg_vector_new(n - 1);
  for (int i = 1; i < n; ++i) {
    r->x[i - 1] = pg_vector_float_from_double(values[i] / divisor);
  }
  return r;
}

}  // namespace

LLMSPELL_PG_FUNCTION(llmspell_vector_accum) {
  int n;
  float8* s = state_values(PG_GETARG_ARRAYTYPE_P(0), &n);
  PgVector* v = PG_GETARG_VECTOR_P(1);
  int dim = v->dim;
  if (n > 1 && n - 1 != dim)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("different vector dimensions %d and %d", n - 1, dim)));
  float8* out = static_cast<float8*>(palloc(sizeof(float8) * (dim + 1)));
  out[0] = s[0] + 1;
  for (int i = 0; i < dim; ++i) out[i + 1] = (n > 1 ? s[i + 1] : 0.0) + v->x[i];
  PG_RETURN_ARRAYTYPE_P(make_state(out, dim + 1));
}

LLMSPELL_PG_FUNCTION(llmspell_vector_combine) {
  int na, nb;
  float8* a = state_values(PG_GETARG_ARRAYTYPE_P(0), &na);
  float8* b = state_values(PG_GETARG_ARRAYTYPE_P(1), &nb);
  if (na == 1) PG_RETURN_ARRAYTYPE_P(make_state(b, nb));
  if (nb == 1) PG_RETURN_ARRAYTYPE_P(make_state(a, na));
  if (na != nb)
    ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                    errmsg("different vector dimensions %d and %d", na - 1, nb - 1)));
  float8* out = static_cast<float8*>(palloc(sizeof(float8) * na));
  for (int i = 0; i < na; ++i) out[i] = a[i] + b[i];
  PG_RETURN_ARRAYTYPE_P(make_state(out, na));
}

LLMSPELL_PG_FUNCTION(llmspell_vector_avg) {
  int n;
  float8* s = state_values(PG_GETARG_ARRAYTYPE_P(0), &n);
  if (s[0] == 0 || n == 1) PG_RETURN_NULL();
  PG_RETURN_VECTOR_P(state_to_vector(s, n, s[0]));
}

LLMSPELL_PG_FUNCTION(llmspell_vector_sum) {
  int n;
  float8* s = state_values(PG_GETARG_ARRAYTYPE_P(0), &n);
  if (s[0] == 0 || n == 1) PG_RETURN_NULL();
  PG_RETURN_VECTOR_P(state_to_vector(s, n, 1.0));
}

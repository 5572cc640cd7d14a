// Casts between vector and SQL arrays (real[], double precision[], integer[], numeric[]).
#include "vector_type.h"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
}

namespace {

float element_to_float(Datum d, Oid type) {
  switch (type) {
    case INT4OID:
      return static_cast<float>(DatumGetInt32(d));
    case FLOAT8OID:
      return pg_vector_float_from_double(DatumGetFloat8(d));
    case FLOAT4OID:
      return DatumGetFloat4(d);
    case NUMERICOID:
      // numeric_float4 raises 22003 itself for values beyond the float4 range.
      return DatumGetFloat4(DirectFunctionCall1(numeric_float4, d));
  }
  ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
                  errmsg("unsupported array element type %s for vector", format_type_be(type))));
  return 0;  // not reached
}

}  // namespace

LLMSPELL_PG_FUNCTION(llmspell_array_to_vector) {
  ArrayType* array = PG_GETARG_ARRAYTYPE_P(0);
  int32 typmod = PG_GETARG_INT32(1);
  if (ARR_NDIM(array) > 1)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D to become a vector")));
  Oid type = ARR_ELEMTYPE(array);
  int16 typlen;
  bool typbyval;
  char typalign;
  get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
  Datum* elems;
  bool* nulls;
  int n;
  deconstruct_array(array, type, typlen, typbyval, typalign, &elems, &nulls, &n);
  pg_vector_check_dim_range(n);
  pg_vector_check_typmod(n, typmod);
  PgVector* v = pg_vector_new(n);
  for (int i = 0; i < n; ++i) {
    if (nulls[i])
      ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                      errmsg("array must not contain nulls to become a vector"),
                      errdetail("Element %d is NULL.", i + 1)));
    v->x[i] = element_to_float(elems[i], type);
  }
  pg_vector_check_finite(v, "array element");
  PG_RETURN_VECTOR_P(v);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_to_float4) {
  PgVector* v = PG_GETARG_VECTOR_P(0);
  Datum* elems = static_cast<Datum*>(palloc(sizeof(Datum) * v->dim));
  for (int i = 0; i < v->dim; ++i) elems[i] = Float4GetDatum(v->x[i]);
  ArrayType* result = construct_array(elems, v->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
  PG_RETURN_POINTER(result);
}

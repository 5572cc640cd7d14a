// Text and binary input/output of the vector type, and its type modifier vector(n).
#include "vector_type.h"

extern "C" {
#include "catalog/pg_type.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

#include <cstring>
#include <string_view>

#include "vector/limits.h"
#include "vector/vector_text.h"

namespace lv = llmspell::vector;

LLMSPELL_PG_FUNCTION(llmspell_vector_in) {
  const char* text = PG_GETARG_CSTRING(0);
  int32 typmod = PG_GETARG_INT32(2);
  std::string_view view(text);
  std::size_t capacity = lv::count_elements_upper_bound(view);
  if (capacity > lv::kMaxDimensions) capacity = lv::kMaxDimensions;
  float* values = static_cast<float*>(palloc(capacity * sizeof(float)));
  lv::ParseStatus st = lv::parse_vector(view, values, capacity);
  if (st.error == lv::ParseError::kTooManyDimensions)
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("vector cannot have more than %d dimensions",
                           static_cast<int>(lv::kMaxDimensions))));
  if (st.error == lv::ParseError::kNotFinite)
    ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
                    errmsg("value out of range for type vector: \"%s\"", text),
                    errdetail("At position %d: %s.", static_cast<int>(st.position),
                              lv::describe(st.error))));
  if (!st.ok())
    ereport(ERROR, (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
                    errmsg("invalid input syntax for type vector: \"%s\"", text),
                    errdetail("At position %d: %s.", static_cast<int>(st.position),
                              lv::describe(st.error))));
  int dim = static_cast<int>(st.dimensions);
  pg_vector_check_typmod(dim, typmod);
  PgVector* v = pg_vector_new(dim);
  std::memcpy(v->x, values, sizeof(float) * st.dimensions);
  pfree(values);
  PG_RETURN_VECTOR_P(v);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_out) {
  PgVector* v = PG_GETARG_VECTOR_P(0);
  char* out = static_cast<char*>(palloc(lv::max_formatted_length(v->dim)));
  lv::format_vector(v->x, static_cast<std::size_t>(v->dim), out);
  PG_FREE_IF_COPY(v, 0);
  PG_RETURN_CSTRING(out);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_typmod_in) {
  ArrayType* ta = PG_GETARG_ARRAYTYPE_P(0);
  int n = 0;
  int32* mods = ArrayGetIntegerTypmods(ta, &n);
  if (n != 1)
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
             errmsg("invalid type modifier: vector takes one dimension, as in vector(768)")));
  if (mods[0] < 1)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("dimensions for type vector must be at least 1")));
  if (mods[0] > static_cast<int32>(lv::kMaxDimensions))
    ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                    errmsg("dimensions for type vector cannot exceed %d",
                           static_cast<int>(lv::kMaxDimensions))));
  PG_RETURN_INT32(mods[0]);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_typmod_out) {
  int32 typmod = PG_GETARG_INT32(0);
  PG_RETURN_CSTRING(typmod < 0 ? pstrdup("") : psprintf("(%d)", typmod));
}

// Binary form, as pgvector sends it: int16 dimensions, int16 reserved (0), float4 values, all in
// network byte order.
LLMSPELL_PG_FUNCTION(llmspell_vector_recv) {
  StringInfo buf = reinterpret_cast<StringInfo>(PG_GETARG_POINTER(0));
  int32 typmod = PG_GETARG_INT32(2);
  int dim = pq_getmsgint(buf, sizeof(int16));
  int unused = pq_getmsgint(buf, sizeof(int16));
  pg_vector_check_dim_range(dim);
  pg_vector_check_typmod(dim, typmod);
  if (unused != 0)
    ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
                    errmsg("invalid binary vector: reserved field is %d, expected 0", unused)));
  PgVector* v = pg_vector_new(dim);
  for (int i = 0; i < dim; ++i) v->x[i] = pq_getmsgfloat4(buf);
  pg_vector_check_finite(v, "binary input");
  PG_RETURN_VECTOR_P(v);
}

LLMSPELL_PG_FUNCTION(llmspell_vector_send) {
  PgVector* v = PG_GETARG_VECTOR_P(0);
  StringInfoData buf;
  pq_begintypsend(&buf);
  pq_sendint16(&buf, static_cast<uint16>(v->dim));
  pq_sendint16(&buf, static_cast<uint16>(v->unused));
  for (int i = 0; i < v->dim; ++i) pq_sendfloat4(&buf, v->x[i]);
  PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

// The length coercion behind vector -> vector(n).
LLMSPELL_PG_FUNCTION(llmspell_vector_typmod_cast) {
  PgVector* v = PG_GETARG_VECTOR_P(0);
  pg_vector_check_typmod(v->dim, PG_GETARG_INT32(1));
  PG_RETURN_VECTOR_P(v);
}

// On-disk layout of the PostgreSQL vector type and the checks every vector function shares.
// The layout (varlena header, int16 dimensions, int16 reserved, float4 values) matches pgvector's,
// so binary COPY and dumps move between the two.
#pragma once

#include "pg_glue.h"

#include <cstddef>

struct PgVector {
  int32 vl_len_;  // varlena header, never touched directly
  int16 dim;
  int16 unused;  // always zero
  float x[FLEXIBLE_ARRAY_MEMBER];
};

inline std::size_t pg_vector_size(int dim) {
  return offsetof(PgVector, x) + sizeof(float) * static_cast<std::size_t>(dim);
}

inline PgVector* pg_vector_from_datum(Datum d) {
  return reinterpret_cast<PgVector*>(PG_DETOAST_DATUM(d));
}

#define PG_GETARG_VECTOR_P(n) pg_vector_from_datum(PG_GETARG_DATUM(n))
#define PG_RETURN_VECTOR_P(v) PG_RETURN_POINTER(v)

// Allocates a zeroed vector of `dim` dimensions in the current memory context.
PgVector* pg_vector_new(int dim);

// ERROR (54000 / 22023) unless 1 <= dim <= kMaxDimensions.
void pg_vector_check_dim_range(long dim);

// ERROR 22000 unless typmod is -1 or equal to dim.
void pg_vector_check_typmod(int dim, int32 typmod);

// ERROR 22000 when a and b have different dimensions.
void pg_vector_check_same_dims(const PgVector* a, const PgVector* b);

// ERROR 22000 when a value is NaN or infinite; `what` names the source ("binary input", ...).
void pg_vector_check_finite(const PgVector* v, const char* what);

// Rounds to float4; ERROR 22003 when the value lies beyond the float4 range.
float pg_vector_float_from_double(double x);

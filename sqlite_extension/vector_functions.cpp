#include "vector_functions.h"

#include <cmath>
#include <string>
#include <vector>

#include "function_error.h"
#include "guard.h"
#include "vector/distance.h"
#include "vector/vector_math.h"
#include "vector_arg.h"
#include "vector_result.h"

namespace llmspell::sqlite {
namespace {

namespace vec = llmspell::vector;

void require_same_dimensions(const VectorArg& a, const VectorArg& b) {
  if (a.dimensions() != b.dimensions()) {
    throw FunctionError("dimension mismatch: " + std::to_string(a.dimensions()) + " vs " +
                        std::to_string(b.dimensions()));
  }
}

// vector(v): the canonical BLOB form, after validating v.
void vector_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg v(argv[0]);
  if (sqlite3_value_type(argv[0]) == SQLITE_BLOB) {
    // A valid BLOB already is the canonical form.
    sqlite3_result_value(ctx, argv[0]);
    return;
  }
  result_vector_blob(ctx, v.data(), v.dimensions());
}

void vector_to_text_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg v(argv[0]);
  result_vector_text(ctx, v.data(), v.dimensions());
}

void vector_dims_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg v(argv[0]);
  sqlite3_result_int64(ctx, static_cast<sqlite3_int64>(v.dimensions()));
}

// Euclidean distance, not squared, so it reads as a length.
void vec_distance_l2_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg a(argv[0]);
  VectorArg b(argv[1]);
  require_same_dimensions(a, b);
  sqlite3_result_double(ctx, vec::l2_distance(a.data(), b.data(), a.dimensions()));
}

void vec_distance_cosine_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg a(argv[0]);
  VectorArg b(argv[1]);
  require_same_dimensions(a, b);
  float distance = vec::cosine_distance(a.data(), b.data(), a.dimensions());
  // A zero-norm vector has no direction, and the core returns NaN. SQLite stores NaN as NULL in
  // any case (sqlite3_result_double(NaN) yields NULL); saying so explicitly documents the result.
  if (std::isnan(distance)) return sqlite3_result_null(ctx);
  sqlite3_result_double(ctx, distance);
}

void vec_inner_product_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg a(argv[0]);
  VectorArg b(argv[1]);
  require_same_dimensions(a, b);
  sqlite3_result_double(ctx, vec::inner_product(a.data(), b.data(), a.dimensions()));
}

// v / |v|. The core leaves a zero vector unchanged: it has no direction to keep.
void vector_normalize_fn(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (any_null(argc, argv)) return sqlite3_result_null(ctx);
  VectorArg v(argv[0]);
  std::vector<float> out(v.dimensions());
  vec::normalize(v.data(), out.data(), v.dimensions());
  result_vector_blob(ctx, out.data(), out.size());
}

struct FunctionSpec {
  const char* name;
  int arguments;
  void (*callback)(sqlite3_context*, int, sqlite3_value**);
};

constexpr FunctionSpec kFunctions[] = {
    {"vector", 1, guarded<vector_fn>},
    {"vector_to_text", 1, guarded<vector_to_text_fn>},
    {"vector_dims", 1, guarded<vector_dims_fn>},
    {"vec_distance_l2", 2, guarded<vec_distance_l2_fn>},
    {"vec_distance_cosine", 2, guarded<vec_distance_cosine_fn>},
    {"vec_inner_product", 2, guarded<vec_inner_product_fn>},
    {"vector_normalize", 1, guarded<vector_normalize_fn>},
};

}  // namespace

int register_vector_functions(sqlite3* db) {
  // Deterministic: usable in CHECK constraints, indexes and generated columns. Innocuous: no
  // side effects, so allowed in schemas even under SQLITE_DBCONFIG_TRUSTED_SCHEMA=off.
  constexpr int kFlags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  for (const FunctionSpec& f : kFunctions) {
    // The name doubles as user data so that errors can say which function failed.
    int rc = sqlite3_create_function_v2(db, f.name, f.arguments, kFlags, const_cast<char*>(f.name),
                                        f.callback, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return rc;
  }
  return SQLITE_OK;
}

}  // namespace llmspell::sqlite

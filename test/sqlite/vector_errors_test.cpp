// Every error message, checked in full: each names the function and the problem.
#include <string>
#include <utility>
#include <vector>

#include "sqlite_fixture.h"

namespace llmspell::sqlite::test {
namespace {

using VectorErrors = SqliteModuleTest;

// Text positions are 0-based byte offsets, as the core reports them.
TEST_F(VectorErrors, InvalidText) {
  EXPECT_EQ(error("SELECT vector('[1,x]')"),
            "vector(): invalid vector text at position 3: expected a number");
  EXPECT_EQ(error("SELECT vector('[1,,2]')"),
            "vector(): invalid vector text at position 3: expected a number");
  EXPECT_EQ(error("SELECT vector('[1 2]')"),
            "vector(): invalid vector text at position 3: expected a number");
  EXPECT_EQ(error("SELECT vector('[nan]')"),
            "vector(): invalid vector text at position 1: NaN and infinity are not allowed in a "
            "vector");
  EXPECT_EQ(error("SELECT vector('1,2')"),
            "vector(): invalid vector text at position 0: vector must start with \"[\"");
  EXPECT_EQ(error("SELECT vector('')"),
            "vector(): invalid vector text at position 0: vector must start with \"[\"");
  EXPECT_EQ(error("SELECT vector('[1,2')"),
            "vector(): invalid vector text at position 4: vector must end with \"]\"");
  EXPECT_EQ(error("SELECT vector('[1,2] x')"),
            "vector(): invalid vector text at position 6: unexpected characters after \"]\"");
  EXPECT_EQ(error("SELECT vector('[1e39]')"),
            "vector(): invalid vector text at position 1: value outside the float32 range");
}

TEST_F(VectorErrors, EmptyVector) {
  EXPECT_EQ(error("SELECT vector('[]')"), "vector(): empty vector");
  EXPECT_EQ(error("SELECT vector(' [ ] ')"), "vector(): empty vector");
  EXPECT_EQ(error("SELECT vector(x'')"), "vector(): empty vector");
  EXPECT_EQ(error("SELECT vector(zeroblob(0))"), "vector(): empty vector");
}

TEST_F(VectorErrors, TooManyDimensions) {
  EXPECT_EQ(error("SELECT vector(zeroblob(64004))"), "vector(): more than 16000 dimensions");
  EXPECT_EQ(error("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                  "16001) SELECT vector('[' || group_concat('1', ',') || ']') FROM n"),
            "vector(): more than 16000 dimensions");
}

TEST_F(VectorErrors, BadBlobs) {
  EXPECT_EQ(error("SELECT vector(x'000000000000')"),
            "vector(): blob length 6 is not a multiple of 4");
  EXPECT_EQ(error("SELECT vector(x'00')"), "vector(): blob length 1 is not a multiple of 4");
  // 0x7fc00000 is a quiet NaN, 0x7f800000 +infinity, 0xff800000 -infinity.
  EXPECT_EQ(error("SELECT vector(x'0000c07f')"), "vector(): NaN or infinity in blob");
  EXPECT_EQ(error("SELECT vector(x'0000803f0000807f')"), "vector(): NaN or infinity in blob");
  EXPECT_EQ(error("SELECT vector(x'000080ff')"), "vector(): NaN or infinity in blob");
}

TEST_F(VectorErrors, WrongTypes) {
  EXPECT_EQ(error("SELECT vector(1)"), "vector(): expected a vector as TEXT or BLOB, got INTEGER");
  EXPECT_EQ(error("SELECT vector(1.5)"), "vector(): expected a vector as TEXT or BLOB, got REAL");
  EXPECT_EQ(error("SELECT vec_distance_l2('[1]', 2)"),
            "vec_distance_l2(): expected a vector as TEXT or BLOB, got INTEGER");
}

TEST_F(VectorErrors, DimensionMismatch) {
  EXPECT_EQ(error("SELECT vec_distance_l2('[1,2,3]', '[1,2,3,4]')"),
            "vec_distance_l2(): dimension mismatch: 3 vs 4");
  EXPECT_EQ(error("SELECT vec_distance_cosine('[1,2]', '[1]')"),
            "vec_distance_cosine(): dimension mismatch: 2 vs 1");
  EXPECT_EQ(error("SELECT vec_inner_product(x'0000803f', '[1,2]')"),
            "vec_inner_product(): dimension mismatch: 1 vs 2");
}

TEST_F(VectorErrors, EveryFunctionNamesItself) {
  EXPECT_EQ(error("SELECT vector_to_text('[')"),
            "vector_to_text(): invalid vector text at position 1: vector must end with \"]\"");
  EXPECT_EQ(error("SELECT vector_dims(x'010203')"),
            "vector_dims(): blob length 3 is not a multiple of 4");
  EXPECT_EQ(error("SELECT vector_normalize('[]')"), "vector_normalize(): empty vector");
  EXPECT_EQ(error("SELECT vec_distance_l2('[1]', 'x')"),
            "vec_distance_l2(): invalid vector text at position 0: vector must start with \"[\"");
  EXPECT_EQ(error("SELECT vec_distance_cosine(x'0000c07f', '[1]')"),
            "vec_distance_cosine(): NaN or infinity in blob");
  EXPECT_EQ(error("SELECT vec_inner_product('[1]', 3.0)"),
            "vec_inner_product(): expected a vector as TEXT or BLOB, got REAL");
}

TEST_F(VectorErrors, WrongArgumentCountIsRejectedBySqlite) {
  EXPECT_EQ(error("SELECT vector('[1]', '[2]')"), "wrong number of arguments to function vector()");
  EXPECT_EQ(error("SELECT vec_distance_l2('[1]')"),
            "wrong number of arguments to function vec_distance_l2()");
}

// An allocation failure inside a function surfaces as SQLITE_NOMEM, not as a crash or a C++
// exception escaping into SQLite.
TEST_F(VectorErrors, OutOfMemoryBecomesSqliteNomem) {
  std::vector<float> ones(16000, 1.0f);  // aligned: read in place, without allocating
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT vector_to_text(?1)", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_bind_blob(stmt, 1, ones.data(), 64000, SQLITE_STATIC), SQLITE_OK);
  // The text buffer is sized for the longest possible form, about 256 KB for 16000 elements:
  // with 16 KB to spare the allocation fails, with 1 MB it succeeds.
  for (auto [headroom, expected] :
       {std::pair{16 * 1024, SQLITE_NOMEM}, {1024 * 1024, SQLITE_ROW}}) {
    sqlite3_int64 previous = sqlite3_hard_heap_limit64(sqlite3_memory_used() + headroom);
    int rc = sqlite3_step(stmt);
    sqlite3_hard_heap_limit64(previous);
    EXPECT_EQ(rc, expected) << "headroom " << headroom;
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  // The connection is still usable afterwards.
  EXPECT_EQ(integer("SELECT vector_dims('[1,2]')"), 2);
}

// Values outside the double range must be rejected like those outside the float range.
TEST_F(VectorErrors, HugeExponentIsRejected) {
  EXPECT_EQ(error("SELECT vector('[1e400]')"),
            "vector(): invalid vector text at position 1: value outside the float32 range");
}

}  // namespace
}  // namespace llmspell::sqlite::test

// The functions are deterministic and innocuous, so they work inside a schema: CHECK
// constraints, expression indexes, generated columns, views under trusted_schema=off.
#include <string>

#include "sqlite_fixture.h"

namespace llmspell::sqlite::test {
namespace {

using VectorSchema = SqliteModuleTest;

TEST_F(VectorSchema, RegisteredWithDeterministicAndInnocuousFlags) {
  for (const char* name : {"vector", "vector_to_text", "vector_dims", "vec_distance_l2",
                           "vec_distance_cosine", "vec_inner_product", "vector_normalize"}) {
    std::string sql = std::string("SELECT flags & ") + std::to_string(SQLITE_DETERMINISTIC) +
                      " != 0 AND flags & " + std::to_string(SQLITE_INNOCUOUS) +
                      " != 0 AND enc = 'utf8' FROM pragma_function_list WHERE name = '" + name +
                      "'";
    EXPECT_EQ(integer(sql), 1) << name;
  }
  EXPECT_EQ(integer("SELECT count(*) FROM pragma_function_list WHERE name IN ('vector', "
                    "'vector_to_text', 'vector_dims', 'vector_normalize') AND narg = 1"),
            4);
  EXPECT_EQ(integer("SELECT count(*) FROM pragma_function_list WHERE name IN ("
                    "'vec_distance_l2', 'vec_distance_cosine', 'vec_inner_product') AND narg = 2"),
            3);
}

TEST_F(VectorSchema, CheckConstraint) {
  exec("CREATE TABLE t(v BLOB CHECK (vector_dims(v) = 3))");
  exec("INSERT INTO t VALUES (vector('[1,2,3]'))");
  exec("INSERT INTO t VALUES ('[4,5,6]')");
  exec("INSERT INTO t VALUES (NULL)");  // a NULL check result does not fail the constraint
  EXPECT_EQ(error("INSERT INTO t VALUES (vector('[1,2]'))"),
            "CHECK constraint failed: vector_dims(v) = 3");
  // A function error inside the constraint aborts the insert with that error.
  EXPECT_EQ(error("INSERT INTO t VALUES (x'0102')"),
            "vector_dims(): blob length 2 is not a multiple of 4");
  EXPECT_EQ(integer("SELECT count(*) FROM t"), 3);
}

TEST_F(VectorSchema, ExpressionIndex) {
  exec("CREATE TABLE items(id INTEGER PRIMARY KEY, v BLOB)");
  exec("CREATE INDEX items_by_dims ON items(vector_dims(v))");
  exec("CREATE INDEX items_by_origin ON items(vec_distance_l2(v, '[0,0]'))");
  exec(
      "INSERT INTO items(v) VALUES (vector('[3,4]')), (vector('[1,0]')), (vector('[6,8]')), "
      "(vector('[0,2]'))");
  const std::string near_origin =
      "SELECT id FROM items WHERE vec_distance_l2(v, '[0,0]') < 4.5 "
      "ORDER BY vec_distance_l2(v, '[0,0]')";
  std::string plan = query_plan(near_origin);
  EXPECT_NE(plan.find("USING INDEX items_by_origin"), std::string::npos) << plan;
  // Distances from the origin are 5, 1, 10 and 2.
  EXPECT_EQ(text("SELECT group_concat(id) FROM (" + near_origin + ")"), "2,4");
  const std::string two_dims = "SELECT count(*) FROM items WHERE vector_dims(v) = 2";
  plan = query_plan(two_dims);
  EXPECT_NE(plan.find("USING INDEX items_by_dims"), std::string::npos) << plan;
  EXPECT_EQ(integer(two_dims), 4);
  EXPECT_EQ(text("PRAGMA integrity_check"), "ok");
}

TEST_F(VectorSchema, ExpressionIndexRefusesRowsItCannotEvaluate) {
  exec("CREATE TABLE items(v BLOB)");
  exec("CREATE INDEX items_by_dims ON items(vector_dims(v))");
  EXPECT_EQ(error("INSERT INTO items(v) VALUES ('[1,2')"),
            "vector_dims(): invalid vector text at position 4: vector must end with \"]\"");
  EXPECT_EQ(integer("SELECT count(*) FROM items"), 0);
  // Building the index over an existing bad row fails the same way.
  exec("CREATE TABLE more(v BLOB)");
  exec("INSERT INTO more VALUES (vector('[1]')), (x'00')");
  EXPECT_EQ(error("CREATE INDEX more_by_dims ON more(vector_dims(v))"),
            "vector_dims(): blob length 1 is not a multiple of 4");
}

TEST_F(VectorSchema, GeneratedColumns) {
  exec(
      "CREATE TABLE docs(body TEXT, embedding BLOB GENERATED ALWAYS AS (vector(body)) STORED, "
      "dims INTEGER GENERATED ALWAYS AS (vector_dims(body)) VIRTUAL)");
  exec("INSERT INTO docs(body) VALUES ('[1, 2, 3]')");
  EXPECT_EQ(blob("SELECT embedding FROM docs"), float_blob({1, 2, 3}));
  EXPECT_EQ(integer("SELECT dims FROM docs"), 3);
  EXPECT_EQ(error("INSERT INTO docs(body) VALUES ('[1, two]')"),
            "vector(): invalid vector text at position 4: expected a number");
}

TEST_F(VectorSchema, UsableInViewsWithUntrustedSchema) {
  // With trusted_schema off only innocuous functions may run from views and triggers.
  ASSERT_EQ(sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr), SQLITE_OK);
  // A control function without SQLITE_INNOCUOUS shows the setting is in force.
  ASSERT_EQ(sqlite3_create_function(
                db_, "not_innocuous", 0, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                [](sqlite3_context* ctx, int, sqlite3_value**) { sqlite3_result_int(ctx, 1); },
                nullptr, nullptr),
            SQLITE_OK);
  exec("CREATE TABLE pts(v BLOB)");
  exec("INSERT INTO pts VALUES (vector('[3,4]'))");
  exec("CREATE VIEW control AS SELECT not_innocuous() AS x");
  EXPECT_EQ(error("SELECT x FROM control"), "unsafe use of not_innocuous()");
  exec(
      "CREATE VIEW pts_view AS SELECT vector_to_text(vector_normalize(v)) AS unit, "
      "vec_distance_l2(v, '[0,0]') AS len, vec_distance_cosine(v, '[1,0]') AS cos, "
      "vec_inner_product(v, v) AS dot, vector_dims(v) AS dims FROM pts");
  EXPECT_EQ(text("SELECT unit FROM pts_view"), "[0.6,0.8]");
  EXPECT_EQ(real("SELECT len FROM pts_view"), 5.0);
  // 1 - 3/5 = 0.4, computed in float.
  EXPECT_NEAR(real("SELECT cos FROM pts_view"), 0.4, 1e-7);
  EXPECT_EQ(real("SELECT dot FROM pts_view"), 25.0);
  EXPECT_EQ(integer("SELECT dims FROM pts_view"), 2);
}

TEST_F(VectorSchema, NearestNeighboursByOrderBy) {
  exec("CREATE TABLE docs(id INTEGER PRIMARY KEY, v BLOB)");
  exec("INSERT INTO docs(v) VALUES ('[1,0]'), ('[0,1]'), ('[1,1]'), ('[-1,0]'), ('[2,0.1]')");
  // Cosine distances to [1,0]: 0, 1, 0.2929, 2, 1 - 2/sqrt(4.01) = 0.00125.
  EXPECT_EQ(text("SELECT group_concat(id) FROM (SELECT id FROM docs "
                 "ORDER BY vec_distance_cosine(v, '[1,0]') LIMIT 3)"),
            "1,5,3");
}

TEST_F(VectorSchema, ModuleLoadsTwiceAndByExplicitEntryPoint) {
  char* message = nullptr;
  EXPECT_EQ(
      sqlite3_load_extension(db_, LLMSPELL_SQLITE_MODULE_PATH, "sqlite3_llmspell_init", &message),
      SQLITE_OK);
  sqlite3_free(message);
  EXPECT_EQ(integer("SELECT vector_dims('[1,2]')"), 2);
}

}  // namespace
}  // namespace llmspell::sqlite::test

// The llmspell_hnsw virtual table through SQL: columns, writes, query forms and plans, every bad
// input with its message, and the lifecycle of the shadow tables.
#include <string>

#include "hnsw_support.h"
#include "sqlite_fixture.h"

namespace llmspell::sqlite::test {
namespace {

class HnswVtab : public SqliteModuleTest {
 protected:
  void SetUp() override {
    SqliteModuleTest::SetUp();
    exec(
        "CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[3] distance=l2, "
        "tenant_id text, scope text, +notes, +score real, m=8, ef_construction=32)");
  }
  std::string rows(const std::string& sql) {
    std::string out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
    int rc;
    while (stmt && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (!out.empty()) out += " | ";
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        if (i) out += ",";
        const unsigned char* t = sqlite3_column_text(stmt, i);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
      }
    }
    sqlite3_finalize(stmt);
    return out;
  }
  std::string check() { return text("SELECT llmspell_hnsw_check('items')"); }
};

TEST_F(HnswVtab, InsertAndSearchNearestFirst) {
  exec(
      "INSERT INTO items(rowid, embedding, tenant_id, notes) VALUES "
      "(1, '[1,0,0]', 'a', 'x'), (2, '[0,1,0]', 'b', 'y'), (3, '[0,0,2]', 'a', NULL)");
  EXPECT_EQ(rows("SELECT rowid, round(distance, 4), tenant_id, notes FROM items "
                 "WHERE embedding MATCH '[1,0,0]' AND k = 3"),
            "1,0.0,a,x | 2,1.4142,b,y | 3,2.2361,a,NULL");
  // Distances are those of vec_distance_l2.
  EXPECT_EQ(rows("SELECT round(distance - vec_distance_l2(embedding, '[1,0,0]'), 6) FROM items "
                 "WHERE embedding MATCH '[1,0,0]' AND k = 3"),
            "0.0 | 0.0 | 0.0");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[0,1,0]' AND k = 1"), "2");
  EXPECT_EQ(check(), "ok");
}

TEST_F(HnswVtab, ColumnsRoundTrip) {
  exec(
      "INSERT INTO items(rowid, embedding, tenant_id, scope, notes, score) VALUES "
      "(7, vector('[0.5,-1.25,3]'), 42, 's', x'0102', 2)");
  EXPECT_EQ(rows("SELECT vector_to_text(embedding), tenant_id, typeof(tenant_id), scope, "
                 "hex(notes), score, typeof(score) FROM items"),
            "[0.5,-1.25,3],42,text,s,0102,2.0,real");
  EXPECT_EQ(blob("SELECT embedding FROM items WHERE rowid = 7"), float_blob({0.5f, -1.25f, 3}));
  // Hidden columns stay out of SELECT *.
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT * FROM items", -1, &stmt, nullptr), SQLITE_OK);
  EXPECT_EQ(sqlite3_column_count(stmt), 5);
  sqlite3_finalize(stmt);
  // TEXT vectors are stored as float32 BLOBs.
  exec("INSERT INTO items(rowid, embedding) VALUES (8, '[1,2,3]')");
  EXPECT_EQ(text("SELECT typeof(embedding) FROM items WHERE rowid = 8"), "blob");
  EXPECT_EQ(integer("SELECT last_insert_rowid()"), 8);
  exec("INSERT INTO items(embedding) VALUES ('[1,2,4]')");
  EXPECT_EQ(integer("SELECT last_insert_rowid()"), 9);
}

TEST_F(HnswVtab, IntegerFilterColumns) {
  exec("CREATE VIRTUAL TABLE t2 USING llmspell_hnsw(v float[2], tenant_id integer, +note)");
  exec(
      "INSERT INTO t2(rowid, v, tenant_id) VALUES (1, '[1,0]', 5), (2, '[0,1]', '6'), "
      "(3, '[1,1]', 7.0)");
  EXPECT_EQ(rows("SELECT rowid, tenant_id, typeof(tenant_id) FROM t2"),
            "1,5,integer | 2,6,integer | 3,7,integer");
  EXPECT_EQ(rows("SELECT rowid FROM t2 WHERE v MATCH '[1,0]' AND k = 3 AND tenant_id = '6'"), "2");
  EXPECT_EQ(rows("SELECT rowid FROM t2 WHERE v MATCH '[1,0]' AND k = 3 AND tenant_id = 7"), "3");
  EXPECT_EQ(rows("SELECT rowid FROM t2 WHERE tenant_id = 5"), "1");
  EXPECT_EQ(error("INSERT INTO t2(v, tenant_id) VALUES ('[1,0]', 'abc')"),
            "t2.tenant_id: expected an integer, got 'abc'");
  EXPECT_EQ(error("INSERT INTO t2(v, tenant_id) VALUES ('[1,0]', 1.5)"),
            "t2.tenant_id: expected an integer, got 1.500000");
  EXPECT_EQ(error("INSERT INTO t2(v, tenant_id) VALUES ('[1,0]', x'01')"),
            "t2.tenant_id: expected text or an integer, got a BLOB");
}

TEST_F(HnswVtab, FiltersDuringSearch) {
  exec(
      "INSERT INTO items(rowid, embedding, tenant_id, scope) VALUES "
      "(1, '[1,0,0]', 'a', 'x'), (2, '[0.9,0,0]', 'b', 'x'), (3, '[0.8,0,0]', 'a', 'y'), "
      "(4, '[0.7,0,0]', 'b', 'y'), (5, '[0.6,0,0]', NULL, 'y')");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 10 "
                 "AND tenant_id = 'b'"),
            "2 | 4");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 10 "
                 "AND tenant_id = 'a' AND scope = 'y'"),
            "3");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 10 "
                 "AND tenant_id = 'nobody'"),
            "");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 10 "
                 "AND tenant_id = 'a' AND tenant_id = 'b'"),
            "");
  // Other conditions are applied by SQLite to the k rows returned.
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 3 "
                 "AND scope != 'x'"),
            "3");
  // Equality under another collation is not taken by the index but still answered.
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 10 "
                 "AND tenant_id = 'B' COLLATE NOCASE"),
            "2 | 4");
  // Without MATCH the table is scanned like an ordinary one.
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE tenant_id = 'a'"), "1 | 3");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE tenant_id IS NULL"), "5");
  EXPECT_EQ(rows("SELECT count(*) FROM items"), "5");
}

TEST_F(HnswVtab, QueryPlans) {
  EXPECT_EQ(query_plan("SELECT rowid FROM items WHERE embedding MATCH ?1 AND k = 5 "
                       "AND tenant_id = ?2 ORDER BY distance"),
            "SCAN items VIRTUAL TABLE INDEX 1:M,K,F1");
  EXPECT_EQ(query_plan("SELECT rowid FROM items WHERE embedding MATCH ?1 AND k = 5 "
                       "AND ef_search = 80 AND exact = 0"),
            "SCAN items VIRTUAL TABLE INDEX 1:M,K,E,X");
  EXPECT_EQ(query_plan("SELECT * FROM items WHERE rowid = 3"),
            "SCAN items VIRTUAL TABLE INDEX 2:R");
  EXPECT_EQ(query_plan("SELECT * FROM items WHERE scope = 'x' ORDER BY rowid"),
            "SCAN items VIRTUAL TABLE INDEX 0:F2");
  EXPECT_EQ(query_plan("SELECT * FROM items"), "SCAN items VIRTUAL TABLE INDEX 0:");
  // Descending distance is sorted by SQLite.
  EXPECT_NE(query_plan("SELECT rowid FROM items WHERE embedding MATCH ?1 AND k = 5 "
                       "ORDER BY distance DESC")
                .find("TEMP B-TREE"),
            std::string::npos);
}

TEST_F(HnswVtab, ExactModeAndEfSearch) {
  std::string values;
  for (int i = 0; i < 300; ++i) {
    if (i) values += ",";
    values += "(" + std::to_string(i + 1) + ", '[" + std::to_string(i % 17) + "," +
              std::to_string(i % 13) + "," + std::to_string(i % 7) + "]')";
  }
  exec("INSERT INTO items(rowid, embedding) VALUES " + values);
  std::string exact =
      rows("SELECT rowid FROM items WHERE embedding MATCH '[3,4,5]' AND k = 5 AND exact = 1");
  std::string oracle = rows(
      "SELECT rowid FROM (SELECT rowid, vec_distance_l2(embedding, '[3,4,5]') AS d FROM items "
      "ORDER BY d, rowid LIMIT 5)");
  EXPECT_EQ(exact, oracle);
  EXPECT_EQ(rows("SELECT count(*) FROM items WHERE embedding MATCH '[3,4,5]' AND k = 50 "
                 "AND ef_search = 200"),
            "50");
  EXPECT_EQ(check(), "ok");
}

TEST_F(HnswVtab, UpdateAndDelete) {
  exec(
      "INSERT INTO items(rowid, embedding, tenant_id, notes) VALUES "
      "(1, '[1,0,0]', 'a', 'one'), (2, '[0,1,0]', 'a', 'two'), (3, '[0,0,1]', 'b', 'three')");
  exec("UPDATE items SET notes = 'uno' WHERE rowid = 1");
  exec("UPDATE items SET tenant_id = 'b' WHERE rowid = 2");
  exec("UPDATE items SET embedding = '[0.9,0.1,0]' WHERE rowid = 3");
  EXPECT_EQ(rows("SELECT rowid, tenant_id, notes FROM items WHERE embedding MATCH '[1,0,0]' "
                 "AND k = 3"),
            "1,a,uno | 3,b,three | 2,b,two");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 3 "
                 "AND tenant_id = 'b'"),
            "3 | 2");
  exec("UPDATE items SET rowid = 30 WHERE rowid = 3");
  EXPECT_EQ(rows("SELECT rowid, notes FROM items WHERE embedding MATCH '[1,0,0]' AND k = 2"),
            "1,uno | 30,three");
  EXPECT_EQ(error("UPDATE items SET rowid = 1 WHERE rowid = 2"),
            "UNIQUE constraint failed: items.rowid");
  exec("DELETE FROM items WHERE rowid = 1");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[1,0,0]' AND k = 3"), "30 | 2");
  // Deleting through a k-NN query.
  exec("DELETE FROM items WHERE embedding MATCH '[1,0,0]' AND k = 1");
  EXPECT_EQ(rows("SELECT rowid FROM items"), "2");
  EXPECT_EQ(check(), "ok");
}

TEST_F(HnswVtab, ConflictModes) {
  exec("INSERT INTO items(rowid, embedding, notes) VALUES (1, '[1,0,0]', 'first')");
  EXPECT_EQ(error("INSERT INTO items(rowid, embedding) VALUES (1, '[0,1,0]')"),
            "UNIQUE constraint failed: items.rowid");
  exec(
      "INSERT OR IGNORE INTO items(rowid, embedding, notes) VALUES (1, '[0,1,0]', 'ignored'), "
      "(2, '[0,0,1]', 'second')");
  EXPECT_EQ(rows("SELECT rowid, notes FROM items"), "1,first | 2,second");
  exec("INSERT OR REPLACE INTO items(rowid, embedding, notes) VALUES (1, '[0,1,0]', 'replaced')");
  EXPECT_EQ(rows("SELECT rowid, notes FROM items WHERE embedding MATCH '[0,1,0]' AND k = 1"),
            "1,replaced");
  EXPECT_EQ(integer("SELECT count(*) FROM items"), 2);
  EXPECT_EQ(check(), "ok");
}

TEST_F(HnswVtab, FailedStatementLeavesNoTrace) {
  exec("INSERT INTO items(rowid, embedding) VALUES (1, '[1,0,0]')");
  // The third row is bad: the whole statement is undone, in autocommit and inside BEGIN.
  EXPECT_EQ(error("INSERT INTO items(rowid, embedding) VALUES (2, '[0,1,0]'), (3, '[0,0,1]'), "
                  "(4, '[1,2]')"),
            "items.embedding: expected 3 dimensions, got 2");
  EXPECT_EQ(integer("SELECT count(*) FROM items"), 1);
  EXPECT_EQ(check(), "ok");
  exec("BEGIN");
  exec("INSERT INTO items(rowid, embedding) VALUES (5, '[0,1,1]')");
  EXPECT_EQ(error("INSERT INTO items(rowid, embedding) VALUES (6, '[0,1,0]'), (5, '[0,0,1]')"),
            "UNIQUE constraint failed: items.rowid");
  EXPECT_EQ(check(), "ok");
  exec("COMMIT");
  EXPECT_EQ(rows("SELECT rowid FROM items ORDER BY rowid"), "1 | 5");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[0,1,0]' AND k = 5"), "5 | 1");
  EXPECT_EQ(check(), "ok");
}

TEST_F(HnswVtab, BadRowsAreRefusedWithClearMessages) {
  EXPECT_EQ(error("INSERT INTO items(embedding) VALUES ('[1,2]')"),
            "items.embedding: expected 3 dimensions, got 2");
  EXPECT_EQ(error("INSERT INTO items(embedding) VALUES ('[1,x,3]')"),
            "items.embedding: invalid vector text at position 3: expected a number");
  EXPECT_EQ(error("INSERT INTO items(embedding) VALUES (x'0000803f00')"),
            "items.embedding: blob length 5 is not a multiple of 4");
  EXPECT_EQ(error("INSERT INTO items(embedding) VALUES ('[1,nan,3]')"),
            "items.embedding: invalid vector text at position 3: NaN and infinity are not "
            "allowed in a vector");
  EXPECT_EQ(error("INSERT INTO items(embedding) VALUES (NULL)"),
            "items.embedding: must not be NULL");
  EXPECT_EQ(error("INSERT INTO items(notes) VALUES ('no vector')"),
            "items.embedding: must not be NULL");
  EXPECT_EQ(error("INSERT INTO items(embedding) VALUES (42)"),
            "items.embedding: expected a vector as TEXT or BLOB, got INTEGER");
  EXPECT_EQ(error("INSERT INTO items(embedding, tenant_id) VALUES ('[1,2,3]', x'00')"),
            "items.tenant_id: expected text or an integer, got a BLOB");
  EXPECT_EQ(error("INSERT INTO items(embedding, distance) VALUES ('[1,2,3]', 1)"),
            "items: distance, k, ef_search and exact are query parameters, not columns to store");
  EXPECT_EQ(error("INSERT INTO items(rowid, embedding) VALUES ('x', '[1,2,3]')"),
            "datatype mismatch");
  exec("CREATE VIRTUAL TABLE c USING llmspell_hnsw(v float[2] distance=cosine)");
  EXPECT_EQ(error("INSERT INTO c(v) VALUES ('[0,0]')"),
            "c.v: a zero vector has no direction: cosine distance is undefined for it");
  EXPECT_EQ(integer("SELECT count(*) FROM items"), 0);
}

TEST_F(HnswVtab, BadQueriesAreRefusedWithClearMessages) {
  exec("INSERT INTO items(embedding) VALUES ('[1,2,3]')");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]'"),
            "items: a k-NN query needs k: add \"AND k = <n>\" (1 to 10000)");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = 0"),
            "items: k must be an integer between 1 and 10000, got 0");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = 10001"),
            "items: k must be an integer between 1 and 10000, got 10001");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = 'ten'"),
            "items: k must be an integer between 1 and 10000, got 'ten'");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = NULL"),
            "items: k must be an integer between 1 and 10000, got NULL");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = 2.5"),
            "items: k must be an integer between 1 and 10000, got 2.500000");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = 5 "
                  "AND ef_search = 0"),
            "items: ef_search must be an integer between 1 and 10000, got 0");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2,3]' AND k = 5 "
                  "AND exact = 2"),
            "items: exact must be an integer between 0 and 1, got 2");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2]' AND k = 5"),
            "items.embedding: query vector has 2 dimensions, expected 3");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH '[1,2' AND k = 5"),
            "items.embedding: query vector: invalid vector text at position 4: vector must end "
            "with \"]\"");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE embedding MATCH NULL AND k = 5"),
            "items.embedding: MATCH needs a query vector, got NULL");
  EXPECT_EQ(error("SELECT rowid FROM items WHERE k = 5"),
            "items: k, ef_search and exact belong to a k-NN query: add embedding MATCH <vector>");
  // k comes from a bound parameter too.
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db_, "SELECT rowid FROM items WHERE embedding MATCH ?1 AND k = ?2",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  sqlite3_bind_text(stmt, 1, "[1,2,3]", -1, SQLITE_STATIC);
  sqlite3_bind_int(stmt, 2, -1);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ERROR);
  EXPECT_STREQ(sqlite3_errmsg(db_), "items: k must be an integer between 1 and 10000, got -1");
  sqlite3_reset(stmt);
  sqlite3_bind_int(stmt, 2, 1);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  sqlite3_finalize(stmt);
}

TEST_F(HnswVtab, BadDeclarationsAreRefusedWithClearMessages) {
  auto create = [&](const std::string& args) {
    return error("CREATE VIRTUAL TABLE bad USING llmspell_hnsw(" + args + ")");
  };
  EXPECT_EQ(create("v float[3], foo=1"),
            "bad: unknown option \"foo\" (options: m, ef_construction, ef_search, cache_mb)");
  EXPECT_EQ(create("v float[3], m=1"),
            "bad: option m must be an integer between 2 and 100, not \"1\"");
  EXPECT_EQ(create("v float[3], m=abc"),
            "bad: option m must be an integer between 2 and 100, not \"abc\"");
  EXPECT_EQ(create("v float[3], ef_construction=2000"),
            "bad: option ef_construction must be an integer between 4 and 1000, not \"2000\"");
  EXPECT_EQ(create("v float[3], m=4, m=5"), "bad: option m given twice");
  EXPECT_EQ(create("tenant_id text"),
            "bad: no vector column: declare one as \"name float[N]\", for example embedding "
            "float[768]");
  EXPECT_EQ(create("v float[0]"), "bad.v: dimensions must be between 1 and 16000, not \"0\"");
  EXPECT_EQ(create("v float[16001]"),
            "bad.v: dimensions must be between 1 and 16000, not \"16001\"");
  EXPECT_EQ(create("v float[3], w float[3]"),
            "bad.w: a table has one vector column, and v is already one");
  EXPECT_EQ(create("v float[3] distance=manhattan"),
            "bad.v: unknown distance \"manhattan\" (l2, cosine or ip)");
  EXPECT_EQ(create("v float[3] metric=l2"),
            "bad.v: unknown setting \"metric=l2\" (the vector column takes distance=l2|cosine|ip)");
  EXPECT_EQ(create("v float[3], t blob"),
            "bad.t: unsupported type \"blob\": float[N] for the vector, text or integer for a "
            "filter column (prefix auxiliary columns with +)");
  EXPECT_EQ(create("v float[3], t"),
            "bad.t: missing type: float[N] for the vector, text or integer for a filter column "
            "(prefix auxiliary columns with +)");
  EXPECT_EQ(create("v float[3], distance text"), "bad: column name \"distance\" is reserved");
  EXPECT_EQ(create("v float[3], t text, T integer"), "bad: column \"T\" declared twice");
  EXPECT_EQ(create("v float[3], +tenant_id"),
            "bad.tenant_id: the tenant column must be a filter column (text or integer)");
  EXPECT_EQ(create("v float[3], \"odd name\" text"),
            "bad: invalid column name \"\"odd\" (letters, digits and _ only)");
  EXPECT_EQ(integer("SELECT count(*) FROM sqlite_master WHERE name LIKE 'bad%'"), 0);
  // Spaces around = and upper case are fine.
  exec("CREATE VIRTUAL TABLE ok USING llmspell_hnsw(V FLOAT[4] DISTANCE = COSINE, M = 6)");
}

TEST_F(HnswVtab, DropRemovesShadowTablesAndRenameMovesThem) {
  const std::string shadow =
      "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE name LIKE "
      "'%items%' OR name LIKE '%things%' ORDER BY name)";
  EXPECT_EQ(text(shadow),
            "items items_changes items_meta items_nodes items_partitions items_rows items_vectors");
  exec("INSERT INTO items(embedding, tenant_id) VALUES ('[1,2,3]', 'a')");
  exec("ALTER TABLE items RENAME TO things");
  EXPECT_EQ(text(shadow),
            "things things_changes things_meta things_nodes things_partitions things_rows "
            "things_vectors");
  EXPECT_EQ(integer("SELECT rowid FROM things WHERE embedding MATCH '[1,2,3]' AND k = 1 "
                    "AND tenant_id = 'a'"),
            1);
  EXPECT_EQ(text("SELECT llmspell_hnsw_check('things')"), "ok");
  exec("DROP TABLE things");
  EXPECT_TRUE(is_null(shadow));
}

TEST_F(HnswVtab, DropInsideATransaction) {
  exec("INSERT INTO items(rowid, embedding) VALUES (1, '[1,0,0]')");
  // Dropped after a write in the same transaction, then rolled back: the table comes back as
  // committed, with a fresh mirror.
  exec("BEGIN; INSERT INTO items(rowid, embedding) VALUES (2, '[0,1,0]'); DROP TABLE items");
  EXPECT_EQ(error("SELECT count(*) FROM items"), "no such table: items");
  exec("ROLLBACK");
  EXPECT_EQ(rows("SELECT rowid FROM items WHERE embedding MATCH '[0,1,0]' AND k = 5"), "1");
  EXPECT_EQ(check(), "ok");
  // Dropped after a write and committed: nothing is left, and the commit does not touch the
  // destroyed table.
  exec(
      "BEGIN; INSERT INTO items(rowid, embedding) VALUES (3, '[0,0,1]'); DROP TABLE items; "
      "COMMIT");
  EXPECT_EQ(integer("SELECT count(*) FROM sqlite_master WHERE name LIKE 'items%'"), 0);
}

TEST_F(HnswVtab, ShadowTablesAreReadOnlyInDefensiveMode) {
  ASSERT_EQ(sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr), SQLITE_OK);
  exec("INSERT INTO items(embedding) VALUES ('[1,2,3]')");
  EXPECT_EQ(error("DELETE FROM items_nodes"), "table items_nodes may not be modified");
  exec(
      "BEGIN; INSERT INTO items(embedding) VALUES ('[1,2,4]'); SAVEPOINT s; "
      "INSERT INTO items(embedding) VALUES ('[1,2,5]'); ROLLBACK TO s; COMMIT");
  EXPECT_EQ(integer("SELECT count(*) FROM items"), 2);
  EXPECT_EQ(check(), "ok");
}

TEST_F(HnswVtab, CheckReportsDamage) {
  exec("INSERT INTO items(rowid, embedding) VALUES (1, '[1,0,0]'), (2, '[0,1,0]')");
  EXPECT_EQ(check(), "ok");
  exec("UPDATE items_rows SET node = 99 WHERE id = 2");
  EXPECT_EQ(check(), "row 2: its node 99 does not exist\nnode 1: live without a row");
  EXPECT_EQ(error("SELECT llmspell_hnsw_check('nothing')"),
            "llmspell_hnsw_check(): no such table: main.nothing");
  exec("CREATE TABLE plain(x)");
  EXPECT_EQ(error("SELECT llmspell_hnsw_check('plain')"),
            "llmspell_hnsw_check(): plain is not an llmspell_hnsw table");
}

}  // namespace
}  // namespace llmspell::sqlite::test

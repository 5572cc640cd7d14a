// Transactions of the llmspell_hnsw virtual table: ROLLBACK and ROLLBACK TO undo index changes
// exactly (checked against a model after every step), other connections see committed changes
// through the generation counter, and the vector cache stays within its budget.
#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "hnsw_support.h"

namespace llmspell::sqlite::test {
namespace {

using Rows = std::map<std::int64_t, Vec>;

class HnswTxn : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Connection(dir_.file("t.db"));
    db_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
    db_.exec(
        "CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[8], m=6, "
        "ef_construction=40)");
  }

  // Everything the table shows agrees with `model`.
  void verify(const Rows& model, std::mt19937& rng, const std::string& where) {
    SCOPED_TRACE(where);
    ASSERT_EQ(db_.integer("SELECT count(*) FROM items"), static_cast<std::int64_t>(model.size()));
    ASSERT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
    Vec q = random_vec(rng, 8);
    auto exact = knn(db_.get(), "items", "embedding", q, 5, "exact = 1");
    auto truth = brute_force(Metric::kL2, model, q, 5);
    ASSERT_EQ(exact.size(), truth.size());
    for (std::size_t i = 0; i < truth.size(); ++i) EXPECT_EQ(exact[i].rowid, truth[i].rowid);
    auto approx = knn(db_.get(), "items", "embedding", q, 5, "ef_search = 64");
    EXPECT_GE(recall(approx, truth), 0.6);
  }

  TempDir dir_;
  Connection db_;
};

TEST_F(HnswTxn, RollbackUndoesInsertsUpdatesAndDeletes) {
  std::mt19937 rng(1);
  Rows model;
  for (std::int64_t id = 1; id <= 100; ++id) model[id] = random_vec(rng, 8);
  insert_rows(db_.get(), "items", model);
  verify(model, rng, "loaded");
  std::int64_t loads = stat(db_, "items", "full_loads");

  db_.exec("BEGIN");
  for (std::int64_t id = 101; id <= 150; ++id)
    db_.exec("INSERT INTO items(rowid, embedding) VALUES (" + std::to_string(id) + ", " +
             literal(random_vec(rng, 8)) + ")");
  db_.exec("DELETE FROM items WHERE rowid <= 30");
  db_.exec("UPDATE items SET embedding = " + literal(random_vec(rng, 8)) + " WHERE rowid = 50");
  EXPECT_EQ(db_.integer("SELECT count(*) FROM items"), 120);
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
  db_.exec("ROLLBACK");
  verify(model, rng, "after rollback");
  // The mirror was restored from the undo log, not reloaded.
  EXPECT_EQ(stat(db_, "items", "full_loads"), loads);
  EXPECT_EQ(db_.integer("SELECT count(*) FROM items WHERE embedding MATCH " + literal(model[50]) +
                        " AND k = 1 AND exact = 1 AND rowid = 50"),
            1);
}

TEST_F(HnswTxn, SavepointsNestAndRollBackExactly) {
  std::mt19937 rng(2);
  Rows model;
  for (std::int64_t id = 1; id <= 40; ++id) model[id] = random_vec(rng, 8);
  insert_rows(db_.get(), "items", model);

  db_.exec("BEGIN");
  Vec a = random_vec(rng, 8), b = random_vec(rng, 8), c = random_vec(rng, 8);
  db_.exec("INSERT INTO items(rowid, embedding) VALUES (41, " + literal(a) + ")");
  db_.exec("SAVEPOINT one");
  db_.exec("INSERT INTO items(rowid, embedding) VALUES (42, " + literal(b) + ")");
  db_.exec("DELETE FROM items WHERE rowid IN (1, 2, 3)");
  db_.exec("SAVEPOINT two");
  db_.exec("UPDATE items SET embedding = " + literal(c) + " WHERE rowid = 10");
  db_.exec("DELETE FROM items WHERE rowid = 41");
  db_.exec("ROLLBACK TO two");  // undoes the update of 10 and the delete of 41
  Rows expected = model;
  expected[41] = a;
  expected[42] = b;
  expected.erase(1);
  expected.erase(2);
  expected.erase(3);
  verify(expected, rng, "rolled back to two");
  db_.exec("INSERT INTO items(rowid, embedding) VALUES (43, " + literal(c) + ")");
  expected[43] = c;
  verify(expected, rng, "inserted after rollback to two");
  db_.exec("ROLLBACK TO one");
  expected = model;
  expected[41] = a;
  verify(expected, rng, "rolled back to one");
  db_.exec("RELEASE one");
  db_.exec("COMMIT");
  verify(expected, rng, "committed");

  // A fresh connection reads exactly what was committed.
  db_.close();
  db_ = Connection(dir_.file("t.db"));
  verify(expected, rng, "reopened");
}

// Random writes, savepoints, rollbacks and failing statements against a model.
TEST_F(HnswTxn, SavepointOpenedBeforeTheTableJoinedRollsBack) {
  // SQLite calls xBegin at the table's first write inside the transaction and then reports only
  // its innermost savepoint (here the INSERT's statement savepoint, released when it ends):
  // ROLLBACK TO a savepoint opened before must still undo everything since.
  db_.exec("INSERT INTO items(rowid, embedding) VALUES (1, '[1,0,0,0,0,0,0,0]')");
  db_.exec("BEGIN");
  db_.exec("SAVEPOINT before_any_write");
  db_.exec(
      "INSERT INTO items(rowid, embedding) VALUES (2, '[0,1,0,0,0,0,0,0]'), "
      "(3, '[0,0,1,0,0,0,0,0]')");
  db_.exec("DELETE FROM items WHERE rowid = 1");
  db_.exec("ROLLBACK TO before_any_write");
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
  db_.exec("COMMIT");
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
  EXPECT_EQ(db_.integer("SELECT count(*) FROM items"), 1);
  EXPECT_EQ(knn(db_.get(), "items", "embedding", Vec(8, 0.5f), 5).size(), 1u);
  // The same with a later savepoint open: the rollback goes past it to the earlier one.
  db_.exec("BEGIN");
  db_.exec("SAVEPOINT a");
  db_.exec("INSERT INTO items(rowid, embedding) VALUES (4, '[0,0,0,1,0,0,0,0]')");
  db_.exec("SAVEPOINT b");
  db_.exec("DELETE FROM items WHERE rowid = 1");
  db_.exec("ROLLBACK TO a");
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
  db_.exec("COMMIT");
  EXPECT_EQ(db_.text("SELECT group_concat(rowid) FROM items"), "1");
}

TEST_F(HnswTxn, RandomTransactionsMatchModel) {
  std::mt19937 rng(3);
  ModelTransactions<Rows> tx(db_);
  Rows& current = tx.current;
  std::int64_t next_id = 1;
  std::uniform_int_distribution<int> pick(0, 99);
  auto any_row = [&]() {
    auto it = current.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, current.size() - 1)(rng));
    return it->first;
  };
  for (int step = 0; step < 600; ++step) {
    int p = pick(rng);
    std::string what;
    if (p < 35 || current.size() < 20) {
      int n = 1 + pick(rng) % 4;
      std::string sql = "INSERT INTO items(rowid, embedding) VALUES ";
      for (int i = 0; i < n; ++i) {
        Vec v = random_vec(rng, 8);
        current[next_id] = v;
        sql += (i ? ", (" : "(") + std::to_string(next_id++) + ", " + literal(v) + ")";
      }
      db_.exec(sql);
      what = "insert";
    } else if (p < 55) {
      std::int64_t id = any_row();
      current.erase(id);
      db_.exec("DELETE FROM items WHERE rowid = " + std::to_string(id));
      what = "delete";
    } else if (p < 65) {
      std::int64_t id = any_row();
      Vec v = random_vec(rng, 8);
      current[id] = v;
      db_.exec("UPDATE items SET embedding = " + literal(v) +
               " WHERE rowid = " + std::to_string(id));
      what = "update";
    } else if (p < 70) {
      // A statement failing on its last row changes nothing.
      std::string sql = "INSERT INTO items(rowid, embedding) VALUES (" +
                        std::to_string(next_id + 1000) + ", " + literal(random_vec(rng, 8)) +
                        "), (" + std::to_string(next_id + 1001) + ", '[1,2]')";
      EXPECT_NE(db_.try_exec(sql), SQLITE_OK);
      what = "failed insert";
    } else {
      what = tx.step((p - 70) * 100 / 30, rng, "sp" + std::to_string(step));
      if (what.empty()) continue;
    }
    if (step % 5 == 0 || what.find("roll") != std::string::npos)
      verify(current, rng, "step " + std::to_string(step) + " " + what);
    if (HasFatalFailure()) return;
  }
  tx.finish();
  verify(current, rng, "end");
  // Enough deletes happened for deleted nodes to be consolidated and their slots reused.
  EXPECT_GE(stat(db_, "items", "consolidations"), 1);
}

TEST_F(HnswTxn, OtherConnectionsSeeCommitsThroughTheGeneration) {
  std::mt19937 rng(4);
  Rows model;
  for (std::int64_t id = 1; id <= 300; ++id) model[id] = random_vec(rng, 8);
  insert_rows(db_.get(), "items", model);

  Connection reader(dir_.file("t.db"));
  Vec q = random_vec(rng, 8);
  EXPECT_EQ(knn(reader.get(), "items", "embedding", q, 5).size(), 5u);
  EXPECT_EQ(stat(reader, "items", "full_loads"), 1);

  // Uncommitted rows are invisible to the reader; committed ones appear after a refresh that
  // rereads only the nodes the commit changed.
  Vec near = q;
  db_.exec("BEGIN");
  db_.exec("INSERT INTO items(rowid, embedding) VALUES (1000, " + literal(near) + ")");
  EXPECT_NE(knn(reader.get(), "items", "embedding", q, 1)[0].rowid, 1000);
  db_.exec("COMMIT");
  EXPECT_EQ(knn(reader.get(), "items", "embedding", q, 1)[0].rowid, 1000);
  EXPECT_EQ(stat(reader, "items", "full_loads"), 1);
  EXPECT_EQ(stat(reader, "items", "refreshes"), 1);
  std::int64_t reloaded = stat(reader, "items", "nodes_reloaded");
  EXPECT_GE(reloaded, 1);
  EXPECT_LT(reloaded, 100);

  db_.exec("DELETE FROM items WHERE rowid = 1000");
  EXPECT_NE(knn(reader.get(), "items", "embedding", q, 1)[0].rowid, 1000);
  EXPECT_EQ(reader.text("SELECT llmspell_hnsw_check('items')"), "ok");
  EXPECT_EQ(stat(reader, "items", "full_loads"), 1);

  // A reader further behind than the change log reloads everything, and is right.
  for (int i = 0; i < 70; ++i)
    db_.exec("INSERT INTO items(rowid, embedding) VALUES (" + std::to_string(2000 + i) + ", " +
             literal(random_vec(rng, 8)) + ")");
  EXPECT_EQ(reader.integer("SELECT count(*) FROM items WHERE embedding MATCH " + literal(q) +
                           " AND k = 400 AND exact = 1"),
            370);
  EXPECT_EQ(stat(reader, "items", "full_loads"), 2);
  EXPECT_EQ(reader.text("SELECT llmspell_hnsw_check('items')"), "ok");

  // The reader writes too: its mirror is current before its transaction starts.
  reader.exec("INSERT INTO items(rowid, embedding) VALUES (5000, " + literal(q) + ")");
  EXPECT_EQ(knn(db_.get(), "items", "embedding", q, 1)[0].rowid, 5000);
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
}

TEST_F(HnswTxn, FilterTagsLoadOnFirstUse) {
  db_.exec(
      "CREATE VIRTUAL TABLE t USING llmspell_hnsw(embedding float[8], tenant_id text, scope text)");
  std::mt19937 rng(6);
  std::string sql = "INSERT INTO t(rowid, embedding, tenant_id, scope) VALUES ";
  for (int i = 1; i <= 200; ++i)
    sql += (i > 1 ? ", (" : "(") + std::to_string(i) + ", " + literal(random_vec(rng, 8)) + ", '" +
           (i % 2 ? "odd" : "even") + "', '" + (i % 3 ? "x" : "y") + "')";
  db_.exec(sql);
  Connection other(dir_.file("t.db"));
  Vec q = random_vec(rng, 8);
  EXPECT_EQ(knn(other.get(), "t", "embedding", q, 5).size(), 5u);
  // The first filter column names a partition's graph: no row values needed either.
  for (const Neighbour& n : knn(other.get(), "t", "embedding", q, 5, "tenant_id = 'odd'"))
    EXPECT_EQ(n.rowid % 2, 1);
  EXPECT_NE(other.text("SELECT llmspell_hnsw_stats('t')").find("\"tags_loaded\":false"),
            std::string::npos);
  for (const Neighbour& n : knn(other.get(), "t", "embedding", q, 5, "scope = 'y'"))
    EXPECT_EQ(n.rowid % 3, 0);
  EXPECT_NE(other.text("SELECT llmspell_hnsw_stats('t')").find("\"tags_loaded\":true"),
            std::string::npos);
  // A write transaction reads the tags before its first change, so a rollback restores them.
  Connection writer(dir_.file("t.db"));
  writer.exec("BEGIN");
  writer.exec("INSERT INTO t(rowid, embedding, tenant_id) VALUES (1000, " + literal(q) +
              ", 'odd')");
  writer.exec("DELETE FROM t WHERE rowid <= 20");
  writer.exec("ROLLBACK");
  auto got = knn(writer.get(), "t", "embedding", q, 100, "tenant_id = 'even' AND exact = 1");
  EXPECT_EQ(got.size(), 100u);
  EXPECT_EQ(writer.text("SELECT llmspell_hnsw_check('t')"), "ok");
}

TEST_F(HnswTxn, VectorCacheStaysWithinBudget) {
  db_.exec("CREATE VIRTUAL TABLE big USING llmspell_hnsw(embedding float[1024], cache_mb=1)");
  auto vectors = clustered_vectors(1500, 1024, 5);
  Rows rows;
  for (std::size_t i = 0; i < vectors.size(); ++i)
    rows[static_cast<std::int64_t>(i + 1)] = vectors[i];
  insert_rows(db_.get(), "big", rows);
  std::int64_t capacity = stat(db_, "big", "cache_capacity");
  EXPECT_EQ(capacity, 256);  // 1 MiB of 4 KiB vectors
  EXPECT_LE(stat(db_, "big", "cached_vectors"), capacity);
  EXPECT_GT(stat(db_, "big", "evictions"), 0);
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('big')"), "ok");

  // A new connection loads the structure and only the vectors its searches touch.
  Connection other(dir_.file("t.db"));
  auto queries = clustered_vectors(20, 1024, 6);
  double sum = 0;
  for (const Vec& q : queries) {
    auto got = knn(other.get(), "big", "embedding", q, 10, "ef_search = 80");
    sum += recall(got, brute_force(Metric::kL2, rows, q, 10));
  }
  EXPECT_GE(sum / queries.size(), 0.9);
  EXPECT_LE(stat(other, "big", "cached_vectors"), capacity);
  EXPECT_EQ(stat(other, "big", "full_loads"), 1);
}

}  // namespace
}  // namespace llmspell::sqlite::test

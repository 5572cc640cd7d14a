// One transaction time per SQLite write transaction (issue 6, "Semantics"): every graph write of a
// transaction gets the same time, the next transaction a strictly greater one (also when the
// clock has not moved past the latest time), a rolled-back transaction leaves nothing behind,
// savepoints keep the transaction's time, and connections to one file are ordered by commit.
//
// Times come from the clock, so the tests that need exact values first commit a version far
// ahead of it ("planted"): the next transaction must then get exactly planted + 1 µs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "graph_api.h"

namespace llmspell::temporal::testing {
namespace {

constexpr Micros kYear = 366LL * 24 * 3600 * 1000000;

Micros clock_now() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::string fresh_tenant() {
  static int n = 0;
  return "txn-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

// Adds entity `id` and returns the write's transaction time.
Micros add(SqliteApi& g, const std::string& id) {
  Outcome o = g.add_entity(id, "node", id, "{}", std::nullopt, kInfinity);
  EXPECT_TRUE(o.tx.has_value()) << id;
  return o.tx.value_or(kMinusInfinity);
}

// The transaction start of every stored version of `id` (any tenant), in order.
std::vector<Micros> tx_starts(SqliteApi& g, const std::string& id) {
  std::vector<Micros> out;
  for (const auto& row : g.query("SELECT transaction_time_start FROM graph_entities"
                                 " WHERE entity_id = ? ORDER BY 1",
                                 {p(id)}))
    out.push_back(std::stoll(row));
  return out;
}

// Commits a version of `id` for `tenant` written at transaction time `at`, bypassing the module
// (as a write at a later clock reading would), and returns `at`.
Micros plant(SqliteApi& g, const std::string& tenant, const std::string& id, Micros at) {
  g.query(
      "INSERT INTO graph_entities (tenant_id, entity_id, entity_type, valid_time_start,"
      " transaction_time_start, created_at) VALUES (?, ?, 'node', 0, ?, ?)",
      {p(tenant), p(id), p(at), p(at)});
  return at;
}

struct SqliteTransactionTime : ::testing::Test {
  std::string tenant = fresh_tenant();
  SqliteApi g{tenant};
};

TEST_F(SqliteTransactionTime, WritesOfOneTransactionShareItsTime) {
  g.exec("BEGIN");
  Micros a = add(g, "a");
  Micros b = add(g, "b");
  ASSERT_TRUE(g.add_relationship("ab", "a", "b", "link", "{}", std::nullopt, kInfinity).tx);
  Micros upd = g.update_entity("a", std::nullopt, "A2", std::nullopt, std::nullopt, kInfinity)
                   .tx.value_or(kMinusInfinity);
  g.exec("COMMIT");
  EXPECT_EQ(a, b);
  EXPECT_EQ(upd, a);
  // The update replaced the version written earlier in the same transaction: one version left.
  EXPECT_EQ(tx_starts(g, "a"), std::vector<Micros>{a});
  EXPECT_EQ(tx_starts(g, "b"), std::vector<Micros>{a});
  EXPECT_GT(add(g, "c"), a) << "the next transaction comes strictly later";
}

TEST_F(SqliteTransactionTime, OneStatementInATransactionSharesItsTime) {
  g.exec("BEGIN");
  auto rows =
      g.query("SELECT graph_add_entity(column1, 'node') FROM (VALUES ('a'), ('b'), ('c'))", {});
  g.exec("COMMIT");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], rows[1]);
  EXPECT_EQ(rows[1], rows[2]);
}

// Outside a transaction SQLite commits each write function call on its own (a SELECT cannot
// hold a write transaction open for calls it has not made yet): each call is a transaction.
TEST_F(SqliteTransactionTime, AutocommitCallsAreTransactionsOfTheirOwn) {
  auto rows =
      g.query("SELECT graph_add_entity(column1, 'node') FROM (VALUES ('a'), ('b'), ('c'))", {});
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_LT(std::stoll(rows[0]), std::stoll(rows[1]));
  EXPECT_LT(std::stoll(rows[1]), std::stoll(rows[2]));
  EXPECT_TRUE(sqlite3_get_autocommit(g.db())) << "no transaction left open";
}

TEST_F(SqliteTransactionTime, StrictlyIncreasingWhenTheClockHasNotMovedOn) {
  Micros future = plant(g, tenant, "planted", clock_now() + kYear);
  EXPECT_EQ(add(g, "a"), future + 1);
  EXPECT_EQ(add(g, "b"), future + 2);
  g.exec("BEGIN");
  EXPECT_EQ(add(g, "c"), future + 3);
  EXPECT_EQ(add(g, "d"), future + 3);
  g.exec("COMMIT");
  EXPECT_EQ(add(g, "e"), future + 4);
}

TEST_F(SqliteTransactionTime, RollbackLeavesNoTraceAndNoStaleTime) {
  Micros future = plant(g, tenant, "planted", clock_now() + kYear);
  g.exec("BEGIN");
  EXPECT_EQ(add(g, "gone"), future + 1);
  g.exec("ROLLBACK");
  EXPECT_EQ(tx_starts(g, "gone"), std::vector<Micros>{});
  EXPECT_TRUE(g.get_entity("gone", {kCurrent, kCurrent}).empty());
  // A later commit moves the latest time on: the next transaction must start from it, not
  // reuse the rolled-back transaction's time.
  plant(g, tenant, "planted2", future + 5);
  g.exec("BEGIN");
  EXPECT_EQ(add(g, "kept"), future + 6);
  g.exec("COMMIT");
  EXPECT_EQ(tx_starts(g, "kept"), std::vector<Micros>{future + 6});
}

TEST_F(SqliteTransactionTime, SavepointsKeepTheTransactionsTime) {
  Micros future = plant(g, tenant, "planted", clock_now() + kYear);
  g.exec("BEGIN");
  g.exec("SAVEPOINT s1");
  EXPECT_EQ(add(g, "undone1"), future + 1);
  g.exec("ROLLBACK TO s1");
  EXPECT_EQ(add(g, "a"), future + 1) << "ROLLBACK TO does not end the transaction";
  g.exec("SAVEPOINT s2");
  EXPECT_EQ(add(g, "b"), future + 1);
  g.exec("RELEASE s2");
  g.exec("SAVEPOINT s3");
  EXPECT_EQ(add(g, "undone2"), future + 1);
  g.exec("ROLLBACK TO s3");
  g.exec("RELEASE s3");
  g.exec("COMMIT");
  EXPECT_EQ(tx_starts(g, "a"), std::vector<Micros>{future + 1});
  EXPECT_EQ(tx_starts(g, "b"), std::vector<Micros>{future + 1});
  EXPECT_EQ(tx_starts(g, "undone1"), std::vector<Micros>{});
  EXPECT_EQ(tx_starts(g, "undone2"), std::vector<Micros>{});

  // A SAVEPOINT outside BEGIN is the transaction: its release commits, its time ends with it.
  g.exec("SAVEPOINT outer");
  EXPECT_EQ(add(g, "c"), future + 2);
  g.exec("ROLLBACK TO outer");
  EXPECT_EQ(add(g, "d"), future + 2);
  g.exec("RELEASE outer");
  EXPECT_EQ(add(g, "e"), future + 3);
  EXPECT_EQ(tx_starts(g, "c"), std::vector<Micros>{});
}

TEST_F(SqliteTransactionTime, AFailedWriteKeepsTheTransactionsTime) {
  g.exec("BEGIN");
  Micros a = add(g, "a");
  EXPECT_EQ(g.add_entity("a", "node", "again", "{}", std::nullopt, kInfinity).error,
            ErrorKind::kAlreadyExists);
  EXPECT_EQ(add(g, "b"), a);
  g.exec("COMMIT");
}

TEST_F(SqliteTransactionTime, TenantsOfOneTransaction) {
  std::string other = fresh_tenant();
  g.exec("BEGIN");
  Micros a = add(g, "x");
  g.set_tenant(other);
  EXPECT_EQ(add(g, "x"), a) << "one time for the transaction";
  g.set_tenant(tenant);
  g.exec("COMMIT");
  // A tenant whose latest time is ahead of the transaction's still gets a later time of its own.
  Micros future = plant(g, other, "planted", clock_now() + kYear);
  g.exec("BEGIN");
  Micros mine = add(g, "y");
  g.set_tenant(other);
  EXPECT_EQ(add(g, "y"), future + 1);
  g.set_tenant(tenant);
  EXPECT_EQ(add(g, "z"), mine);
  g.exec("COMMIT");
  EXPECT_GT(mine, a);
}

// ---- two connections to one database file -----------------------------------------------------

class TwoConnections : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/llmspell-graph-txn-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/graph.db";
    a_ = std::make_unique<SqliteApi>(tenant_, path_);
    a_->query(std::string("PRAGMA journal_mode = ") + GetParam(), {});
    b_ = std::make_unique<SqliteApi>(tenant_, path_);
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::remove((path_ + suffix).c_str());
    ::rmdir(dir_.c_str());
  }

  std::string tenant_ = fresh_tenant();
  std::string dir_, path_;
  std::unique_ptr<SqliteApi> a_, b_;
};

TEST_P(TwoConnections, TimesIncreaseInCommitOrder) {
  SqliteApi& a = *a_;
  SqliteApi& b = *b_;
  a.exec("BEGIN");
  Micros a1 = add(a, "a1");
  // A's write transaction holds the write lock: B cannot pick a time until A commits.
  std::string error;
  b.query("SELECT graph_add_entity('blocked', 'node')", {}, &error);
  EXPECT_NE(error.find("locked"), std::string::npos) << error;
  EXPECT_EQ(add(a, "a2"), a1);
  a.exec("COMMIT");
  EXPECT_EQ(tx_starts(b, "blocked"), std::vector<Micros>{});
  Micros b1 = add(b, "b1");
  EXPECT_GT(b1, a1);

  // Each connection's next time starts from what the other committed, read under the lock.
  Micros future = plant(b, tenant_, "planted", clock_now() + kYear);
  EXPECT_EQ(add(a, "a3"), future + 1);
  a.exec("BEGIN");  // deferred: A picks its time at its first write, after B's commit
  b.exec("BEGIN");
  EXPECT_EQ(add(b, "b2"), future + 2);
  b.exec("COMMIT");
  EXPECT_EQ(add(a, "a4"), future + 3);
  EXPECT_EQ(add(a, "a5"), future + 3);
  a.exec("COMMIT");
  EXPECT_EQ(add(b, "b3"), future + 4);
}

// A transaction that read before another connection committed must not write with a time picked
// from its old snapshot: SQLite refuses the write (WAL: SQLITE_BUSY_SNAPSHOT; rollback journal:
// the other commit could not happen while the reader held its lock).
TEST_P(TwoConnections, AStaleReaderCannotPickATime) {
  SqliteApi& a = *a_;
  SqliteApi& b = *b_;
  Micros future = plant(b, tenant_, "planted", clock_now() + kYear);
  a.exec("BEGIN");
  a.query("SELECT count(*) FROM graph_entities", {});
  std::string error;
  b.query("SELECT graph_add_entity('b1', 'node')", {}, &error);
  if (error.empty()) {
    // WAL: B committed; A's snapshot is stale, so its write fails instead of using it.
    EXPECT_EQ(std::string(GetParam()), "wal");
    a.query("SELECT graph_add_entity('a1', 'node')", {}, &error);
    EXPECT_NE(error.find("locked"), std::string::npos) << error;
    a.exec("ROLLBACK");
    EXPECT_EQ(add(a, "a1"), future + 2);
  } else {
    // Rollback journal: B's commit could not get its exclusive lock. The failed write is rolled
    // back whole and releases its locks (no transaction left open, nothing written).
    EXPECT_NE(error.find("locked"), std::string::npos) << error;
    EXPECT_TRUE(sqlite3_get_autocommit(b.db()));
    EXPECT_EQ(tx_starts(a, "b1"), std::vector<Micros>{});
    EXPECT_EQ(add(a, "a1"), future + 1);
    a.exec("COMMIT");
    EXPECT_EQ(add(b, "b1"), future + 2);
  }
}

INSTANTIATE_TEST_SUITE_P(JournalModes, TwoConnections, ::testing::Values("delete", "wal"));

}  // namespace
}  // namespace llmspell::temporal::testing

// Partitioned llmspell_hnsw tables: every value of the first filter column (the tenant) has a
// graph of its own. Checked against a model through random transactions that insert, delete,
// move rows between tenants and roll back; other connections pick up new partitions; tables of
// the older unpartitioned format keep working as one graph.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "hnsw_support.h"

namespace llmspell::sqlite::test {
namespace {

struct Row {
  Vec v;
  std::string tenant;  // empty: NULL
};
using Model = std::map<std::int64_t, Row>;

const char* const kTenants[] = {"acme", "globex", "initech", "umbrella", ""};

std::string tenant_sql(const std::string& t) { return t.empty() ? "NULL" : "'" + t + "'"; }

std::map<std::int64_t, Vec> rows_of(const Model& model, const std::string* tenant) {
  std::map<std::int64_t, Vec> out;
  for (const auto& [id, r] : model)
    if (tenant == nullptr || r.tenant == *tenant) out[id] = r.v;
  return out;
}

class HnswPartitions : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = Connection(dir_.file("t.db"));
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec(
        "CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[8], tenant_id text, "
        "scope text, m=6, ef_construction=40)");
  }

  // Each tenant's searches see exactly its rows; a search naming no tenant sees every row.
  void verify(Connection& c, const Model& model, std::mt19937& rng, const std::string& where) {
    SCOPED_TRACE(where);
    ASSERT_EQ(c.text("SELECT llmspell_hnsw_check('items')"), "ok");
    Vec q = random_vec(rng, 8);
    for (const std::string t : kTenants) {
      if (t.empty()) continue;
      SCOPED_TRACE("tenant " + t);
      auto truth = brute_force(Metric::kL2, rows_of(model, &t), q, 5);
      auto exact =
          knn(c.get(), "items", "embedding", q, 5, "tenant_id = '" + t + "' AND exact = 1");
      ASSERT_EQ(exact.size(), truth.size());
      for (std::size_t i = 0; i < truth.size(); ++i) EXPECT_EQ(exact[i].rowid, truth[i].rowid);
      // A walk of this tenant's graph alone returns only its rows and all of them when it has
      // no more than k.
      auto walk =
          knn(c.get(), "items", "embedding", q, 5, "tenant_id = '" + t + "' AND ef_search = 64");
      EXPECT_EQ(walk.size(), truth.size());
      for (const Neighbour& n : walk) EXPECT_EQ(model.at(n.rowid).tenant, t);
      EXPECT_GE(recall(walk, truth), 0.6);
    }
    auto truth = brute_force(Metric::kL2, rows_of(model, nullptr), q, 5);
    auto merged = knn(c.get(), "items", "embedding", q, 5, "ef_search = 64");
    ASSERT_EQ(merged.size(), truth.size());
    EXPECT_GE(recall(merged, truth), 0.6);
  }

  TempDir dir_;
  Connection db_;
};

TEST_F(HnswPartitions, RandomTransactionsKeepEachTenantsGraph) {
  std::mt19937 rng(11);
  ModelTransactions<Model> tx(db_);
  Model& current = tx.current;
  std::int64_t next_id = 1;
  std::uniform_int_distribution<int> pick(0, 99);
  auto any_tenant = [&]() { return std::string(kTenants[pick(rng) % 5]); };
  auto any_row = [&]() {
    auto it = current.begin();
    std::advance(it, std::uniform_int_distribution<std::size_t>(0, current.size() - 1)(rng));
    return it->first;
  };
  for (int step = 0; step < 500; ++step) {
    int p = pick(rng);
    std::string what;
    if (p < 35 || current.size() < 30) {
      std::string sql = "INSERT INTO items(rowid, embedding, tenant_id, scope) VALUES ";
      for (int i = 0, n = 1 + pick(rng) % 4; i < n; ++i) {
        Row r{random_vec(rng, 8), any_tenant()};
        sql += (i ? ", (" : "(") + std::to_string(next_id) + ", " + literal(r.v) + ", " +
               tenant_sql(r.tenant) + ", 's')";
        current[next_id++] = r;
      }
      db_.exec(sql);
      what = "insert";
    } else if (p < 50) {
      std::int64_t id = any_row();
      current.erase(id);
      db_.exec("DELETE FROM items WHERE rowid = " + std::to_string(id));
      what = "delete";
    } else if (p < 58) {
      // Another tenant: the row moves to that tenant's graph.
      std::int64_t id = any_row();
      current[id].tenant = any_tenant();
      db_.exec("UPDATE items SET tenant_id = " + tenant_sql(current[id].tenant) +
               " WHERE rowid = " + std::to_string(id));
      what = "move";
    } else if (p < 64) {
      std::int64_t id = any_row();
      current[id].v = random_vec(rng, 8);
      db_.exec("UPDATE items SET embedding = " + literal(current[id].v) +
               " WHERE rowid = " + std::to_string(id));
      what = "update";
    } else {
      what = tx.step((p - 64) * 100 / 36, rng, "sp" + std::to_string(step));
      if (what.empty()) continue;
    }
    if (step % 7 == 0 || what.find("roll") != std::string::npos)
      verify(db_, current, rng, "step " + std::to_string(step) + " " + what);
    if (HasFatalFailure()) return;
  }
  tx.finish();
  verify(db_, current, rng, "end");
  // What was committed reads back the same from the file.
  Connection other(dir_.file("t.db"));
  verify(other, current, rng, "another connection");
  EXPECT_GE(stat(db_, "items", "consolidations"), 1);
}

TEST_F(HnswPartitions, OtherConnectionsSeeNewPartitions) {
  std::mt19937 rng(12);
  Connection reader(dir_.file("t.db"));
  Model model;
  for (std::int64_t id = 1; id <= 40; ++id) model[id] = {random_vec(rng, 8), "acme"};
  std::string sql = "INSERT INTO items(rowid, embedding, tenant_id) VALUES ";
  for (const auto& [id, r] : model)
    sql += (id > 1 ? ", (" : "(") + std::to_string(id) + ", " + literal(r.v) + ", 'acme')";
  db_.exec(sql);
  verify(reader, model, rng, "first tenant");
  for (std::int64_t id = 41; id <= 60; ++id) {
    model[id] = {random_vec(rng, 8), "globex"};
    db_.exec("INSERT INTO items(rowid, embedding, tenant_id) VALUES (" + std::to_string(id) + ", " +
             literal(model[id].v) + ", 'globex')");
  }
  verify(reader, model, rng, "second tenant, one commit per row");
  EXPECT_EQ(stat(reader, "items", "full_loads"), 1);
  // The last row of a tenant goes: its partition goes with it.
  db_.exec("DELETE FROM items WHERE tenant_id = 'acme'");
  for (std::int64_t id = 1; id <= 40; ++id) model.erase(id);
  verify(reader, model, rng, "first tenant gone");
  EXPECT_EQ(db_.integer("SELECT count(*) FROM items_partitions"), 1);
}

TEST_F(HnswPartitions, UnpartitionedFormatStaysOneGraph) {
  // A table written by the previous format: no <t>_partitions, one graph for every tenant.
  db_.exec("UPDATE items_meta SET value = 1 WHERE key = 'format'");
  db_.exec("DROP TABLE items_partitions");
  db_ = Connection(dir_.file("t.db"));
  std::mt19937 rng(13);
  Model model;
  for (std::int64_t id = 1; id <= 60; ++id) {
    model[id] = {random_vec(rng, 8), kTenants[id % 5]};
    db_.exec("INSERT INTO items(rowid, embedding, tenant_id) VALUES (" + std::to_string(id) + ", " +
             literal(model[id].v) + ", " + tenant_sql(model[id].tenant) + ")");
  }
  verify(db_, model, rng, "format 1");
  EXPECT_EQ(db_.integer("SELECT value FROM items_meta WHERE key = 'format'"), 1);
  db_.exec("ALTER TABLE items RENAME TO things");
  EXPECT_EQ(db_.integer("SELECT count(*) FROM sqlite_master WHERE name LIKE '%partitions'"), 0);
  EXPECT_EQ(db_.text("SELECT llmspell_hnsw_check('things')"), "ok");
}

TEST_F(HnswPartitions, CheckFindsALinkAcrossPartitions) {
  std::mt19937 rng(14);
  std::string sql = "INSERT INTO items(rowid, embedding, tenant_id) VALUES ";
  for (int id = 1; id <= 20; ++id)
    sql += (id > 1 ? ", (" : "(") + std::to_string(id) + ", " + literal(random_vec(rng, 8)) +
           (id <= 10 ? ", 'a')" : ", 'b')");
  db_.exec(sql);
  ASSERT_EQ(db_.text("SELECT llmspell_hnsw_check('items')"), "ok");
  // Point row 1's node at row 11's node in its first link: 'a' would reach 'b'.
  std::int64_t a = db_.integer("SELECT node FROM items_rows WHERE id = 1");
  std::int64_t b = db_.integer("SELECT node FROM items_rows WHERE id = 11");
  db_.exec("UPDATE items_nodes SET links = substr(links, 1, 4) || " + std::string("x'") +
           [&] {
             char hex[9];
             std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", static_cast<int>(b & 0xff),
                           static_cast<int>((b >> 8) & 0xff), static_cast<int>((b >> 16) & 0xff),
                           static_cast<int>((b >> 24) & 0xff));
             return std::string(hex);
           }() +
           "' || substr(links, 9) WHERE node = " + std::to_string(a));
  Connection fresh(dir_.file("t.db"));
  std::string report = fresh.text("SELECT llmspell_hnsw_check('items')");
  EXPECT_NE(
      report.find("of partition 'a' links to node " + std::to_string(b) + " of partition 'b'"),
      std::string::npos)
      << report;
}

}  // namespace
}  // namespace llmspell::sqlite::test

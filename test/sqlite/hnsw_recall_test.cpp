// Recall of the llmspell_hnsw virtual table against brute force: every metric at 384, 768, 1536
// and 3072 dimensions, and filtered search for tenants owning 50%, 10%, 1% and 0.1% of the rows
// (the filter applied during traversal, with the connection's tenant context or a WHERE term).
#include <string>
#include <tuple>

#include "hnsw_support.h"

namespace llmspell::sqlite::test {
namespace {

constexpr int kK = 10;

class HnswRecall : public ::testing::TestWithParam<std::tuple<Metric, std::uint32_t>> {};

TEST_P(HnswRecall, MatchesBruteForce) {
  auto [metric, dims] = GetParam();
  TempDir dir;
  Connection db(dir.file("r.db"));
  db.exec("CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[" + std::to_string(dims) +
          "] distance=" + metric_name(metric) + ", m=16, ef_construction=64)");
  constexpr std::size_t count = 2000;
  auto vectors = clustered_vectors(count, dims, 11);
  std::map<std::int64_t, Vec> rows;
  for (std::size_t i = 0; i < vectors.size(); ++i)
    rows[static_cast<std::int64_t>(i + 1)] = vectors[i];
  insert_rows(db.get(), "items", rows);

  auto queries = clustered_vectors(25, dims, 12);
  double sum = 0, sum_exact = 0;
  for (const Vec& q : queries) {
    auto truth = brute_force(metric, rows, q, kK);
    auto got = knn(db.get(), "items", "embedding", q, kK, "ef_search = 64");
    ASSERT_EQ(got.size(), static_cast<std::size_t>(kK));
    for (std::size_t i = 1; i < got.size(); ++i) EXPECT_LE(got[i - 1].distance, got[i].distance);
    // Reported distances are the metric's own.
    EXPECT_NEAR(got[0].distance, reference_distance(metric, q, rows[got[0].rowid]),
                1e-3 * (1 + std::abs(got[0].distance)));
    sum += recall(got, truth);
    sum_exact += recall(knn(db.get(), "items", "embedding", q, kK, "exact = 1"), truth);
  }
  double r = sum / static_cast<double>(queries.size());
  EXPECT_GE(r, 0.95) << metric_name(metric) << " " << dims;
  EXPECT_GE(sum_exact / static_cast<double>(queries.size()), 0.999);
  EXPECT_EQ(db.text("SELECT llmspell_hnsw_check('items')"), "ok");
}

INSTANTIATE_TEST_SUITE_P(Metrics, HnswRecall,
                         ::testing::Combine(::testing::Values(Metric::kL2, Metric::kCosine,
                                                              Metric::kIp),
                                            ::testing::Values(384u, 768u, 1536u, 3072u)),
                         [](const auto& info) {
                           return std::string(metric_name(std::get<0>(info.param))) + "_" +
                                  std::to_string(std::get<1>(info.param));
                         });

// Tenants by row: per 1000 rows, t50 owns 500, t10 100, t1 10, t01 1; "other" the rest.
std::string tenant_of(std::int64_t rowid) {
  std::int64_t r = (rowid - 1) % 1000;
  if (r < 500) return "t50";
  if (r < 600) return "t10";
  if (r < 610) return "t1";
  if (r < 611) return "t01";
  return "other";
}

class HnswFilteredRecall : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    Connection db(dir_->file("f.db"));
    db.exec(
        "CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[48], tenant_id text, "
        "m=16, ef_construction=64)");
    auto vectors = clustered_vectors(10000, 48, 21);
    rows_ = new std::map<std::int64_t, Vec>();
    for (std::size_t i = 0; i < vectors.size(); ++i)
      (*rows_)[static_cast<std::int64_t>(i + 1)] = vectors[i];
    insert_rows(db.get(), "items", *rows_, "tenant_id", tenant_of);
  }
  static void TearDownTestSuite() {
    delete rows_;
    delete dir_;
  }

  // Mean recall@10 for one tenant, against brute force over that tenant's rows.
  double tenant_recall(Connection& db, const std::string& tenant, bool context) {
    std::map<std::int64_t, Vec> mine;
    for (const auto& [id, v] : *rows_)
      if (tenant_of(id) == tenant) mine[id] = v;
    if (context) db.exec("SELECT llmspell_set_tenant('" + tenant + "')");
    auto queries = clustered_vectors(30, 48, 22);
    double sum = 0;
    for (const Vec& q : queries) {
      auto got =
          knn(db.get(), "items", "embedding", q, kK, context ? "" : "tenant_id = '" + tenant + "'");
      for (const Neighbour& n : got) EXPECT_EQ(tenant_of(n.rowid), tenant);
      sum += recall(got, brute_force(Metric::kL2, mine, q, kK));
    }
    if (context) db.exec("SELECT llmspell_set_tenant(NULL)");
    return sum / static_cast<double>(queries.size());
  }

  static TempDir* dir_;
  static std::map<std::int64_t, Vec>* rows_;
};

TempDir* HnswFilteredRecall::dir_ = nullptr;
std::map<std::int64_t, Vec>* HnswFilteredRecall::rows_ = nullptr;

TEST_F(HnswFilteredRecall, EverySelectivityWithWhereTerm) {
  Connection db(dir_->file("f.db"));
  for (const char* t : {"t50", "t10", "t1", "t01"}) {
    EXPECT_GE(tenant_recall(db, t, false), 0.95) << t;
  }
}

TEST_F(HnswFilteredRecall, EverySelectivityWithTenantContext) {
  Connection db(dir_->file("f.db"));
  for (const char* t : {"t50", "t10", "t1", "t01"}) {
    EXPECT_GE(tenant_recall(db, t, true), 0.95) << t;
  }
}

}  // namespace
}  // namespace llmspell::sqlite::test

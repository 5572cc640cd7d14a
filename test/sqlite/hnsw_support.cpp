#include "hnsw_support.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace llmspell::sqlite::test {

Connection::Connection(const std::string& path) {
  int rc = sqlite3_open(path.c_str(), &db_);
  EXPECT_EQ(rc, SQLITE_OK) << path;
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
  char* message = nullptr;
  rc = sqlite3_load_extension(db_, LLMSPELL_SQLITE_MODULE_PATH, nullptr, &message);
  std::string why = message ? message : "";
  sqlite3_free(message);
  EXPECT_EQ(rc, SQLITE_OK) << why;
}

Connection::~Connection() { close(); }

Connection& Connection::operator=(Connection&& o) noexcept {
  if (this != &o) {
    close();
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

void Connection::close() {
  if (db_ != nullptr) {
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK) << sqlite3_errmsg(db_);
    db_ = nullptr;
  }
}

void Connection::exec(const std::string& sql) {
  std::string why;
  int rc = try_exec(sql, &why);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << why;
}

int Connection::try_exec(const std::string& sql, std::string* error) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (error) *error = message ? message : "";
  sqlite3_free(message);
  return rc;
}

std::string Connection::error(const std::string& sql) {
  std::string why;
  int rc = try_exec(sql, &why);
  EXPECT_NE(rc, SQLITE_OK) << "expected an error from: " << sql;
  return why;
}

std::int64_t Connection::integer(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db_);
  std::int64_t v = -1;
  int rc = sqlite3_step(stmt);
  EXPECT_EQ(rc, SQLITE_ROW) << sql << ": " << sqlite3_errmsg(db_);
  if (rc == SQLITE_ROW) v = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  return v;
}

std::string Connection::text(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db_);
  std::string v;
  int rc = sqlite3_step(stmt);
  EXPECT_EQ(rc, SQLITE_ROW) << sql << ": " << sqlite3_errmsg(db_);
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr)
    v = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  return v;
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/llmspell-hnsw-XXXXXX";
  char* made = mkdtemp(tmpl.data());
  EXPECT_NE(made, nullptr);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<Vec> clustered_vectors(std::size_t count, std::uint32_t dims, std::uint32_t seed,
                                   std::uint32_t shape_seed) {
  // 64 clusters; each point is its cluster's centre plus 16 latent directions with falling
  // scales (their variances sum to 1) plus a little isotropic noise: a low intrinsic dimension,
  // like embeddings (the shape of test/bench/datasets.h, drawn with <random> here).
  constexpr std::size_t kClusters = 64;
  constexpr std::uint32_t kLatent = 16;
  std::mt19937 shape(shape_seed + dims);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  double norm2 = 0;
  for (std::uint32_t l = 0; l < kLatent; ++l) norm2 += 1.0 / (l + 1);
  std::vector<float> centres(kClusters * dims), basis(kClusters * kLatent * dims);
  for (float& c : centres) c = normal(shape);
  for (std::size_t c = 0; c < kClusters; ++c) {
    for (std::uint32_t l = 0; l < kLatent; ++l) {
      auto scale = static_cast<float>(std::sqrt(1.0 / (l + 1) / norm2));
      for (std::uint32_t j = 0; j < dims; ++j)
        basis[(c * kLatent + l) * dims + j] = scale * normal(shape);
    }
  }
  std::uniform_int_distribution<std::size_t> pick(0, kClusters - 1);
  std::vector<Vec> out(count, Vec(dims));
  float z[kLatent];
  for (Vec& v : out) {
    std::size_t c = pick(rng);
    for (float& x : z) x = normal(rng);
    for (std::uint32_t j = 0; j < dims; ++j) {
      float x = centres[c * dims + j] + 0.1f * normal(rng);
      for (std::uint32_t l = 0; l < kLatent; ++l) x += z[l] * basis[(c * kLatent + l) * dims + j];
      v[j] = x;
    }
  }
  return out;
}

std::string to_blob(const Vec& v) {
  std::string bytes(v.size() * 4, '\0');
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto bits = std::bit_cast<std::uint32_t>(v[i]);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return bytes;
}

const char* metric_name(Metric m) {
  switch (m) {
    case Metric::kL2:
      return "l2";
    case Metric::kCosine:
      return "cosine";
    case Metric::kIp:
      return "ip";
  }
  return "l2";
}

double reference_distance(Metric m, const Vec& a, const Vec& b) {
  double dot = 0, na = 0, nb = 0, l2 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    na += static_cast<double>(a[i]) * a[i];
    nb += static_cast<double>(b[i]) * b[i];
    double d = static_cast<double>(a[i]) - b[i];
    l2 += d * d;
  }
  switch (m) {
    case Metric::kL2:
      return std::sqrt(l2);
    case Metric::kCosine:
      return 1.0 - dot / (std::sqrt(na) * std::sqrt(nb));
    case Metric::kIp:
      return -dot;
  }
  return 0;
}

std::vector<Neighbour> knn(sqlite3* db, const std::string& table, const std::string& column,
                           const Vec& query, int k, const std::string& extra) {
  std::string sql = "SELECT rowid, distance FROM " + table + " WHERE " + column +
                    " MATCH ?1 AND k = " + std::to_string(k) + (extra.empty() ? "" : " AND ") +
                    extra;
  sqlite3_stmt* stmt = nullptr;
  std::vector<Neighbour> out;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sql << ": " << sqlite3_errmsg(db);
  if (stmt == nullptr) return out;
  std::string blob = to_blob(query);
  sqlite3_bind_blob(stmt, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(stmt, 0), sqlite3_column_double(stmt, 1)});
  EXPECT_EQ(rc, SQLITE_DONE) << sql << ": " << sqlite3_errmsg(db);
  sqlite3_finalize(stmt);
  return out;
}

std::vector<Neighbour> brute_force(Metric m, const std::map<std::int64_t, Vec>& rows,
                                   const Vec& query, int k) {
  std::vector<Neighbour> all;
  all.reserve(rows.size());
  for (const auto& [rowid, v] : rows) all.push_back({rowid, reference_distance(m, query, v)});
  std::size_t n = std::min<std::size_t>(all.size(), static_cast<std::size_t>(k));
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [](const Neighbour& a, const Neighbour& b) {
                      return a.distance < b.distance ||
                             (a.distance == b.distance && a.rowid < b.rowid);
                    });
  all.resize(n);
  return all;
}

double recall(const std::vector<Neighbour>& got, const std::vector<Neighbour>& truth) {
  if (truth.empty()) return got.empty() ? 1.0 : 0.0;
  std::set<std::int64_t> want;
  for (const Neighbour& n : truth) want.insert(n.rowid);
  std::size_t hits = 0;
  for (const Neighbour& n : got) hits += want.count(n.rowid);
  return static_cast<double>(hits) / static_cast<double>(truth.size());
}

void insert_rows(sqlite3* db, const std::string& table, const std::map<std::int64_t, Vec>& rows,
                 const std::string& extra_column, std::string (*extra)(std::int64_t)) {
  ASSERT_EQ(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), SQLITE_OK);
  std::string sql = "INSERT INTO " + table + "(rowid, embedding" +
                    (extra_column.empty() ? "" : ", " + extra_column) + ") VALUES (?1, ?2" +
                    (extra_column.empty() ? "" : ", ?3") + ")";
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  for (const auto& [rowid, v] : rows) {
    std::string blob = to_blob(v);
    sqlite3_bind_int64(stmt, 1, rowid);
    sqlite3_bind_blob(stmt, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    if (extra) {
      std::string e = extra(rowid);
      sqlite3_bind_text(stmt, 3, e.c_str(), static_cast<int>(e.size()), SQLITE_TRANSIENT);
    }
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sqlite3_errmsg(db);
    sqlite3_reset(stmt);
  }
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
}

std::int64_t stat(Connection& c, const std::string& table, const std::string& key) {
  std::string json = c.text("SELECT llmspell_hnsw_stats('" + table + "')");
  std::size_t at = json.find("\"" + key + "\":");
  EXPECT_NE(at, std::string::npos) << json;
  return std::stoll(json.substr(at + key.size() + 3));
}

Vec random_vec(std::mt19937& rng, std::uint32_t dims) {
  std::normal_distribution<float> normal(0.f, 1.f);
  Vec v(dims);
  for (float& x : v) x = normal(rng);
  return v;
}

std::string literal(const Vec& v) {
  std::string s = "'[";
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) s += ",";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v[i]));
    s += buf;
  }
  return s + "]'";
}

}  // namespace llmspell::sqlite::test

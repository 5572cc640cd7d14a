// Helpers for the llmspell_hnsw virtual table tests: connections to database files in a
// temporary directory with the module loaded, seeded vectors, k-NN queries through SQL and a
// brute-force oracle written here (independent of the module and of the core).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace llmspell::sqlite::test {

// A connection with the module loaded. Closes on destruction.
class Connection {
 public:
  Connection() = default;
  explicit Connection(const std::string& path);
  ~Connection();
  Connection(Connection&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  Connection& operator=(Connection&& o) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_; }
  void close();
  // Runs statements that must succeed.
  void exec(const std::string& sql);
  // SQLite's result code of statements that may fail, and the message in `error`.
  int try_exec(const std::string& sql, std::string* error = nullptr);
  // The error message of statements that must fail.
  std::string error(const std::string& sql);
  std::int64_t integer(const std::string& sql);
  std::string text(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// A fresh directory under $TMPDIR, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

using Vec = std::vector<float>;

// A standard normal vector.
Vec random_vec(std::mt19937& rng, std::uint32_t dims);
// The vector as an SQL text literal: '[x,y,...]'.
std::string literal(const Vec& v);

// A counter of llmspell_hnsw_stats(table).
std::int64_t stat(Connection& c, const std::string& table, const std::string& key);

// Gaussian-mixture vectors with a few latent directions per cluster, like embeddings.
std::vector<Vec> clustered_vectors(std::size_t count, std::uint32_t dims, std::uint32_t seed,
                                   std::uint32_t shape_seed = 7);

// Little-endian float32 bytes.
std::string to_blob(const Vec& v);

enum class Metric { kL2, kCosine, kIp };
const char* metric_name(Metric m);
// The user-facing distance the table reports (Euclidean for l2, 1-cos, -dot).
double reference_distance(Metric m, const Vec& a, const Vec& b);

struct Neighbour {
  std::int64_t rowid;
  double distance;
};

// rowid, distance of `SELECT rowid, distance FROM <table> WHERE <vector column> MATCH ?1 AND k = k
// <extra>` with the query bound as a BLOB; extra is SQL appended to the WHERE clause.
std::vector<Neighbour> knn(sqlite3* db, const std::string& table, const std::string& column,
                           const Vec& query, int k, const std::string& extra = "");

// Exact neighbours by brute force over `rows`, nearest first (ties by rowid).
std::vector<Neighbour> brute_force(Metric m, const std::map<std::int64_t, Vec>& rows,
                                   const Vec& query, int k);

// Fraction of `truth` found in `got` (1 when truth is empty and got too).
double recall(const std::vector<Neighbour>& got, const std::vector<Neighbour>& truth);

// Inserts rows (rowid, vector) in one transaction with a prepared statement; `extra_columns`
// names more columns bound from `extra(rowid)` as TEXT.
void insert_rows(sqlite3* db, const std::string& table, const std::map<std::int64_t, Vec>& rows,
                 const std::string& extra_column = "",
                 std::string (*extra)(std::int64_t rowid) = nullptr);

// Random transaction control over a model of a table's contents: BEGIN, SAVEPOINT, ROLLBACK TO,
// RELEASE, COMMIT and ROLLBACK, with `current` following what each one leaves in the table. The
// caller changes `current` along with each write it runs.
template <class Model>
class ModelTransactions {
 public:
  explicit ModelTransactions(Connection& db) : db_(db) {}

  Model current;

  bool in_transaction() const { return in_transaction_; }

  // One statement chosen by `p` in [0, 100): BEGIN (SAVEPOINT inside a transaction) below 40,
  // ROLLBACK TO below 60, RELEASE below 70, COMMIT below 90, else ROLLBACK. Returns what ran, or
  // "" when the choice does not apply now (no transaction, or no savepoint).
  std::string step(int p, std::mt19937& rng, const std::string& savepoint_name) {
    auto any_savepoint = [&] {
      return std::uniform_int_distribution<std::size_t>(0, savepoints_.size() - 1)(rng);
    };
    if (p < 40) {
      if (!in_transaction_) {
        db_.exec("BEGIN");
        in_transaction_ = true;
        at_begin_ = current;
        return "begin";
      }
      db_.exec("SAVEPOINT " + savepoint_name);
      savepoints_.emplace_back(savepoint_name, current);
      return "savepoint";
    }
    if (p < 70) {
      if (savepoints_.empty()) return "";
      std::size_t i = any_savepoint();
      if (p < 60) {
        db_.exec("ROLLBACK TO " + savepoints_[i].first);
        current = savepoints_[i].second;
        savepoints_.resize(i + 1);
        return "rollback to";
      }
      db_.exec("RELEASE " + savepoints_[i].first);
      savepoints_.resize(i);
      return "release";
    }
    if (!in_transaction_) return "";
    if (p < 90) {
      finish();
      return "commit";
    }
    db_.exec("ROLLBACK");
    current = at_begin_;
    savepoints_.clear();
    in_transaction_ = false;
    return "rollback";
  }

  // Ends an open transaction with COMMIT.
  void finish() {
    if (!in_transaction_) return;
    db_.exec("COMMIT");
    savepoints_.clear();
    in_transaction_ = false;
  }

 private:
  Connection& db_;
  bool in_transaction_ = false;
  Model at_begin_;                                         // what a ROLLBACK returns to
  std::vector<std::pair<std::string, Model>> savepoints_;  // open ones, outermost first
};

}  // namespace llmspell::sqlite::test

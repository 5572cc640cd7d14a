// llmspell_hnsw across processes: a writer killed with SIGKILL in the middle of a large
// transaction (or of its commit) leaves a database whose index passes the integrity check, with
// every committed row found and no uncommitted one; a writer and a reader process work at once
// in WAL mode; a second writer waits for the first (busy timeout) and corrupts nothing.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "hnsw_support.h"

namespace llmspell::sqlite::test {
namespace {

constexpr std::uint32_t kDims = 32;

// Runs `body` in a child process; its exit status is 0 when body returns true. The child never
// returns into the test framework.
pid_t spawn(const std::function<bool()>& body) {
  fflush(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    bool ok = false;
    try {
      ok = body();
    } catch (...) {
    }
    _exit(ok ? 0 : 1);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return WIFEXITED(status) ? WEXITSTATUS(status)
                           : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

// A child's own connection (the parent's handles must not be used across fork).
sqlite3* child_open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return nullptr;
  sqlite3_busy_timeout(db, 10000);
  sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
  if (sqlite3_load_extension(db, LLMSPELL_SQLITE_MODULE_PATH, nullptr, nullptr) != SQLITE_OK)
    return nullptr;
  return db;
}

bool child_exec(sqlite3* db, const std::string& sql) {
  return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
}

// Inserts rows [first, last) with vectors from `vectors[rowid % size]` perturbed by rowid.
bool child_insert(sqlite3* db, std::int64_t first, std::int64_t last,
                  const std::function<void(std::int64_t)>& after = nullptr) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "INSERT INTO items(rowid, embedding) VALUES (?1, ?2)", -1, &stmt,
                         nullptr) != SQLITE_OK)
    return false;
  for (std::int64_t id = first; id < last; ++id) {
    std::mt19937 rng(static_cast<std::uint32_t>(id));
    std::normal_distribution<float> normal(0.f, 1.f);
    Vec v(kDims);
    for (float& x : v) x = normal(rng);
    std::string blob = to_blob(v);
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_blob(stmt, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
      sqlite3_finalize(stmt);
      return false;
    }
    sqlite3_reset(stmt);
    if (after) after(id);
  }
  sqlite3_finalize(stmt);
  return true;
}

// The vector child_insert gave row `id`.
Vec row_vector(std::int64_t id) {
  std::mt19937 rng(static_cast<std::uint32_t>(id));
  std::normal_distribution<float> normal(0.f, 1.f);
  Vec v(kDims);
  for (float& x : v) x = normal(rng);
  return v;
}

void create_table(const std::string& path, const std::string& journal_mode, std::int64_t rows) {
  Connection db(path);
  db.exec("PRAGMA journal_mode=" + journal_mode);
  db.exec(
      "CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[32], m=8, "
      "ef_construction=48)");
  std::map<std::int64_t, Vec> initial;
  for (std::int64_t id = 1; id <= rows; ++id) initial[id] = row_vector(id);
  insert_rows(db.get(), "items", initial);
}

// Every row in [first, last] is in the table and is its own nearest neighbour; nothing else is.
void expect_exactly_rows(Connection& db, std::int64_t first, std::int64_t last) {
  EXPECT_EQ(db.text("SELECT llmspell_hnsw_check('items')"), "ok");
  EXPECT_EQ(db.integer("SELECT count(*) FROM items"), last - first + 1);
  EXPECT_EQ(db.integer("SELECT count(*) FROM items WHERE rowid < " + std::to_string(first) +
                       " OR rowid > " + std::to_string(last)),
            0);
  std::size_t found = 0, found_exact = 0;
  for (std::int64_t id = first; id <= last; ++id) {
    Vec v = row_vector(id);
    auto got = knn(db.get(), "items", "embedding", v, 1, "ef_search = 64");
    found += !got.empty() && got[0].rowid == id;
    auto exact = knn(db.get(), "items", "embedding", v, 1, "exact = 1");
    found_exact += !exact.empty() && exact[0].rowid == id;
  }
  std::size_t total = static_cast<std::size_t>(last - first + 1);
  EXPECT_EQ(found_exact, total);
  EXPECT_GE(static_cast<double>(found) / static_cast<double>(total), 0.98);
}

class HnswCrash : public ::testing::TestWithParam<const char*> {};

TEST_P(HnswCrash, KilledInTheMiddleOfALargeTransaction) {
  TempDir dir;
  std::string path = dir.file("crash.db");
  create_table(path, GetParam(), 300);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = spawn([&] {
    close(fds[0]);
    sqlite3* db = child_open(path);
    if (db == nullptr || !child_exec(db, "BEGIN")) return false;
    // Signal after 1500 uncommitted rows, then keep inserting until killed.
    return child_insert(db, 10001, 1000000, [&](std::int64_t id) {
      if (id == 11500 && write(fds[1], "x", 1) != 1) _exit(2);
    });
  });
  close(fds[1]);
  char c;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  close(fds[0]);
  kill(child, SIGKILL);
  EXPECT_EQ(wait_exit(child), 128 + SIGKILL);

  Connection db(path);
  expect_exactly_rows(db, 1, 300);
  // The recovered index takes new rows.
  std::map<std::int64_t, Vec> more;
  for (std::int64_t id = 301; id <= 400; ++id) more[id] = row_vector(id);
  insert_rows(db.get(), "items", more);
  expect_exactly_rows(db, 1, 400);
}

// Killed at some point of a commit that writes thousands of node rows: all or nothing.
TEST_P(HnswCrash, KilledDuringCommitIsAllOrNothing) {
  TempDir dir;
  std::string path = dir.file("commit.db");
  create_table(path, GetParam(), 200);
  for (int attempt = 0; attempt < 3; ++attempt) {
    std::int64_t first = 10000 * (attempt + 1);
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = spawn([&] {
      close(fds[0]);
      sqlite3* db = child_open(path);
      if (db == nullptr || !child_exec(db, "BEGIN") || !child_insert(db, first, first + 2000))
        return false;
      if (write(fds[1], "x", 1) != 1) return false;
      return child_exec(db, "COMMIT");
    });
    close(fds[1]);
    char c;
    ASSERT_EQ(read(fds[0], &c, 1), 1);
    close(fds[0]);
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 15));
    kill(child, SIGKILL);
    wait_exit(child);

    Connection db(path);
    std::int64_t added =
        db.integer("SELECT count(*) FROM items WHERE rowid >= " + std::to_string(first));
    EXPECT_TRUE(added == 0 || added == 2000) << added;
    EXPECT_EQ(db.text("SELECT llmspell_hnsw_check('items')"), "ok");
    if (added == 2000) {
      Vec v = row_vector(first + 7);
      EXPECT_EQ(knn(db.get(), "items", "embedding", v, 1, "exact = 1")[0].rowid, first + 7);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Journal, HnswCrash, ::testing::Values("wal", "delete"));

TEST(HnswProcesses, WriterAndReaderAtOnceInWal) {
  TempDir dir;
  std::string path = dir.file("wal.db");
  create_table(path, "wal", 200);
  constexpr int kCommits = 40, kPerCommit = 10;
  pid_t writer = spawn([&] {
    sqlite3* db = child_open(path);
    if (db == nullptr) return false;
    for (int i = 0; i < kCommits; ++i) {
      std::int64_t first = 1000 + i * kPerCommit;
      if (!child_exec(db, "BEGIN") || !child_insert(db, first, first + kPerCommit) ||
          !child_exec(db, "COMMIT"))
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return sqlite3_close(db) == SQLITE_OK;
  });

  Connection reader(path);
  sqlite3_busy_timeout(reader.get(), 10000);
  std::int64_t last_count = 200;
  int reads = 0;
  int status = -1;
  std::mt19937 rng(9);
  for (;;) {
    bool done = waitpid(writer, &status, WNOHANG) == writer;
    reader.exec("BEGIN");
    std::int64_t count = reader.integer("SELECT count(*) FROM items");
    EXPECT_GE(count, last_count);
    EXPECT_EQ((count - 200) % kPerCommit, 0);  // whole commits only
    last_count = count;
    Vec q = row_vector(std::uniform_int_distribution<std::int64_t>(1, 200)(rng));
    auto got = knn(reader.get(), "items", "embedding", q, 20);
    EXPECT_EQ(got.size(), 20u);
    std::string in;
    for (const Neighbour& n : got) in += (in.empty() ? "" : ",") + std::to_string(n.rowid);
    EXPECT_EQ(reader.integer("SELECT count(*) FROM items WHERE rowid IN (" + in + ")"), 20);
    if (++reads % 10 == 0) {
      EXPECT_EQ(reader.text("SELECT llmspell_hnsw_check('items')"), "ok");
    }
    reader.exec("COMMIT");
    if (done) break;
  }
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(last_count, 200 + kCommits * kPerCommit);
  // The reader kept up through the change log, without reloading everything each time.
  std::string stats = reader.text("SELECT llmspell_hnsw_stats('items')");
  EXPECT_NE(stats.find("\"full_loads\":1,"), std::string::npos) << stats;
  EXPECT_EQ(stats.find("\"refreshes\":0,"), std::string::npos) << stats;
  EXPECT_EQ(reader.text("SELECT llmspell_hnsw_check('items')"), "ok");
  for (std::int64_t id = 1000; id < 1000 + kCommits * kPerCommit; id += 7) {
    auto got = knn(reader.get(), "items", "embedding", row_vector(id), 1, "exact = 1");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].rowid, id);
  }
}

TEST(HnswProcesses, SecondWriterWaitsAndCorruptsNothing) {
  TempDir dir;
  std::string path = dir.file("busy.db");
  create_table(path, "wal", 100);
  int locked[2], go[2];
  ASSERT_EQ(pipe(locked), 0);
  ASSERT_EQ(pipe(go), 0);
  // The first writer holds the write lock until 300 ms after the parent says "go", which it says
  // just before its own INSERT: that INSERT must wait at least that long.
  pid_t first_writer = spawn([&] {
    close(locked[0]);
    close(go[1]);
    sqlite3* db = child_open(path);
    if (db == nullptr || !child_exec(db, "BEGIN IMMEDIATE") || !child_insert(db, 500, 510))
      return false;
    char c;
    if (write(locked[1], "x", 1) != 1 || read(go[0], &c, 1) != 1) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    return child_insert(db, 510, 520) && child_exec(db, "COMMIT");
  });
  close(locked[1]);
  close(go[0]);
  char c;
  ASSERT_EQ(read(locked[0], &c, 1), 1);
  close(locked[0]);

  // Without a busy timeout the second writer is refused cleanly...
  Connection impatient(path);
  std::string why;
  std::string zeros = "[0";
  for (std::uint32_t i = 1; i < kDims; ++i) zeros += ",0";
  zeros += "]";
  EXPECT_EQ(
      impatient.try_exec("INSERT INTO items(rowid, embedding) VALUES (600, '" + zeros + "')", &why),
      SQLITE_BUSY)
      << why;
  // ...and with one it waits for the first to commit, then succeeds.
  Connection patient(path);
  sqlite3_busy_timeout(patient.get(), 20000);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(write(go[1], "x", 1), 1);
  close(go[1]);
  patient.exec("INSERT INTO items(rowid, embedding) VALUES (601, '" + zeros + "')");
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, std::chrono::milliseconds(250));
  EXPECT_EQ(wait_exit(first_writer), 0);

  EXPECT_EQ(patient.integer("SELECT count(*) FROM items"), 100 + 20 + 1);
  EXPECT_EQ(patient.text("SELECT llmspell_hnsw_check('items')"), "ok");
  EXPECT_EQ(impatient.integer("SELECT count(*) FROM items"), 100 + 20 + 1);
  EXPECT_EQ(impatient.text("SELECT llmspell_hnsw_check('items')"), "ok");
  Vec v = row_vector(515);
  EXPECT_EQ(knn(impatient.get(), "items", "embedding", v, 1, "exact = 1")[0].rowid, 515);
}

}  // namespace
}  // namespace llmspell::sqlite::test

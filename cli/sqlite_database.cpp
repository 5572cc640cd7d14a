#include "sqlite_database.h"

#include <chrono>
#include <cstdlib>
#include <set>

#include "errors.h"
#include "health.h"
#include "schema_manifest.h"
#include "sql_script.h"

#ifndef LLMSPELL_INSTALLED_MODULE
#define LLMSPELL_INSTALLED_MODULE "/usr/local/lib/llmspell/llmspell.so"
#endif

namespace llmspell::cli {
namespace fs = std::filesystem;
namespace {

constexpr const char* kNowMicros = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)";

// A prepared statement finalized when it goes away.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK) {
      throw CliError(std::string("SQLite: ") + sqlite3_errmsg(db));
    }
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw CliError(std::string("SQLite: ") + sqlite3_errmsg(db_));
  }
  void bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.c_str(), -1, SQLITE_TRANSIENT);
  }
  void bind(int i, long long v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string text(int i) {
    const unsigned char* t = sqlite3_column_text(stmt_, i);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t));
  }
  long long integer(int i) { return sqlite3_column_int64(stmt_, i); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

fs::path executable_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::string human_size(std::uintmax_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

}  // namespace

fs::path find_sqlite_module(const Config& config) {
  std::error_code ec;
  if (!config.sqlite.module.empty()) {
    if (!fs::is_regular_file(config.sqlite.module, ec)) {
      throw CliError("[storage.sqlite] extension " + config.sqlite.module.string() +
                     ": no such file");
    }
    return config.sqlite.module;
  }
  if (const char* env = std::getenv("LLMSPELL_SQLITE_MODULE"); env != nullptr && env[0] != '\0') {
    if (!fs::is_regular_file(env, ec)) {
      throw CliError(std::string("LLMSPELL_SQLITE_MODULE ") + env + ": no such file");
    }
    return env;
  }
  std::vector<fs::path> candidates;
  if (fs::path dir = executable_dir(); !dir.empty()) {
    candidates.push_back(dir / ".." / "sqlite_extension" / "llmspell.so");
    candidates.push_back(dir / ".." / "lib" / "llmspell" / "llmspell.so");
  }
  candidates.push_back(LLMSPELL_INSTALLED_MODULE);
  for (const fs::path& p : candidates) {
    if (fs::is_regular_file(p, ec)) return fs::weakly_canonical(p, ec);
  }
  throw CliError(
      "cannot find the llmspell SQLite module (llmspell.so): build it (make), install it "
      "(make install-cli) or set LLMSPELL_SQLITE_MODULE");
}

SqliteDatabase::SqliteDatabase(const Config& config, bool create) : backend_(config.backend) {
  const bool memory = backend_ == Backend::kMemory;
  path_ = memory ? fs::path(":memory:") : config.sqlite.path;
  module_ = find_sqlite_module(config);
  std::error_code ec;
  if (!memory) {
    if (!create && !fs::exists(path_, ec)) {
      throw CliError("SQLite database " + path_.string() +
                     " does not exist (llmspell database migrate creates it)");
    }
    if (create && path_.has_parent_path() && !fs::exists(path_.parent_path(), ec)) {
      fs::create_directories(path_.parent_path(), ec);
      if (ec)
        throw CliError("cannot create directory " + path_.parent_path().string() + ": " +
                       ec.message());
    }
  }
  int flags = SQLITE_OPEN_READWRITE | (create || memory ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw CliError("cannot open SQLite database " + path_.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
  char* error = nullptr;
  int rc = sqlite3_load_extension(db_, module_.c_str(), "sqlite3_llmspell_init", &error);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    sqlite3_close(db_);
    db_ = nullptr;
    throw CliError("cannot load the llmspell SQLite module " + module_.string() + ": " + message);
  }
  try {
    // Reading the schema is the first access to the file: a file that is not a database fails here.
    scalar("SELECT count(*) FROM sqlite_master");
    exec("PRAGMA foreign_keys = ON");
    if (create && !memory) exec("PRAGMA journal_mode = WAL");
  } catch (const CliError& e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw CliError("cannot use SQLite database " + path_.string() + ": " +
                   std::string(e.what()).substr(8));
  }
}

SqliteDatabase::~SqliteDatabase() {
  if (db_ != nullptr) sqlite3_close(db_);
}

bool SqliteDatabase::fresh() { return scalar("SELECT count(*) FROM sqlite_master") == "0"; }

std::string SqliteDatabase::target() const { return path_.string(); }

void SqliteDatabase::exec(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw CliError("SQLite: " + message);
  }
}

std::string SqliteDatabase::scalar(const std::string& sql) {
  Stmt s(db_, sql);
  return s.step() ? s.text(0) : std::string();
}

bool SqliteDatabase::has_table(const std::string& name) {
  Stmt s(db_, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.bind(1, name);
  return s.step();
}

std::vector<AppliedMigration> SqliteDatabase::applied_migrations() {
  std::vector<AppliedMigration> out;
  if (!has_table("schema_migrations")) return out;
  Stmt s(db_,
         "SELECT name, version, checksum, "
         "       strftime('%Y-%m-%d %H:%M:%S', applied_at / 1000000, 'unixepoch') || ' UTC', "
         "duration_ms "
         "FROM schema_migrations ORDER BY version, name");
  while (s.step()) {
    AppliedMigration a;
    a.name = s.text(0);
    a.version = static_cast<int>(s.integer(1));
    a.checksum = s.text(2);
    a.applied_at = s.text(3);
    a.duration_ms = s.integer(4);
    out.push_back(std::move(a));
  }
  return out;
}

void SqliteDatabase::prepare_history() {
  exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      "  name        TEXT PRIMARY KEY,"
      "  version     INTEGER NOT NULL,"
      "  checksum    TEXT NOT NULL,"
      "  applied_at  INTEGER NOT NULL,"
      "  duration_ms INTEGER NOT NULL"
      ") STRICT");
}

std::int64_t SqliteDatabase::apply(const Migration& m) {
  const std::string where = m.origin == "built-in" ? m.name : m.origin;
  auto start = std::chrono::steady_clock::now();
  // The write lock first (two processes migrating at once queue here), then the savepoint that
  // holds the file's changes.
  exec("BEGIN IMMEDIATE");
  try {
    exec("SAVEPOINT llmspell_migration");
    const char* base = m.sql.c_str();
    const char* end = base + m.sql.size();
    const char* p = base;
    while (p < end) {
      sqlite3_stmt* raw = nullptr;
      const char* tail = nullptr;
      int rc = sqlite3_prepare_v2(db_, p, static_cast<int>(end - p), &raw, &tail);
      std::size_t stmt_start = skip_blank(m.sql, static_cast<std::size_t>(p - base));
      auto fail = [&](std::size_t offset, const std::string& message) {
        sqlite3_finalize(raw);
        throw CliError("migration " + where + ":" + std::to_string(line_of(m.sql, offset)) +
                       " failed: " + message);
      };
      if (rc != SQLITE_OK) {
        int offset = sqlite3_error_offset(db_);
        fail(offset >= 0 ? static_cast<std::size_t>(p - base) + static_cast<std::size_t>(offset)
                         : stmt_start,
             sqlite3_errmsg(db_));
      }
      if (raw == nullptr) {  // only blanks and comments left
        p = tail;
        continue;
      }
      std::string keyword = transaction_keyword(sqlite3_sql(raw));
      if (!keyword.empty()) {
        fail(stmt_start,
             keyword +
                 " is not allowed in a migration file (each file runs in a savepoint of its own)");
      }
      while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      }
      if (rc != SQLITE_DONE) fail(stmt_start, sqlite3_errmsg(db_));
      sqlite3_finalize(raw);
      p = tail;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    Stmt record(
        db_, std::string(
                 "INSERT INTO schema_migrations (name, version, checksum, applied_at, duration_ms) "
                 "VALUES (?, ?, ?, ") +
                 kNowMicros +
                 ", ?) "
                 "ON CONFLICT (name) DO UPDATE SET version = excluded.version, "
                 "  checksum = excluded.checksum, applied_at = excluded.applied_at, "
                 "  duration_ms = excluded.duration_ms");
    record.bind(1, m.name);
    record.bind(2, static_cast<long long>(m.version));
    record.bind(3, m.checksum);
    record.bind(4, static_cast<long long>(ms));
    record.step();
    exec("RELEASE llmspell_migration");
    exec("COMMIT");
    return ms;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

bool SqliteDatabase::check_health(HealthReport& report, const Config&) {
  const bool memory = backend_ == Backend::kMemory;
  std::string journal = scalar("PRAGMA journal_mode");
  if (memory) {
    report.add("connection", "Memory database", Level::kOk,
               "OK (SQLite :memory:, migrated when opened)");
  } else {
    std::error_code ec;
    auto size = fs::file_size(path_, ec);
    report.add("connection", "SQLite database", Level::kOk,
               "OK (" + path_.string() + ", " + (ec ? std::string("?") : human_size(size)) + ")");
  }
  report.add("version", "SQLite version", Level::kOk, scalar("SELECT sqlite_version()"));
  std::string dims = scalar("SELECT vector_dims(vector('[1,2,3]'))");
  report.add(
      "extensions", "Extensions", dims == "3" ? Level::kOk : Level::kFailure,
      "llmspell module " + module_.string() + (dims == "3" ? "" : " (vector functions fail)"));
  if (!memory) {
    report.add("journal", "Journal mode", journal == "wal" ? Level::kOk : Level::kWarning,
               journal + (journal == "wal" ? "" : " (llmspell database migrate sets WAL)"));
  }
  long long app_id = std::atoll(scalar("PRAGMA application_id").c_str());
  if (app_id != kApplicationId) {
    report.add("application_id", "Application id", Level::kWarning,
               std::to_string(app_id) + ", not llmspell's " + std::to_string(kApplicationId) +
                   " (001_initial.sql not applied?)");
  }

  std::set<std::string> tables, indexes, triggers, hnsw_tables;
  {
    Stmt s(db_, "SELECT type, name, coalesce(sql, '') FROM sqlite_master");
    while (s.step()) {
      std::string type = s.text(0), name = s.text(1), sql = s.text(2);
      if (type == "table") {
        tables.insert(name);
        if (sql.rfind("CREATE VIRTUAL TABLE", 0) == 0 &&
            sql.find("llmspell_hnsw") != std::string::npos) {
          hnsw_tables.insert(name);
        }
      } else if (type == "index") {
        indexes.insert(name);
      } else if (type == "trigger") {
        triggers.insert(name);
      }
    }
  }
  std::vector<std::string> missing_tables, missing_indexes, missing_triggers;
  int index_count = 0, trigger_count = 0;
  for (const TableManifest& t : schema_manifest(backend_)) {
    const bool table = tables.count(t.name) != 0;
    if (!table) missing_tables.push_back(t.name);
    for (const std::string& ix : t.indexes) {
      ++index_count;
      bool present = false;
      if (ix == t.name + "_pkey") {
        if (table) {
          Stmt s(db_, "SELECT 1 FROM pragma_index_list(?) WHERE origin = 'pk'");
          s.bind(1, t.name);
          present = s.step();
        }
      } else if (ix == t.name + "_hnsw") {
        present = hnsw_tables.count(ix) != 0;
      } else {
        present = indexes.count(ix) != 0;
      }
      if (!present) missing_indexes.push_back(ix);
    }
    for (const std::string& tg : t.triggers) {
      ++trigger_count;
      if (triggers.count(tg) == 0) missing_triggers.push_back(tg);
    }
  }
  report.add_count("tables", "Tables", kTableCount, missing_tables, "present");
  report.add_count("indexes", "Indexes", index_count, missing_indexes,
                   "present (HNSW virtual tables included)");
  report.add_count("triggers", "Triggers", trigger_count, missing_triggers, "present");
  report.add("tenancy", "Tenant isolation", Level::kOk,
             "per connection with llmspell_set_tenant() (SQLite has no row-level security)");
  return true;
}

}  // namespace llmspell::cli

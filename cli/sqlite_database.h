// The SQLite backend (and the memory backend: SQLite ":memory:"), with the llmspell module loaded
// into the connection and the history in schema_migrations.
//
// The module (llmspell.so) is found at, in order: [storage.sqlite] extension in the configuration,
// $LLMSPELL_SQLITE_MODULE, ../sqlite_extension/llmspell.so next to the program (the build tree),
// ../lib/llmspell/llmspell.so next to it (an installation), the library directory chosen at build
// time.
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <string>
#include <vector>

#include "config.h"
#include "database.h"

namespace llmspell::cli {

class SqliteDatabase : public Database {
 public:
  // Opens `config.sqlite.path` (or ":memory:" for the memory backend), loads the module and turns
  // foreign keys on. With `create`, a missing file (and its directory) is created and the journal
  // set to WAL; without, a missing file is an error. Throws CliError.
  SqliteDatabase(const Config& config, bool create);
  ~SqliteDatabase() override;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  // No table at all: a database file created just now, or an empty one.
  bool fresh();

  Backend backend() const override { return backend_; }
  std::string target() const override;
  std::vector<AppliedMigration> applied_migrations() override;
  void prepare_history() override;
  std::int64_t apply(const Migration& m) override;
  bool check_health(HealthReport& report, const Config& config) override;

  sqlite3* handle() { return db_; }

 private:
  void exec(const std::string& sql);
  std::string scalar(const std::string& sql);
  bool has_table(const std::string& name);

  Backend backend_;
  std::filesystem::path path_;
  std::filesystem::path module_;
  sqlite3* db_ = nullptr;
};

// Where the module is (see above); throws CliError when it is nowhere.
std::filesystem::path find_sqlite_module(const Config& config);

// SQLite's application_id for llmspell databases: "LLSP".
inline constexpr long long kApplicationId = 1280070480;

}  // namespace llmspell::cli

// What the commands need from a backend: the migration history, running one migration
// atomically, and the backend's own health checks. PostgresDatabase and SqliteDatabase (which
// also serves the memory backend) implement it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "migrations.h"

namespace llmspell::cli {

class HealthReport;

// One row of the history table (schema_migrations).
struct AppliedMigration {
  std::string name;
  int version = 0;
  std::string checksum;
  std::string applied_at;  // "YYYY-MM-DD HH:MM:SS UTC"
  std::int64_t duration_ms = 0;
};

class Database {
 public:
  virtual ~Database() = default;

  virtual Backend backend() const = 0;
  // What the connection points at, without any secret: "user@host:port/db", a file path.
  virtual std::string target() const = 0;

  // The history, in version order; empty when the history table does not exist yet.
  virtual std::vector<AppliedMigration> applied_migrations() = 0;
  // Creates the history table when missing.
  virtual void prepare_history() = 0;
  // Serializes migrating processes (PostgreSQL: an advisory lock held until unlock_migrations).
  virtual void lock_migrations() {}
  virtual void unlock_migrations() {}

  // Runs `m` and records it (replacing its history row) in one transaction (PostgreSQL) or
  // savepoint (SQLite): on failure nothing of it remains. Returns the duration in milliseconds.
  // Throws CliError naming the file, the line and the database's error.
  virtual std::int64_t apply(const Migration& m) = 0;

  // Work after a successful `migrate` (PostgreSQL: event_log partitions ahead, the application
  // role's password from LLMSPELL_APP_PASSWORD); returns lines to print.
  virtual std::vector<std::string> after_migrate() { return {}; }

  // Appends the backend's checks (connection, version, extensions, tables, indexes, ...).
  // Returns false when the database cannot be reached: the report then ends there.
  virtual bool check_health(HealthReport& report, const Config& config) = 0;
};

}  // namespace llmspell::cli

// The PostgreSQL backend over libpq: one connection, the history in llmspell.schema_migrations.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "database.h"

namespace llmspell::cli {

// A PGresult that is cleared when it goes away.
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class PostgresDatabase : public Database {
 public:
  // Connects; throws CliError "cannot connect to PostgreSQL: <libpq's reason>" on one line.
  explicit PostgresDatabase(const PostgresConfig& config);
  ~PostgresDatabase() override;
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;

  Backend backend() const override { return Backend::kPostgres; }
  std::string target() const override;
  std::vector<AppliedMigration> applied_migrations() override;
  void prepare_history() override;
  void lock_migrations() override;
  void unlock_migrations() override;
  std::int64_t apply(const Migration& m) override;
  std::vector<std::string> after_migrate() override;
  bool check_health(HealthReport& report, const Config& config) override;

  PGconn* handle() { return conn_; }

 private:
  // Runs SQL; throws CliError with the server's message on failure.
  PgResult exec(const std::string& sql);
  PgResult exec(const std::string& sql, const std::vector<std::string>& params);
  std::string scalar(const std::string& sql, const std::vector<std::string>& params = {});

  PGconn* conn_ = nullptr;
  std::string app_password_;
};

// libpq's multi-line messages as one line.
std::string one_line(const std::string& message);

}  // namespace llmspell::cli

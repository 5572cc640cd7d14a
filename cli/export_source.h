// Reading the tables for `llmspell storage export`, one row at a time, in key order, inside one
// read snapshot: a SQLite read transaction, a PostgreSQL REPEATABLE READ transaction.
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "export_rows.h"
#include "transfer_tables.h"

namespace llmspell::cli {

class ExportSource {
 public:
  virtual ~ExportSource() = default;
  // Starts the snapshot every scan reads.
  virtual void begin() = 0;
  // Calls `emit` for each row of `spec` (only `tenant`'s when given), ordered by the key with
  // text compared bytewise. The cells are valid during the call only.
  virtual void scan(const TableSpec& spec, const std::optional<std::string>& tenant,
                    const std::function<void(const Cell*)>& emit) = 0;
  virtual void end() = 0;
};

std::unique_ptr<ExportSource> make_sqlite_export_source(sqlite3* db);
std::unique_ptr<ExportSource> make_postgres_export_source(PGconn* conn);

// "tenant_id COLLATE "C", id COLLATE "C"" style ORDER BY list (PostgreSQL when `collate_c`).
std::string order_by_key(const TableSpec& spec, bool collate_c);

}  // namespace llmspell::cli

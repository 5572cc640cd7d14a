// Where `llmspell storage import` writes: one transaction over all tables, rows in batches
// (PostgreSQL: binary COPY; SQLite: one prepared INSERT per table). Nothing is visible to anyone
// else until commit(); any error before it leaves the database as it was.
#pragma once

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "transfer_tables.h"

namespace llmspell::cli {

// One decoded value: text, canonical JSON text, bytes, or a vector's little-endian float32 bytes
// in `s`; integers, booleans and timestamps (timestamp_text.h) in `i`.
struct ImportValue {
  bool null = false;
  std::int64_t i = 0;
  std::string s;
};

class ImportSink {
 public:
  virtual ~ImportSink() = default;
  // Opens the transaction. `tenant`: only that tenant's rows will come (a role bound by
  // row-level security may then import).
  virtual void begin(const std::optional<std::string>& tenant) = 0;
  virtual void begin_table(const TableSpec& spec) = 0;
  // `position`: the row's index in the file's section, for error messages.
  virtual void row(const ImportValue* values, std::int64_t position) = 0;
  // Writes what is buffered; returns the rows the database took for this table.
  virtual std::int64_t end_table() = 0;
  // Whether any version of the entity exists (outside a table's rows, between tables).
  virtual bool entity_exists(std::string_view tenant, std::string_view entity_id) = 0;
  virtual void commit() = 0;
};

// Throws CliError when the schema is not migrated or the role may not import.
std::unique_ptr<ImportSink> make_sqlite_import_sink(sqlite3* db);
std::unique_ptr<ImportSink> make_postgres_import_sink(PGconn* conn);

// "data.<table>[<position>].<field>: <message>"; field may be empty.
std::string record_error(std::string_view table, std::int64_t position, std::string_view field,
                         std::string_view message);

}  // namespace llmspell::cli

// The 15 tables as the export format sees them: columns in the order they are written, each
// column's kind (how it is encoded in JSON and in each backend), and the key the rows are ordered
// by. Export, import and the format's JSON Schema (docs/export-format.schema.json) follow it.
#pragma once

#include <span>
#include <string_view>

namespace llmspell::cli {

enum class ColumnKind {
  kText,       // JSON string
  kJson,       // any JSON value, written in jsonb's canonical text form
  kVector,     // base64 of little-endian float32 (PostgreSQL vector(n), SQLite BLOB)
  kBytes,      // base64 (bytea, BLOB)
  kTimestamp,  // timestamp_text.h ("...Z", "infinity", "-infinity")
  kInt32,      // JSON integer
  kInt64,      // JSON integer
  kBool,       // JSON boolean (SQLite: INTEGER 0/1)
};

struct Column {
  std::string_view name;
  ColumnKind kind;
  bool nullable = false;
};

struct TableSpec {
  std::string_view name;   // the table, also the section name in "data"
  std::string_view label;  // the line of the import summary it counts towards ("Vectors")
  std::span<const Column> columns;
  std::span<const std::string_view> key;  // the primary key: rows are written in this order
  int dimension = 0;                      // embeddings_*: the vector's dimension
};

// All 15, in an order that satisfies the foreign keys (sessions and artifact_content before
// artifacts; entities before relationships).
std::span<const TableSpec> transfer_tables();
const TableSpec* find_transfer_table(std::string_view name);
// Index of `name` in spec.columns, or -1.
int column_index(const TableSpec& spec, std::string_view name);

}  // namespace llmspell::cli

// Writing the export document: the header, one section per table, one JSON object per row.
// Rows are encoded from backend-neutral cells, so both backends produce the same bytes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transfer_tables.h"

namespace llmspell::cli {

// One column's value as a backend read it. Text, JSON text and bytes in `s` (a vector: its
// float32 values little-endian); integers, booleans (0/1) and timestamps (microseconds since
// 1970-01-01 UTC, timestamp_text.h's infinities) in `i`.
struct Cell {
  bool null = false;
  std::int64_t i = 0;
  std::string_view s;
};

// Appends `cells` (one per spec.columns) as one JSON object. Throws CliError naming the field
// when a value cannot be carried (a timestamp outside years 0001-9999, JSON that is not JSON, a
// vector of the wrong size, a NULL in a column that cannot hold one).
void encode_row(std::string& out, const TableSpec& spec, const Cell* cells);

// The document, written as rows arrive; never more than one row (and a small buffer) in memory.
class ExportWriter {
 public:
  explicit ExportWriter(std::FILE* out) : out_(out) {}

  void begin(std::string_view exported_at, std::string_view source_backend,
             const std::vector<std::string>& migrations, const std::optional<std::string>& tenant);
  void begin_table(const TableSpec& spec);
  // Throws CliError "data.<table>[<n>].<field>: ..." for a value encode_row refuses.
  void row(const Cell* cells);
  void end_table();
  void finish();

  std::int64_t rows() const { return rows_; }
  std::uint64_t bytes() const { return bytes_; }

 private:
  void flush_if_full();
  void flush();

  std::FILE* out_;
  std::string buffer_;
  const TableSpec* table_ = nullptr;
  std::int64_t table_rows_ = 0;
  bool first_table_ = true;
  std::int64_t rows_ = 0;
  std::uint64_t bytes_ = 0;
};

// The current time in RFC 3339 UTC with microseconds.
std::string now_rfc3339();

}  // namespace llmspell::cli

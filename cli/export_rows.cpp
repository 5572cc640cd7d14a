#include "export_rows.h"

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base64.h"
#include "errors.h"
#include "temporal/json.h"
#include "temporal/types.h"
#include "timestamp_text.h"

namespace llmspell::cli {
namespace {

constexpr std::size_t kFlushBytes = 1 << 20;

// Thrown by encode_row for one field; ExportWriter adds the table and the row.
class FieldError : public CliError {
 public:
  FieldError(std::string_view field, const std::string& message)
      : CliError(std::string(field) + ": " + message) {}
};

void append_value(std::string& out, const Column& c, const Cell& cell, int dimension) {
  namespace json = temporal::json;
  if (cell.null) {
    if (!c.nullable) throw FieldError(c.name, "NULL in a column that cannot hold one");
    out += "null";
    return;
  }
  switch (c.kind) {
    case ColumnKind::kText:
      json::append_string(out, cell.s);
      break;
    case ColumnKind::kJson:
      try {
        out += json::canonical(cell.s, "the value", false);
      } catch (const temporal::GraphError& e) {
        throw FieldError(c.name, e.what());
      }
      break;
    case ColumnKind::kVector:
      if (cell.s.size() != static_cast<std::size_t>(dimension) * 4)
        throw FieldError(c.name, "a vector of " + std::to_string(cell.s.size() / 4) +
                                     " dimensions in a table of " + std::to_string(dimension));
      [[fallthrough]];
    case ColumnKind::kBytes:
      out.push_back('"');
      base64::encode(out, cell.s);
      out.push_back('"');
      break;
    case ColumnKind::kTimestamp:
      out.push_back('"');
      if (!timestamp_text::append(out, cell.i))
        throw FieldError(c.name, "timestamp " + std::to_string(cell.i) +
                                     " us is outside years 0001-9999, which the format carries");
      out.push_back('"');
      break;
    case ColumnKind::kInt32:
    case ColumnKind::kInt64:
      out += std::to_string(cell.i);
      break;
    case ColumnKind::kBool:
      out += cell.i ? "true" : "false";
      break;
  }
}

}  // namespace

void encode_row(std::string& out, const TableSpec& spec, const Cell* cells) {
  out.push_back('{');
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const Column& c = spec.columns[i];
    if (i) out += ", ";
    out.push_back('"');
    out += c.name;  // column names need no escaping
    out += "\": ";
    append_value(out, c, cells[i], spec.dimension);
  }
  out.push_back('}');
}

void ExportWriter::begin(std::string_view exported_at, std::string_view source_backend,
                         const std::vector<std::string>& migrations,
                         const std::optional<std::string>& tenant) {
  namespace json = temporal::json;
  buffer_ += "{\"version\": \"1.0\",\n\"exported_at\": ";
  json::append_string(buffer_, exported_at);
  buffer_ += ",\n\"source_backend\": ";
  json::append_string(buffer_, source_backend);
  buffer_ += ",\n\"migrations\": [";
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (i) buffer_ += ", ";
    json::append_string(buffer_, migrations[i]);
  }
  buffer_ += "],\n\"tenant\": ";
  if (tenant)
    json::append_string(buffer_, *tenant);
  else
    buffer_ += "null";
  buffer_ += ",\n\"data\": {";
}

void ExportWriter::begin_table(const TableSpec& spec) {
  table_ = &spec;
  table_rows_ = 0;
  buffer_ += first_table_ ? "\n\"" : ",\n\"";
  first_table_ = false;
  buffer_ += spec.name;
  buffer_ += "\": [";
}

void ExportWriter::row(const Cell* cells) {
  buffer_ += table_rows_ ? ",\n" : "\n";
  try {
    encode_row(buffer_, *table_, cells);
  } catch (const CliError& e) {
    throw CliError("cannot export data." + std::string(table_->name) + "[" +
                   std::to_string(table_rows_) + "]." + e.what());
  }
  ++table_rows_;
  ++rows_;
  flush_if_full();
}

void ExportWriter::end_table() {
  buffer_ += table_rows_ ? "\n]" : "]";
  flush_if_full();
}

void ExportWriter::finish() {
  buffer_ += "\n}}\n";
  flush();
  if (std::fflush(out_) != 0)
    throw CliError(std::string("cannot write the export: ") + std::strerror(errno));
}

void ExportWriter::flush_if_full() {
  if (buffer_.size() >= kFlushBytes) flush();
}

void ExportWriter::flush() {
  if (buffer_.empty()) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size())
    throw CliError(std::string("cannot write the export: ") + std::strerror(errno));
  bytes_ += buffer_.size();
  buffer_.clear();
  // A very large row (a 100 MiB artifact) must not keep its buffer for the rest of the export.
  if (buffer_.capacity() > 4 * kFlushBytes) buffer_.shrink_to_fit();
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::string out;
  timestamp_text::append(out, micros);
  return out;
}

}  // namespace llmspell::cli

#include "storage_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <vector>

#include "errors.h"
#include "export_rows.h"
#include "export_source.h"
#include "import_input.h"
#include "import_reader.h"
#include "migrations.h"
#include "migrator.h"
#include "open_database.h"
#include "output.h"
#include "postgres_database.h"
#include "sqlite_database.h"

namespace llmspell::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string backend_label(Backend b) {
  switch (b) {
    case Backend::kMemory:
      return "memory";
    case Backend::kSqlite:
      return "SQLite";
    case Backend::kPostgres:
      return "PostgreSQL";
  }
  return "?";
}

std::string megabytes(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  return buf;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The export file appears under its name only once complete.
class OutputFile {
 public:
  explicit OutputFile(const std::string& path) : path_(path) {
    if (path == "-") {
      file_ = stdout;
      return;
    }
    std::filesystem::path p(path);
    tmp_ = (p.parent_path().empty() ? std::filesystem::path(".") : p.parent_path()) /
           ("." + p.filename().string() + ".partial-" + std::to_string(::getpid()));
    file_ = std::fopen(tmp_.c_str(), "wb");
    if (file_ == nullptr) throw CliError("cannot write " + path + ": " + std::strerror(errno));
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
  }
  ~OutputFile() {
    if (file_ != nullptr && file_ != stdout) {
      std::fclose(file_);
      std::error_code ec;
      std::filesystem::remove(tmp_, ec);
    }
  }
  std::FILE* get() { return file_; }
  void commit() {
    if (file_ == stdout) return;
    int rc = std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    if (rc != 0) {
      std::filesystem::remove(tmp_, ec);
      throw CliError("cannot write " + path_ + ": " + std::strerror(errno));
    }
    std::filesystem::rename(tmp_, path_, ec);
    if (ec) {
      std::filesystem::remove(tmp_, ec);
      throw CliError("cannot write " + path_ + ": " + ec.message());
    }
  }

 private:
  std::string path_;
  std::filesystem::path tmp_;
  std::FILE* file_ = nullptr;
};

std::unique_ptr<Database> open_for(const Config& config, OpenPurpose purpose) {
  std::vector<Migration> files = load_migrations(config.backend, config.migrations_dir);
  auto db = open_database(config, purpose, files);
  if (!db)
    throw CliError(config.sqlite.path.string() +
                   " does not exist (llmspell database migrate creates it)");
  // A SQLite file the CLI has just created is migrated at once (as `migrate` would).
  if (auto* sqlite = dynamic_cast<SqliteDatabase*>(db.get());
      sqlite != nullptr && purpose == OpenPurpose::kMigrate && sqlite->fresh())
    apply_pending(*db, files);
  return db;
}

int run_export(const StorageOptions& o, const Config& config) {
  auto start = Clock::now();
  auto db = open_for(config, OpenPurpose::kInspect);
  std::vector<std::string> migrations;
  for (const AppliedMigration& m : db->applied_migrations()) migrations.push_back(m.name);
  std::unique_ptr<ExportSource> source;
  if (auto* pg = dynamic_cast<PostgresDatabase*>(db.get()))
    source = make_postgres_export_source(pg->handle());
  else
    source = make_sqlite_export_source(dynamic_cast<SqliteDatabase&>(*db).handle());

  OutputFile out(o.output);
  ExportWriter writer(out.get());
  source->begin();
  writer.begin(now_rfc3339(), backend_name(config.backend), migrations, o.tenant);
  for (const TableSpec& spec : transfer_tables()) {
    writer.begin_table(spec);
    source->scan(spec, o.tenant, [&](const Cell* cells) { writer.row(cells); });
    writer.end_table();
  }
  writer.finish();
  source->end();
  out.commit();
  double secs = seconds_since(start);
  print_note("Exported " + with_commas(writer.rows()) + " records (" +
             megabytes(static_cast<double>(writer.bytes())) + ") from " +
             backend_label(config.backend) + " " + db->target() +
             (o.tenant ? " (tenant " + *o.tenant + ")" : "") + " to " +
             (o.output == "-" ? "standard output" : o.output) + " in " +
             std::to_string(static_cast<int>(secs * 1000)) + " ms");
  return kExitOk;
}

int run_import(const StorageOptions& o, const Config& config) {
  auto start = Clock::now();
  ImportInput input(o.input);
  auto db = open_for(
      config, config.backend == Backend::kSqlite ? OpenPurpose::kMigrate : OpenPurpose::kInspect);
  std::unique_ptr<ImportSink> sink;
  if (auto* pg = dynamic_cast<PostgresDatabase*>(db.get()))
    sink = make_postgres_import_sink(pg->handle());
  else
    sink = make_sqlite_import_sink(dynamic_cast<SqliteDatabase&>(*db).handle());
  ImportResult result;
  try {
    result = import_document(input.view(), *sink, o.tenant);
  } catch (const CliError& e) {
    throw CliError("import failed, nothing was written: " + std::string(e.what()), e.detail());
  }
  print_line("✅ Imported " + with_commas(result.total) + " total records:");
  // One line per label, in table order (the four embeddings tables are "Vectors").
  std::vector<std::pair<std::string_view, std::int64_t>> lines;
  auto tables = transfer_tables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (!lines.empty() && lines.back().first == tables[i].label)
      lines.back().second += result.rows[i];
    else
      lines.emplace_back(tables[i].label, result.rows[i]);
  }
  for (const auto& [label, n] : lines)
    print_line("  - " + std::string(label) + ": " + with_commas(n));
  print_note("Imported into " + backend_label(config.backend) + " " + db->target() + " from " +
             (o.input == "-" ? "standard input" : o.input) + " (" +
             megabytes(static_cast<double>(input.size())) + ", exported from " +
             result.source_backend + ") in " +
             std::to_string(static_cast<int>(seconds_since(start) * 1000)) + " ms");
  return kExitOk;
}

}  // namespace

void add_storage_commands(CLI::App& app, StorageOptions& o) {
  CLI::App* storage = app.add_subcommand(
      "storage", "Export and import all data as versioned JSON (lossless SQLite <-> PostgreSQL)");
  storage->require_subcommand(1);
  auto tenant = [&o](const std::string& t) {
    if (t.empty()) throw CLI::ValidationError("--tenant", "must not be empty");
    o.tenant = t;
  };

  CLI::App* exp = storage->add_subcommand(
      "export", "Write every table (or one tenant's rows) to one JSON document");
  exp->add_option("-o,--output", o.output, "The file to write, or - for standard output")
      ->required();
  exp->add_option_function<std::string>("--tenant", tenant, "Export only this tenant's rows");
  exp->callback([&o] { o.command = StorageOptions::Command::kExport; });
  exp->footer(
      "Example: llmspell storage export --backend sqlite --output dev.json\n"
      "Rows in key order, vectors and bytes in base64, timestamps in UTC with microseconds:\n"
      "exports of the same data are identical whatever the backend (docs/export-format.md).\n"
      "PostgreSQL: without --tenant the role must bypass row-level security (superuser).");

  CLI::App* imp = storage->add_subcommand(
      "import", "Load an export into the configured database, in one transaction");
  imp->add_option("-i,--input", o.input, "The export to read, or - for standard input")->required();
  imp->add_option_function<std::string>("--tenant", tenant,
                                        "Import only this tenant's rows of the file");
  imp->callback([&o] { o.command = StorageOptions::Command::kImport; });
  imp->footer(
      "Example: llmspell storage import --backend postgres --input dev.json\n"
      "Any bad record rolls everything back; the error names the table, the record and the\n"
      "field. Prints the rows written per table. The database must be migrated; PostgreSQL\n"
      "imports run as the tables' owner (the role that migrated them).");
}

int run_storage(const StorageOptions& o, const Config& config) {
  switch (o.command) {
    case StorageOptions::Command::kExport:
      return run_export(o, config);
    case StorageOptions::Command::kImport:
      return run_import(o, config);
    case StorageOptions::Command::kNone:
      break;
  }
  return kExitUsage;
}

}  // namespace llmspell::cli

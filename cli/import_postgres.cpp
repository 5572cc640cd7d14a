// PostgreSQL side of the import: one transaction, one binary COPY per table.
//
// Row-level security is forced on every table: without --tenant the role must bypass it
// (superuser or BYPASSRLS); with --tenant T the transaction's app.tenant_id is T. The llmspell_hnsw
// indexes take every copied row (the vectors are searchable at COMMIT). Two insert triggers would
// change what is imported and are disabled for the transaction (ALTER TABLE, so the import runs
// as the tables' owner, which migrated them): artifacts_references (the file's reference and
// artifact counts already include every artifact) and workflow_states_lifecycle (it stamps times
// the file already has). event_log_sequence is moved past the imported sequences.
#include <string>
#include <vector>

#include "errors.h"
#include "import_sink.h"
#include "pg_copy_binary.h"
#include "postgres_database.h"
#include "timestamp_text.h"

namespace llmspell::cli {
namespace {

constexpr std::size_t kCopyChunk = 1 << 20;

struct Suspended {
  const char* table;
  const char* trigger;
};
constexpr Suspended kSuspendedTriggers[] = {{"artifacts", "artifacts_references"},
                                            {"workflow_states", "workflow_states_lifecycle"}};

class PostgresImportSink : public ImportSink {
 public:
  explicit PostgresImportSink(PGconn* conn) : conn_(conn) {}
  ~PostgresImportSink() override {
    if (open_) {
      if (PQtransactionStatus(conn_) == PQTRANS_ACTIVE) PQputCopyEnd(conn_, "import abandoned");
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
      PQclear(PQexec(conn_, "ROLLBACK"));
    }
  }

  void begin(const std::optional<std::string>& tenant) override {
    exec("BEGIN");
    open_ = true;
    exec("SET LOCAL search_path = llmspell, public");
    PgResult r = query(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'llmspell' AND "
        "tablename IN ('embeddings_384','embeddings_768','embeddings_1536',"
        "'embeddings_3072','graph_entities','graph_relationships',"
        "'procedural_patterns','agent_states','kv_store','workflow_states',"
        "'sessions','artifact_content','artifacts','event_log','hook_history')",
        {});
    if (std::string(PQgetvalue(r.get(), 0, 0)) != "15")
      throw CliError(
          "the database lacks llmspell tables: migrate it first (llmspell database "
          "migrate)");
    if (tenant) {
      query("SELECT set_config('app.tenant_id', $1, true)", {*tenant});
    } else {
      PgResult b = query(
          "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = "
          "current_user",
          {});
      if (PQntuples(b.get()) != 1 || PQgetvalue(b.get(), 0, 0)[0] != 't')
        throw CliError(
            "importing every tenant needs a role that bypasses row-level security (superuser "
            "or BYPASSRLS); this one writes one tenant at a time: give --tenant T");
    }
    for (const Suspended& s : kSuspendedTriggers)
      exec("ALTER TABLE llmspell." + std::string(s.table) + " DISABLE TRIGGER " + s.trigger);
  }

  void begin_table(const TableSpec& spec) override {
    spec_ = &spec;
    positions_.clear();
    std::string sql = "COPY llmspell.\"" + std::string(spec.name) + "\" (";
    for (std::size_t i = 0; i < spec.columns.size(); ++i)
      sql += (i ? ", \"" : "\"") + std::string(spec.columns[i].name) + "\"";
    sql += ") FROM STDIN (FORMAT binary)";
    PgResult r(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_IN)
      throw CliError("import into " + std::string(spec.name) + ": " +
                     one_line(PQresultErrorMessage(r.get())));
    buffer_.clear();
    pg_copy::put_header(buffer_);
  }

  void row(const ImportValue* values, std::int64_t position) override {
    positions_.push_back(position);
    pg_copy::put16(buffer_, static_cast<std::int16_t>(spec_->columns.size()));
    for (std::size_t i = 0; i < spec_->columns.size(); ++i) {
      const ImportValue& v = values[i];
      if (v.null) {
        pg_copy::put32(buffer_, -1);
        continue;
      }
      switch (spec_->columns[i].kind) {
        case ColumnKind::kText:
        case ColumnKind::kBytes:
          put_bytes(v.s);
          break;
        case ColumnKind::kJson:
          pg_copy::put32(buffer_, static_cast<std::int32_t>(v.s.size() + 1));
          buffer_.push_back('\1');  // jsonb binary format version
          buffer_ += v.s;
          break;
        case ColumnKind::kVector:
          pg_copy::put32(buffer_, static_cast<std::int32_t>(4 + v.s.size()));
          pg_copy::vector_from_le(buffer_, v.s);
          break;
        case ColumnKind::kTimestamp: {
          // parse() only yields times within years 0001-9999 or the infinities.
          auto pg = timestamp_text::to_postgres(v.i);
          pg_copy::put32(buffer_, 8);
          pg_copy::put64(buffer_, pg ? *pg : v.i);
          break;
        }
        case ColumnKind::kInt32:
          pg_copy::put32(buffer_, 4);
          pg_copy::put32(buffer_, static_cast<std::int32_t>(v.i));
          break;
        case ColumnKind::kInt64:
          pg_copy::put32(buffer_, 8);
          pg_copy::put64(buffer_, v.i);
          break;
        case ColumnKind::kBool:
          pg_copy::put32(buffer_, 1);
          buffer_.push_back(v.i ? '\1' : '\0');
          break;
      }
    }
    if (buffer_.size() >= kCopyChunk) send();
  }

  std::int64_t end_table() override {
    pg_copy::put16(buffer_, -1);
    send();
    if (PQputCopyEnd(conn_, nullptr) != 1)
      throw CliError("import into " + std::string(spec_->name) + ": " +
                     one_line(PQerrorMessage(conn_)));
    PgResult r(PQgetResult(conn_));
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) throw copy_error(r.get());
    std::int64_t written = std::stoll(PQcmdTuples(r.get()));
    if (spec_->name == "event_log") {
      // New events must come after the imported ones.
      exec(
          "SELECT setval('llmspell.event_log_sequence', greatest(s.last_value, "
          "coalesce((SELECT max(sequence) FROM llmspell.event_log), 0)), "
          "s.is_called OR (SELECT max(sequence) FROM llmspell.event_log) IS NOT NULL) "
          "FROM llmspell.event_log_sequence s");
    }
    return written;
  }

  bool entity_exists(std::string_view tenant, std::string_view entity) override {
    PgResult r = query(
        "SELECT 1 FROM llmspell.graph_entities WHERE tenant_id = $1 AND entity_id = $2 LIMIT 1",
        {std::string(tenant), std::string(entity)});
    return PQntuples(r.get()) > 0;
  }

  void commit() override {
    for (const Suspended& s : kSuspendedTriggers)
      exec("ALTER TABLE llmspell." + std::string(s.table) + " ENABLE TRIGGER " + s.trigger);
    exec("COMMIT");
    open_ = false;
  }

 private:
  void put_bytes(const std::string& s) {
    if (s.size() > static_cast<std::size_t>(INT32_MAX))
      throw CliError("import: a value over 2 GiB");
    pg_copy::put32(buffer_, static_cast<std::int32_t>(s.size()));
    buffer_ += s;
  }

  void send() {
    if (buffer_.empty()) return;
    if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1)
      throw CliError("import into " + std::string(spec_->name) + ": " +
                     one_line(PQerrorMessage(conn_)));
    buffer_.clear();
    if (buffer_.capacity() > 8 * kCopyChunk) buffer_.shrink_to_fit();
  }

  // The server's error with the record: COPY's CONTEXT says "COPY t, line N[, column c]".
  CliError copy_error(const PGresult* r) const {
    auto field = [&](int code) {
      const char* v = PQresultErrorField(r, code);
      return v ? std::string(v) : std::string();
    };
    std::string message = field(PG_DIAG_MESSAGE_PRIMARY);
    std::string detail = field(PG_DIAG_MESSAGE_DETAIL);
    std::string context = field(PG_DIAG_CONTEXT);
    std::string column = field(PG_DIAG_COLUMN_NAME);
    std::int64_t position = -1;
    if (auto at = context.find(", line "); at != std::string::npos) {
      std::int64_t line = std::atoll(context.c_str() + at + 7);
      if (line >= 1 && static_cast<std::size_t>(line) <= positions_.size())
        position = positions_[static_cast<std::size_t>(line - 1)];
      if (auto c = context.find(", column ", at); c != std::string::npos && column.empty()) {
        column = context.substr(c + 9);
        column = column.substr(0, column.find(':'));
      }
    }
    if (column.empty() && detail.rfind("Key (", 0) == 0)
      column = "(" + detail.substr(5, detail.find(')') - 5) + ")";
    std::string constraint = field(PG_DIAG_CONSTRAINT_NAME);
    if (column.empty() && !constraint.empty()) {
      for (const Column& c : spec_->columns)
        if (constraint.find(std::string(spec_->name) + "_" + std::string(c.name)) == 0)
          column = c.name;
    }
    std::string text = message + " (SQLSTATE " + field(PG_DIAG_SQLSTATE) + ")";
    if (!detail.empty()) text += ": " + detail;
    return CliError(record_error(spec_->name, position, column, one_line(text)));
  }

  PgResult query(const char* sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& p : params) values.push_back(p.c_str());
    PgResult r(PQexecParams(conn_, sql, static_cast<int>(values.size()), nullptr, values.data(),
                            nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
      throw CliError("import: " + one_line(PQresultErrorMessage(r.get())));
    return r;
  }

  void exec(const std::string& sql) {
    PgResult r(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && PQresultStatus(r.get()) != PGRES_TUPLES_OK)
      throw CliError("import: " + one_line(PQresultErrorMessage(r.get())));
  }

  PGconn* conn_;
  bool open_ = false;
  const TableSpec* spec_ = nullptr;
  std::string buffer_;
  std::vector<std::int64_t> positions_;
};

}  // namespace

std::unique_ptr<ImportSink> make_postgres_import_sink(PGconn* conn) {
  return std::make_unique<PostgresImportSink>(conn);
}

}  // namespace llmspell::cli

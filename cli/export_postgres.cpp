// PostgreSQL side of the export: COPY (SELECT ... ORDER BY key) TO STDOUT in binary, read row by
// row with PQgetCopyData, so values arrive exactly (float4 vectors, microsecond timestamps,
// 'infinity') and client memory holds one row at a time.
#include <string>
#include <vector>

#include "errors.h"
#include "export_source.h"
#include "pg_copy_binary.h"
#include "postgres_database.h"
#include "timestamp_text.h"

namespace llmspell::cli {
namespace {

class PostgresExportSource : public ExportSource {
 public:
  explicit PostgresExportSource(PGconn* conn) : conn_(conn) {}
  ~PostgresExportSource() override {
    if (open_) PQclear(PQexec(conn_, "ROLLBACK"));
  }

  void begin() override {
    exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    open_ = true;
    exec("SET LOCAL search_path = llmspell, public");
  }

  // Row-level security is forced on every table, for the owner too: a role without BYPASSRLS
  // sees one tenant at a time. With --tenant that tenant is set; without it, the whole database
  // needs a superuser or BYPASSRLS role.
  void set_tenant(const std::optional<std::string>& tenant) {
    if (tenant) {
      exec_params("SELECT set_config('app.tenant_id', $1, true)", *tenant);
      return;
    }
    PgResult r(PQexec(conn_,
                      "SELECT rolsuper OR rolbypassrls FROM pg_roles "
                      "WHERE rolname = current_user"));
    bool bypass = PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 &&
                  PQgetvalue(r.get(), 0, 0)[0] == 't';
    if (!bypass)
      throw CliError(
          "exporting every tenant needs a role that bypasses row-level security (superuser or "
          "BYPASSRLS); this one sees one tenant at a time: give --tenant T");
  }

  void scan(const TableSpec& spec, const std::optional<std::string>& tenant,
            const std::function<void(const Cell*)>& emit) override {
    if (!tenant_checked_) {
      set_tenant(tenant);
      tenant_checked_ = true;
    }
    std::string sql = "COPY (SELECT ";
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
      if (i) sql += ", ";
      sql += "\"" + std::string(spec.columns[i].name) + "\"";
    }
    sql += " FROM llmspell.\"" + std::string(spec.name) + "\"";
    if (tenant) {
      char* lit = PQescapeLiteral(conn_, tenant->data(), tenant->size());
      if (lit == nullptr) throw CliError("export: " + one_line(PQerrorMessage(conn_)));
      sql += " WHERE tenant_id = " + std::string(lit);
      PQfreemem(lit);
    }
    sql += " ORDER BY " + order_by_key(spec, true) + ") TO STDOUT (FORMAT binary)";
    PgResult r(PQexec(conn_, sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_OUT)
      throw CliError("cannot read " + std::string(spec.name) + ": " +
                     one_line(PQresultErrorMessage(r.get())));
    r.reset();

    std::vector<Cell> cells(spec.columns.size());
    std::vector<std::string> vectors(spec.columns.size());
    bool header = false;
    for (;;) {
      char* data = nullptr;
      int n = PQgetCopyData(conn_, &data, 0);
      if (n == -1) break;
      if (n < 0)
        throw CliError("cannot read " + std::string(spec.name) + ": " +
                       one_line(PQerrorMessage(conn_)));
      struct Free {
        char* p;
        ~Free() { PQfreemem(p); }
      } free_data{data};
      std::string_view msg(data, static_cast<std::size_t>(n));
      // The header comes in front of the first row's message.
      if (!header) {
        if (msg.size() < pg_copy::kSignatureSize + 8 ||
            msg.substr(0, pg_copy::kSignatureSize) !=
                std::string_view(pg_copy::kSignature, pg_copy::kSignatureSize))
          throw CliError("export: unexpected COPY data from the server");
        std::size_t ext = pg_copy::get_be(msg.data() + pg_copy::kSignatureSize + 4, 4);
        msg.remove_prefix(pg_copy::kSignatureSize + 8 + ext);
        header = true;
        if (msg.empty()) continue;
      }
      if (msg.size() < 2) throw CliError("export: truncated COPY row");
      auto fields = static_cast<std::int16_t>(pg_copy::get_be(msg.data(), 2));
      if (fields == -1) continue;  // the trailer
      if (static_cast<std::size_t>(fields) != cells.size())
        throw CliError("export: unexpected COPY row width");
      std::size_t pos = 2;
      for (std::size_t i = 0; i < cells.size(); ++i) {
        if (pos + 4 > msg.size()) throw CliError("export: truncated COPY row");
        auto len = static_cast<std::int32_t>(pg_copy::get_be(msg.data() + pos, 4));
        pos += 4;
        Cell& c = cells[i];
        c = Cell{};
        if (len < 0) {
          c.null = true;
          continue;
        }
        if (pos + static_cast<std::size_t>(len) > msg.size())
          throw CliError("export: truncated COPY row");
        decode(spec, i, msg.substr(pos, static_cast<std::size_t>(len)), c, vectors[i]);
        pos += static_cast<std::size_t>(len);
      }
      emit(cells.data());
    }
    PgResult done(PQgetResult(conn_));
    if (PQresultStatus(done.get()) != PGRES_COMMAND_OK)
      throw CliError("cannot read " + std::string(spec.name) + ": " +
                     one_line(PQresultErrorMessage(done.get())));
    while (PGresult* extra = PQgetResult(conn_)) PQclear(extra);
  }

  void end() override {
    open_ = false;
    exec("COMMIT");
  }

 private:
  static void decode(const TableSpec& spec, std::size_t i, std::string_view v, Cell& c,
                     std::string& scratch) {
    const Column& col = spec.columns[i];
    auto bad = [&](const char* what) {
      throw CliError("export: " + std::string(spec.name) + "." + std::string(col.name) + ": " +
                     what);
    };
    switch (col.kind) {
      case ColumnKind::kText:
      case ColumnKind::kBytes:
        c.s = v;
        break;
      case ColumnKind::kJson:
        if (v.empty() || v[0] != 1) bad("unknown jsonb binary version");
        c.s = v.substr(1);
        break;
      case ColumnKind::kVector:
        if (!pg_copy::vector_to_le(scratch, v)) bad("malformed vector");
        c.s = scratch;
        break;
      case ColumnKind::kTimestamp: {
        if (v.size() != 8) bad("malformed timestamptz");
        auto pg = static_cast<std::int64_t>(pg_copy::get_be(v.data(), 8));
        auto unix_micros = timestamp_text::from_postgres(pg);
        // Out of range: handed on as is, so that the writer names the row and the field.
        c.i = unix_micros
                  ? *unix_micros
                  : (pg < 0 ? timestamp_text::kMinusInfinity + 1 : timestamp_text::kInfinity - 1);
        break;
      }
      case ColumnKind::kInt32:
        if (v.size() != 4) bad("malformed integer");
        c.i = static_cast<std::int32_t>(pg_copy::get_be(v.data(), 4));
        break;
      case ColumnKind::kInt64:
        if (v.size() != 8) bad("malformed bigint");
        c.i = static_cast<std::int64_t>(pg_copy::get_be(v.data(), 8));
        break;
      case ColumnKind::kBool:
        if (v.size() != 1) bad("malformed boolean");
        c.i = v[0] != 0;
        break;
    }
  }

  void exec(const char* sql) {
    PgResult r(PQexec(conn_, sql));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && PQresultStatus(r.get()) != PGRES_TUPLES_OK)
      throw CliError("export: " + one_line(PQresultErrorMessage(r.get())));
  }
  void exec_params(const char* sql, const std::string& param) {
    const char* values[] = {param.c_str()};
    PgResult r(PQexecParams(conn_, sql, 1, nullptr, values, nullptr, nullptr, 0));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
      throw CliError("export: " + one_line(PQresultErrorMessage(r.get())));
  }

  PGconn* conn_;
  bool open_ = false;
  bool tenant_checked_ = false;
};

}  // namespace

std::unique_ptr<ExportSource> make_postgres_export_source(PGconn* conn) {
  return std::make_unique<PostgresExportSource>(conn);
}

}  // namespace llmspell::cli

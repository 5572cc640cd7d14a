// SQLite side of the export: stepped statements, values read straight out of SQLite's pages.
#include <string>
#include <vector>

#include "errors.h"
#include "export_source.h"

namespace llmspell::cli {
namespace {

class SqliteExportSource : public ExportSource {
 public:
  explicit SqliteExportSource(sqlite3* db) : db_(db) {}
  ~SqliteExportSource() override {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  void begin() override {
    exec("BEGIN");
    // A deferred transaction takes its snapshot at the first read: read now.
    exec("SELECT count(*) FROM sqlite_master");
    open_ = true;
  }

  void scan(const TableSpec& spec, const std::optional<std::string>& tenant,
            const std::function<void(const Cell*)>& emit) override {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
      if (i) sql += ", ";
      sql += "\"";
      sql += spec.columns[i].name;
      sql += "\"";
    }
    sql += " FROM \"" + std::string(spec.name) + "\"";
    if (tenant) sql += " WHERE tenant_id = ?1";
    sql += " ORDER BY " + order_by_key(spec, false);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK)
      throw CliError("cannot read " + std::string(spec.name) + ": " + sqlite3_errmsg(db_) +
                     " (is the database migrated? llmspell database migrate)");
    struct Finalize {
      sqlite3_stmt* s;
      ~Finalize() { sqlite3_finalize(s); }
    } finalize{stmt};
    if (tenant)
      sqlite3_bind_text(stmt, 1, tenant->data(), static_cast<int>(tenant->size()), SQLITE_STATIC);
    std::vector<Cell> cells(spec.columns.size());
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      for (std::size_t i = 0; i < cells.size(); ++i) {
        int col = static_cast<int>(i);
        Cell& c = cells[i];
        c = Cell{};
        switch (sqlite3_column_type(stmt, col)) {
          case SQLITE_NULL:
            c.null = true;
            break;
          case SQLITE_INTEGER:
            c.i = sqlite3_column_int64(stmt, col);
            break;
          case SQLITE_TEXT:
            c.s = {reinterpret_cast<const char*>(sqlite3_column_text(stmt, col)),
                   static_cast<std::size_t>(sqlite3_column_bytes(stmt, col))};
            break;
          default: {  // BLOB (REAL does not occur: the tables are STRICT without REAL columns)
            const void* p = sqlite3_column_blob(stmt, col);
            c.s = {p ? static_cast<const char*>(p) : "",
                   static_cast<std::size_t>(sqlite3_column_bytes(stmt, col))};
          }
        }
      }
      emit(cells.data());
    }
    if (rc != SQLITE_DONE)
      throw CliError("cannot read " + std::string(spec.name) + ": " + sqlite3_errmsg(db_));
  }

  void end() override {
    open_ = false;
    exec("COMMIT");
  }

 private:
  void exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw CliError(std::string("export: ") + message);
    }
  }

  sqlite3* db_;
  bool open_ = false;
};

}  // namespace

std::string order_by_key(const TableSpec& spec, bool collate_c) {
  std::string out;
  for (std::string_view k : spec.key) {
    if (!out.empty()) out += ", ";
    out += "\"" + std::string(k) + "\"";
    int i = column_index(spec, k);
    if (collate_c && spec.columns[static_cast<std::size_t>(i)].kind == ColumnKind::kText)
      out += " COLLATE \"C\"";
  }
  return out;
}

std::unique_ptr<ExportSource> make_sqlite_export_source(sqlite3* db) {
  return std::make_unique<SqliteExportSource>(db);
}

}  // namespace llmspell::cli

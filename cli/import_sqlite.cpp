// SQLite side of the import: BEGIN IMMEDIATE, one prepared INSERT per table, COMMIT.
//
// The HNSW virtual tables stay in step through their insert triggers (the vectors are searchable
// once committed), and the graph tables' overlap triggers check every version. Two insert
// triggers would change what is imported and are dropped for the transaction, then created again
// from their own text before COMMIT: artifacts_after_insert (the file's reference and artifact
// counts already include every artifact) and workflow_states_after_insert (it stamps times the
// file already has, and moves updated_at).
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "import_sink.h"

namespace llmspell::cli {
namespace {

constexpr const char* kSuspendedTriggers[] = {"artifacts_after_insert",
                                              "workflow_states_after_insert"};

struct Statement {
  sqlite3_stmt* s = nullptr;
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(s); }
  void reset(sqlite3_stmt* n) {
    sqlite3_finalize(s);
    s = n;
  }
};

class SqliteImportSink : public ImportSink {
 public:
  explicit SqliteImportSink(sqlite3* db) : db_(db) {}
  ~SqliteImportSink() override {
    insert_.reset(nullptr);
    lookup_.reset(nullptr);
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  void begin(const std::optional<std::string>&) override {
    for (const TableSpec& t : transfer_tables()) {
      if (!has_table(t.name))
        throw CliError("the database has no table " + std::string(t.name) +
                       ": migrate it first (llmspell database migrate)");
    }
    exec("BEGIN IMMEDIATE");
    open_ = true;
    for (const char* name : kSuspendedTriggers) {
      std::string sql = trigger_sql(name);
      if (sql.empty()) continue;
      exec("DROP TRIGGER \"" + std::string(name) + "\"");
      suspended_.emplace_back(name, std::move(sql));
    }
    prepare(lookup_,
            "SELECT 1 FROM graph_entities WHERE tenant_id = ?1 AND entity_id = ?2 LIMIT 1");
  }

  void begin_table(const TableSpec& spec) override {
    spec_ = &spec;
    written_ = 0;
    std::string sql = "INSERT INTO \"" + std::string(spec.name) + "\" (";
    std::string params;
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
      sql += (i ? ", \"" : "\"") + std::string(spec.columns[i].name) + "\"";
      params += (i ? ", ?" : "?") + std::to_string(i + 1);
    }
    sql += ") VALUES (" + params + ")";
    prepare(insert_, sql);
  }

  void row(const ImportValue* values, std::int64_t position) override {
    sqlite3_stmt* s = insert_.s;
    for (std::size_t i = 0; i < spec_->columns.size(); ++i) {
      const ImportValue& v = values[i];
      int p = static_cast<int>(i + 1);
      if (v.null) {
        sqlite3_bind_null(s, p);
        continue;
      }
      switch (spec_->columns[i].kind) {
        case ColumnKind::kText:
        case ColumnKind::kJson:
          sqlite3_bind_text64(s, p, v.s.data(), v.s.size(), SQLITE_STATIC, SQLITE_UTF8);
          break;
        case ColumnKind::kVector:
        case ColumnKind::kBytes:
          sqlite3_bind_blob64(s, p, v.s.data(), v.s.size(), SQLITE_STATIC);
          break;
        default:
          sqlite3_bind_int64(s, p, v.i);
      }
    }
    int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
      std::string message = sqlite3_errmsg(db_);
      sqlite3_reset(s);
      throw CliError(record_error(spec_->name, position, guess_field(message), message));
    }
    sqlite3_reset(s);
    written_ += sqlite3_changes(db_);
  }

  std::int64_t end_table() override {
    insert_.reset(nullptr);
    return written_;
  }

  bool entity_exists(std::string_view tenant, std::string_view entity) override {
    sqlite3_stmt* s = lookup_.s;
    sqlite3_bind_text64(s, 1, tenant.data(), tenant.size(), SQLITE_STATIC, SQLITE_UTF8);
    sqlite3_bind_text64(s, 2, entity.data(), entity.size(), SQLITE_STATIC, SQLITE_UTF8);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw CliError(sqlite3_errmsg(db_));
    return rc == SQLITE_ROW;
  }

  void commit() override {
    for (const auto& [name, sql] : suspended_) exec(sql);
    lookup_.reset(nullptr);
    exec("COMMIT");
    open_ = false;
  }

 private:
  // The column a constraint message names ("UNIQUE constraint failed: t.a, t.b" names two).
  std::string guess_field(const std::string& message) const {
    std::string fields;
    for (const Column& c : spec_->columns) {
      std::string qualified = std::string(spec_->name) + "." + std::string(c.name);
      std::size_t at = message.find(qualified);
      if (at == std::string::npos) continue;
      std::size_t end = at + qualified.size();
      if (end < message.size() &&
          (std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '_'))
        continue;
      fields += (fields.empty() ? "" : ",") + std::string(c.name);
    }
    if (fields.find(',') != std::string::npos) return "(" + fields + ")";
    if (!fields.empty()) return fields;
    // CHECK constraint failed: <expression or name>: the first column it mentions.
    for (const Column& c : spec_->columns)
      if (message.find(std::string(c.name)) != std::string::npos &&
          message.find("CHECK") != std::string::npos)
        return std::string(c.name);
    return {};
  }

  bool has_table(std::string_view name) {
    Statement q;
    prepare(q, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    sqlite3_bind_text64(q.s, 1, name.data(), name.size(), SQLITE_STATIC, SQLITE_UTF8);
    return sqlite3_step(q.s) == SQLITE_ROW;
  }

  std::string trigger_sql(const char* name) {
    Statement q;
    prepare(q, "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1");
    sqlite3_bind_text(q.s, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q.s) != SQLITE_ROW) return {};
    const unsigned char* t = sqlite3_column_text(q.s, 0);
    return t ? reinterpret_cast<const char*>(t) : "";
  }

  void prepare(Statement& st, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw CliError("import: " + std::string(sqlite3_errmsg(db_)));
    st.reset(s);
  }

  void exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw CliError("import: " + message);
    }
  }

  sqlite3* db_;
  bool open_ = false;
  std::vector<std::pair<std::string, std::string>> suspended_;
  const TableSpec* spec_ = nullptr;
  Statement insert_, lookup_;
  std::int64_t written_ = 0;
};

}  // namespace

std::unique_ptr<ImportSink> make_sqlite_import_sink(sqlite3* db) {
  return std::make_unique<SqliteImportSink>(db);
}

}  // namespace llmspell::cli

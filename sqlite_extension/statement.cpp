#include "statement.h"

#include <new>

namespace llmspell::sqlite {

Statement::Statement(sqlite3* db, const std::string& sql, bool persistent) : db_(db) {
  unsigned flags = persistent ? SQLITE_PREPARE_PERSISTENT : 0;
  int rc =
      sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1), flags, &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    if (rc == SQLITE_NOMEM) throw std::bad_alloc();
    throw SqlError(rc, sqlite3_errmsg(db));
  }
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string message = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  if (rc == SQLITE_NOMEM) throw std::bad_alloc();
  throw SqlError(rc, message);
}

std::string_view Statement::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

void Statement::check(int rc) {
  if (rc == SQLITE_OK) return;
  if (rc == SQLITE_NOMEM) throw std::bad_alloc();
  throw SqlError(rc, sqlite3_errmsg(db_));
}

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return;
  std::string why = message ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  if (rc == SQLITE_NOMEM) throw std::bad_alloc();
  throw SqlError(rc, why);
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  out.push_back('"');
  return out;
}

}  // namespace llmspell::sqlite

// Small RAII helpers over prepared statements, for the code that reads and writes the HNSW
// virtual table's shadow tables. Failures throw SqlError; the virtual table callbacks catch it and
// hand the code and message to SQLite (no exception ever reaches SQLite).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "sqlite_api.h"

namespace llmspell::sqlite {

// An error with the SQLite result code to report. Messages name the table (and the column or
// option when there is one), for example "items.embedding: expected 768 dimensions, got 3".
class SqlError : public std::runtime_error {
 public:
  SqlError(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// A prepared statement, finalized on destruction. Long-lived statements are prepared with
// SQLITE_PREPARE_PERSISTENT.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, const std::string& sql, bool persistent = true);
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&& other) noexcept {
    if (this != &other) {
      sqlite3_finalize(stmt_);
      db_ = other.db_;
      stmt_ = std::exchange(other.stmt_, nullptr);
    }
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }

  void bind(int i, std::int64_t v) { check(sqlite3_bind_int64(stmt_, i, v)); }
  void bind(int i, std::string_view text) {
    check(sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  void bind_blob(int i, const void* data, std::size_t n) {
    check(sqlite3_bind_blob64(stmt_, i, data, n, SQLITE_TRANSIENT));
  }
  // The caller keeps `data` alive until the statement is reset.
  void bind_blob_static(int i, const void* data, std::size_t n) {
    check(sqlite3_bind_blob64(stmt_, i, data, n, SQLITE_STATIC));
  }
  void bind_value(int i, sqlite3_value* v) { check(sqlite3_bind_value(stmt_, i, v)); }
  void bind_null(int i) { check(sqlite3_bind_null(stmt_, i)); }

  // True when a row is available, false when done.
  bool step();
  // Runs a statement that returns no rows.
  void run() {
    while (step()) {
    }
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  int type(int col) const { return sqlite3_column_type(stmt_, col); }
  const void* blob(int col) const { return sqlite3_column_blob(stmt_, col); }
  std::size_t bytes(int col) const {
    return static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
  }
  std::string_view text(int col) const;
  sqlite3_value* value(int col) const { return sqlite3_column_value(stmt_, col); }

 private:
  void check(int rc);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a cached statement when leaving scope, so it never stays active (holding a read
// transaction open or blocking a later DROP) after an error.
class Use {
 public:
  explicit Use(Statement& s) : s_(s) {}
  ~Use() { s_.reset(); }
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  Statement* operator->() { return &s_; }
  Statement& operator*() { return s_; }

 private:
  Statement& s_;
};

// Runs one or more statements without results (DDL); throws SqlError with SQLite's message.
void exec(sqlite3* db, const std::string& sql);

// "name" with embedded quotes doubled, for identifiers built into SQL text.
std::string quote_identifier(std::string_view name);

}  // namespace llmspell::sqlite

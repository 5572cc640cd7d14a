// A fresh in-memory database with the llmspell module loaded from the build tree, plus helpers
// to run one-value queries and capture error messages.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <initializer_list>
#include <string>

#include <gtest/gtest.h>

namespace llmspell::sqlite::test {

// One result value, copied out of SQLite.
struct Value {
  int type = SQLITE_NULL;
  sqlite3_int64 integer = 0;
  double real = 0;
  std::string bytes;  // TEXT or BLOB contents
};

class SqliteModuleTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Runs statements that must succeed.
  void exec(const std::string& sql);
  // First column of the first row of a query that must succeed.
  Value query(const std::string& sql);
  // Convenience accessors that also check the result type.
  std::string text(const std::string& sql);
  std::string blob(const std::string& sql);
  double real(const std::string& sql);
  sqlite3_int64 integer(const std::string& sql);
  bool is_null(const std::string& sql);
  // The details of EXPLAIN QUERY PLAN for `sql`, joined with " / ".
  std::string query_plan(const std::string& sql);
  // The error message of a statement that must fail (prepare or step).
  std::string error(const std::string& sql);

  sqlite3* db_ = nullptr;
};

// float32 little-endian bytes of `values`, as a std::string holding the BLOB.
std::string float_blob(std::initializer_list<float> values);
// SQL blob literal x'...' for raw bytes.
std::string blob_literal(const std::string& bytes);

}  // namespace llmspell::sqlite::test

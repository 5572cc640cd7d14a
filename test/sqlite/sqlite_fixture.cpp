#include "sqlite_fixture.h"

#include <bit>
#include <cstring>

namespace llmspell::sqlite::test {

void SqliteModuleTest::SetUp() {
  ASSERT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
  // Enables sqlite3_load_extension() only, not the SQL function load_extension().
  ASSERT_EQ(sqlite3_db_config(db_, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr), SQLITE_OK);
  char* message = nullptr;
  int rc = sqlite3_load_extension(db_, LLMSPELL_SQLITE_MODULE_PATH, nullptr, &message);
  std::string why = message ? message : "";
  sqlite3_free(message);
  ASSERT_EQ(rc, SQLITE_OK) << why;
}

void SqliteModuleTest::TearDown() {
  if (db_ != nullptr) {
    EXPECT_EQ(sqlite3_close(db_), SQLITE_OK);
    db_ = nullptr;
  }
}

void SqliteModuleTest::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  std::string why = message ? message : "";
  sqlite3_free(message);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << why;
}

Value SqliteModuleTest::query(const std::string& sql) {
  Value value;
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
  if (rc != SQLITE_OK) return value;
  rc = sqlite3_step(stmt);
  EXPECT_EQ(rc, SQLITE_ROW) << sql << ": " << sqlite3_errmsg(db_);
  if (rc == SQLITE_ROW) {
    value.type = sqlite3_column_type(stmt, 0);
    switch (value.type) {
      case SQLITE_INTEGER:
        value.integer = sqlite3_column_int64(stmt, 0);
        break;
      case SQLITE_FLOAT:
        value.real = sqlite3_column_double(stmt, 0);
        break;
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        value.bytes.assign(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
        break;
      }
      case SQLITE_BLOB: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt, 0));
        value.bytes.assign(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
        break;
      }
      default:
        break;
    }
  }
  sqlite3_finalize(stmt);
  return value;
}

std::string SqliteModuleTest::text(const std::string& sql) {
  Value v = query(sql);
  EXPECT_EQ(v.type, SQLITE_TEXT) << sql;
  return v.bytes;
}

std::string SqliteModuleTest::blob(const std::string& sql) {
  Value v = query(sql);
  EXPECT_EQ(v.type, SQLITE_BLOB) << sql;
  return v.bytes;
}

double SqliteModuleTest::real(const std::string& sql) {
  Value v = query(sql);
  EXPECT_EQ(v.type, SQLITE_FLOAT) << sql;
  return v.real;
}

sqlite3_int64 SqliteModuleTest::integer(const std::string& sql) {
  Value v = query(sql);
  EXPECT_EQ(v.type, SQLITE_INTEGER) << sql;
  return v.integer;
}

bool SqliteModuleTest::is_null(const std::string& sql) { return query(sql).type == SQLITE_NULL; }

std::string SqliteModuleTest::query_plan(const std::string& sql) {
  std::string plan;
  sqlite3_stmt* stmt = nullptr;
  std::string explain = "EXPLAIN QUERY PLAN " + sql;
  EXPECT_EQ(sqlite3_prepare_v2(db_, explain.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << explain << ": " << sqlite3_errmsg(db_);
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    if (!plan.empty()) plan += " / ";
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));  // the detail column
  }
  sqlite3_finalize(stmt);
  return plan;
}

std::string SqliteModuleTest::error(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr);
  if (rc == SQLITE_OK) {
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_finalize(stmt);
  }
  if (rc == SQLITE_OK || rc == SQLITE_DONE) {
    ADD_FAILURE() << "expected an error from: " << sql;
    return "";
  }
  return sqlite3_errmsg(db_);
}

std::string float_blob(std::initializer_list<float> values) {
  std::string bytes;
  for (float f : values) {
    auto bits = std::bit_cast<std::uint32_t>(f);
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  return bytes;
}

std::string blob_literal(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "x'";
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  out.push_back('\'');
  return out;
}

}  // namespace llmspell::sqlite::test

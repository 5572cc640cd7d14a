// The connection's tenant context (SPEC section 5): llmspell_set_tenant / llmspell_tenant, and
// llmspell_hnsw tables with a tenant_id column returning and writing only that tenant's rows.
#include <string>

#include "hnsw_support.h"
#include "sqlite_fixture.h"

namespace llmspell::sqlite::test {
namespace {

class Tenancy : public SqliteModuleTest {
 protected:
  void SetUp() override {
    SqliteModuleTest::SetUp();
    exec(
        "CREATE VIRTUAL TABLE items USING llmspell_hnsw(embedding float[2], tenant_id text, "
        "+note)");
    exec(
        "INSERT INTO items(rowid, embedding, tenant_id, note) VALUES "
        "(1, '[1,0]', 'a', 'a1'), (2, '[0.9,0.1]', 'b', 'b1'), (3, '[0.8,0.2]', 'a', 'a2'), "
        "(4, '[0.7,0.3]', 'b', 'b2'), (5, '[0.6,0.4]', NULL, 'none')");
  }
  std::string ids(const std::string& sql) {
    std::string out;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(db_);
    while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
      if (!out.empty()) out += " ";
      out += std::to_string(sqlite3_column_int64(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }
};

TEST_F(Tenancy, ContextFunctions) {
  EXPECT_TRUE(is_null("SELECT llmspell_tenant()"));
  EXPECT_EQ(text("SELECT llmspell_set_tenant('acme')"), "acme");
  EXPECT_EQ(text("SELECT llmspell_tenant()"), "acme");
  EXPECT_EQ(text("SELECT llmspell_set_tenant(42)"), "42");
  EXPECT_TRUE(is_null("SELECT llmspell_set_tenant(NULL)"));
  EXPECT_TRUE(is_null("SELECT llmspell_tenant()"));
  EXPECT_EQ(error("SELECT llmspell_set_tenant('')"),
            "llmspell_set_tenant(): the tenant must not be empty (NULL clears it)");
  EXPECT_EQ(error("SELECT llmspell_set_tenant(x'01')"),
            "llmspell_set_tenant(): the tenant must be TEXT or INTEGER (NULL clears it)");
  // A schema cannot change the tenant behind the application's back.
  exec("CREATE VIEW v AS SELECT llmspell_set_tenant('evil')");
  EXPECT_EQ(error("SELECT * FROM v"), "unsafe use of llmspell_set_tenant()");
  // Each connection has its own context.
  exec("SELECT llmspell_set_tenant('mine')");
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &other), SQLITE_OK);
  sqlite3_db_config(other, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 1, nullptr);
  ASSERT_EQ(sqlite3_load_extension(other, LLMSPELL_SQLITE_MODULE_PATH, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(other, "SELECT llmspell_tenant()", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_type(stmt, 0), SQLITE_NULL);
  sqlite3_finalize(stmt);
  sqlite3_close(other);
  EXPECT_EQ(text("SELECT llmspell_tenant()"), "mine");
}

TEST_F(Tenancy, ReadsSeeOnlyTheTenantsRows) {
  exec("SELECT llmspell_set_tenant('a')");
  EXPECT_EQ(ids("SELECT rowid FROM items"), "1 3");
  EXPECT_EQ(ids("SELECT count(*) FROM items"), "2");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE embedding MATCH '[0.7,0.3]' AND k = 5"), "3 1");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE embedding MATCH '[0.7,0.3]' AND k = 5 "
                "AND exact = 1"),
            "3 1");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE rowid = 2"), "");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE rowid = 3"), "3");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE tenant_id = 'b'"), "");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE embedding MATCH '[1,0]' AND k = 5 "
                "AND tenant_id = 'b'"),
            "");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE note LIKE 'b%'"), "");
  exec("SELECT llmspell_set_tenant('nobody')");
  EXPECT_EQ(ids("SELECT rowid FROM items"), "");
  EXPECT_EQ(ids("SELECT rowid FROM items WHERE embedding MATCH '[1,0]' AND k = 5"), "");
  exec("SELECT llmspell_set_tenant(NULL)");
  EXPECT_EQ(ids("SELECT rowid FROM items"), "1 2 3 4 5");
}

TEST_F(Tenancy, WritesStayInsideTheTenant) {
  exec("SELECT llmspell_set_tenant('a')");
  exec("INSERT INTO items(rowid, embedding, note) VALUES (10, '[0,1]', 'defaulted')");
  EXPECT_EQ(text("SELECT tenant_id FROM items WHERE rowid = 10"), "a");
  exec("INSERT INTO items(rowid, embedding, tenant_id) VALUES (11, '[0,1]', 'a')");
  EXPECT_EQ(error("INSERT INTO items(embedding, tenant_id) VALUES ('[0,1]', 'b')"),
            "items.tenant_id: cannot write a row of tenant 'b' while the connection's tenant is "
            "'a'");
  EXPECT_EQ(error("UPDATE items SET tenant_id = 'b' WHERE rowid = 1"),
            "items.tenant_id: cannot write a row of tenant 'b' while the connection's tenant is "
            "'a'");
  // Another tenant's rows are invisible, so these statements touch nothing.
  exec("UPDATE items SET note = 'hacked' WHERE rowid = 2");
  exec("DELETE FROM items WHERE rowid = 4");
  exec("DELETE FROM items WHERE embedding MATCH '[0.95,0.05]' AND k = 1");  // nearest a-row: 1
  exec("SELECT llmspell_set_tenant(NULL)");
  EXPECT_EQ(ids("SELECT rowid FROM items"), "2 3 4 5 10 11");
  EXPECT_EQ(text("SELECT note FROM items WHERE rowid = 2"), "b1");
  // Setting tenant_id to NULL under a tenant keeps the row in the tenant.
  exec("SELECT llmspell_set_tenant('a')");
  exec("UPDATE items SET tenant_id = NULL WHERE rowid = 3");
  exec("DELETE FROM items");
  exec("SELECT llmspell_set_tenant(NULL)");
  EXPECT_EQ(ids("SELECT rowid FROM items"), "2 4 5");
  EXPECT_EQ(text("SELECT llmspell_hnsw_check('items')"), "ok");
}

TEST_F(Tenancy, IntegerTenantColumnsAndTablesWithoutOne) {
  exec("CREATE VIRTUAL TABLE n USING llmspell_hnsw(v float[2], tenant_id integer)");
  exec("INSERT INTO n(rowid, v, tenant_id) VALUES (1, '[1,0]', 7), (2, '[0,1]', 8)");
  exec("CREATE VIRTUAL TABLE shared USING llmspell_hnsw(v float[2], scope text)");
  exec("INSERT INTO shared(rowid, v, scope) VALUES (1, '[1,0]', 'x'), (2, '[0,1]', 'y')");
  exec("SELECT llmspell_set_tenant(7)");
  EXPECT_EQ(ids("SELECT rowid FROM n WHERE v MATCH '[0,1]' AND k = 2"), "1");
  exec("INSERT INTO n(rowid, v) VALUES (3, '[1,1]')");
  EXPECT_EQ(ids("SELECT tenant_id FROM n WHERE rowid = 3"), "7");
  // A table without a tenant_id column is not tenant-scoped.
  EXPECT_EQ(ids("SELECT rowid FROM shared"), "1 2");
  exec("SELECT llmspell_set_tenant('seven')");
  EXPECT_EQ(ids("SELECT rowid FROM n"), "");
  EXPECT_EQ(ids("SELECT rowid FROM n WHERE v MATCH '[0,1]' AND k = 2"), "");
  EXPECT_EQ(error("INSERT INTO n(v) VALUES ('[1,1]')"),
            "n.tenant_id: the connection's tenant 'seven' is not an integer");
}

}  // namespace
}  // namespace llmspell::sqlite::test

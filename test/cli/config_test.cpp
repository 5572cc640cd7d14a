#include "config.h"

#include <gtest/gtest.h>

#include <map>

#include "errors.h"
#include "redact.h"

namespace llmspell::cli {
namespace {

Config parse(const std::string& text) {
  Config c;
  apply_config_text(c, text, "config.toml", "/etc/llmspell");
  return c;
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const CliError& e) {
    return e.what();
  }
  return "no error";
}

TEST(Config, GuideExample) {
  Config c = parse(R"(
[storage]
backend = "postgresql"

[storage.postgresql]
host = "localhost"
port = 5432
database = "llmspell_dev"
username = "llmspell"
password = "llmspell_password"
pool_size = 10
pool_timeout_seconds = 30
idle_timeout_seconds = 600
vector_search = true
dimension = 1536
multi_tenant = true
tenant_id_column = "tenant_id"
enable_rls = true
)");
  EXPECT_EQ(c.backend, Backend::kPostgres);
  EXPECT_EQ(c.postgresql.host, "localhost");
  EXPECT_EQ(c.postgresql.port, 5432);
  EXPECT_EQ(c.postgresql.database, "llmspell_dev");
  EXPECT_EQ(c.postgresql.username, "llmspell");
  EXPECT_EQ(c.postgresql.pool_size, 10);
  EXPECT_TRUE(c.postgresql.multi_tenant);
  EXPECT_TRUE(c.warnings.empty());
  EXPECT_EQ(redact("password is llmspell_password"), "password is ********");
  clear_secrets();
}

TEST(Config, SqlitePathRelativeToTheFile) {
  Config c = parse("[storage]\nbackend = \"sqlite\"\n[storage.sqlite]\npath = \"data/x.db\"\n");
  EXPECT_EQ(c.backend, Backend::kSqlite);
  EXPECT_EQ(c.sqlite.path, std::filesystem::path("/etc/llmspell/data/x.db"));
  c = parse("[storage.sqlite]\npath = \"/var/lib/x.db\"\n");
  EXPECT_EQ(c.sqlite.path, std::filesystem::path("/var/lib/x.db"));
}

TEST(Config, ErrorsNameLineAndKey) {
  EXPECT_EQ(error_of("[storage]\nbackend = \"mysql\"\n"),
            "config.toml:2: [storage] backend 'mysql' is not one of memory, sqlite, postgresql");
  EXPECT_EQ(error_of("[storage.postgresql]\nport = \"5432\"\n"),
            "config.toml:2: [storage.postgresql] port must be an integer, not a string");
  EXPECT_EQ(error_of("[storage.postgresql]\nport = 70000\n"),
            "config.toml:2: [storage.postgresql] port must be between 1 and 65535, not 70000");
  EXPECT_EQ(
      error_of("[storage.postgresql]\ndimension = 1000\n"),
      "config.toml:2: [storage.postgresql] dimension must be one of 384, 768, 1536, 3072 (the "
      "embeddings tables), not 1000");
  EXPECT_EQ(
      error_of("[storage.postgresql]\ntenant_id_column = \"org\"\n"),
      "config.toml:2: [storage.postgresql] tenant_id_column 'org' is not supported: the schema's "
      "tenant column is tenant_id");
  EXPECT_EQ(error_of("[storage.postgresql]\nenable_rls = 1\n"),
            "config.toml:2: [storage.postgresql] enable_rls must be true or false, not an integer");
  std::string syntax = error_of("[storage]\nbackend \"sqlite\"\n");
  EXPECT_EQ(syntax.rfind("config.toml:2: ", 0), 0u) << syntax;
  EXPECT_EQ(syntax.find('\n'), std::string::npos) << syntax;
  std::string twice = error_of("[storage]\n[storage]\n");
  EXPECT_EQ(twice.rfind("config.toml:", 0), 0u) << twice;
}

TEST(Config, UnknownKeysWarnOtherSectionsAreIgnored) {
  Config c = parse("[providers.openai]\nmodel = \"x\"\n[storage]\nbakend = \"sqlite\"\n");
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_EQ(c.warnings[0], "config.toml:4: unknown key [storage] bakend (ignored)");
}

TEST(Config, DatabaseUrl) {
  Config c;
  c.postgresql.host = "from-file";
  c.postgresql.password = "file-secret";
  apply_database_url(c, "postgresql://app:s3cr%40t@db.example:6543/prod");
  EXPECT_EQ(c.backend, Backend::kPostgres);
  EXPECT_TRUE(c.postgresql.from_database_url);
  EXPECT_TRUE(c.postgresql.host.empty());
  EXPECT_TRUE(c.postgresql.password.empty());
  EXPECT_EQ(redact("postgresql://app:s3cr%40t@db.example:6543/prod"),
            "postgresql://app:********@db.example:6543/prod");
  EXPECT_EQ(redact("password s3cr@t"), "password ********");
  clear_secrets();

  apply_database_url(c, "sqlite:/tmp/a.db");
  EXPECT_EQ(c.backend, Backend::kSqlite);
  EXPECT_EQ(c.sqlite.path, std::filesystem::path("/tmp/a.db"));
  apply_database_url(c, "memory:");
  EXPECT_EQ(c.backend, Backend::kMemory);
  EXPECT_THROW(apply_database_url(c, "mysql://x"), CliError);
}

TEST(Config, PrecedenceAndFiles) {
  std::map<std::string, std::string> vars{{"DATABASE_URL", "postgres://u@h/db"},
                                          {"HOME", "/home/u"}};
  Environment env = [&](const std::string& n) -> std::optional<std::string> {
    auto it = vars.find(n);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  CommandLine args;
  Config c = load_config(args, env);
  EXPECT_EQ(c.backend, Backend::kPostgres);
  args.backend = "sqlite";
  c = load_config(args, env);
  EXPECT_EQ(c.backend, Backend::kSqlite);
  EXPECT_EQ(c.sqlite.path, std::filesystem::path("/home/u/.local/share/llmspell/llmspell.db"));
  args.backend = "oracle";
  EXPECT_THROW(load_config(args, env), CliError);
  args.backend.reset();
  args.config_file = "/nonexistent/config.toml";
  try {
    load_config(args, env);
    FAIL() << "no error";
  } catch (const CliError& e) {
    EXPECT_STREQ(e.what(), "configuration file /nonexistent/config.toml: no such file");
  }
}

TEST(Config, BackendNames) {
  EXPECT_EQ(parse_backend("PostgreSQL"), Backend::kPostgres);
  EXPECT_EQ(parse_backend("postgres"), Backend::kPostgres);
  EXPECT_EQ(parse_backend("memory"), Backend::kMemory);
  EXPECT_FALSE(parse_backend("inmemory").has_value());
}

}  // namespace
}  // namespace llmspell::cli

#include "sql_script.h"

#include <gtest/gtest.h>

namespace llmspell::cli {
namespace {

std::vector<std::string> texts(std::string_view script) {
  std::vector<std::string> out;
  for (const Statement& s : split_statements(script)) out.emplace_back(s.text);
  return out;
}

TEST(SqlScript, SplitsAtTopLevelSemicolons) {
  auto s = split_statements(
      "-- header\nCREATE TABLE a (x int);\n\n/* c; */ INSERT INTO a VALUES (1);\nSELECT 1");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].text, "CREATE TABLE a (x int)");
  EXPECT_EQ(s[0].line, 2);
  EXPECT_EQ(s[1].text, "INSERT INTO a VALUES (1)");
  EXPECT_EQ(s[1].line, 4);
  EXPECT_EQ(s[2].text, "SELECT 1");
  EXPECT_EQ(s[2].line, 5);
}

TEST(SqlScript, QuotesAndComments) {
  EXPECT_EQ(
      texts("SELECT 'a;b', \"c;d\"; SELECT E'it\\'s;'; SELECT 'x''y;'"),
      (std::vector<std::string>{"SELECT 'a;b', \"c;d\"", "SELECT E'it\\'s;'", "SELECT 'x''y;'"}));
  EXPECT_EQ(texts("SELECT 1 /* a /* nested; */ still; */; -- x;\nSELECT 2;"),
            (std::vector<std::string>{"SELECT 1 /* a /* nested; */ still; */", "SELECT 2"}));
}

TEST(SqlScript, DollarQuotes) {
  std::string fn =
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END $body$";
  EXPECT_EQ(texts(fn + "; DO $$ BEGIN PERFORM 1; END $$;"),
            (std::vector<std::string>{fn, "DO $$ BEGIN PERFORM 1; END $$"}));
  // $1 is a parameter, not a quote.
  EXPECT_EQ(texts("PREPARE p AS SELECT $1; SELECT 2;"),
            (std::vector<std::string>{"PREPARE p AS SELECT $1", "SELECT 2"}));
}

TEST(SqlScript, BeginAtomicBodies) {
  std::string fn =
      "CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN "
      "1 "
      "ELSE 0 END; SELECT 2; END";
  EXPECT_EQ(texts(fn + "; SELECT 3;"), (std::vector<std::string>{fn, "SELECT 3"}));
}

TEST(SqlScript, Lines) {
  std::string script = "a\nb\nc";
  EXPECT_EQ(line_of(script, 0), 1);
  EXPECT_EQ(line_of(script, 2), 2);
  EXPECT_EQ(line_of(script, 100), 3);
  EXPECT_EQ(byte_offset_of_character("\xc3\xa9x", 2), 2u);  // "éx": character 2 is at byte 2
  EXPECT_EQ(byte_offset_of_character("ab", 1), 0u);
}

TEST(SqlScript, TransactionKeywords) {
  EXPECT_EQ(transaction_keyword("  -- c\n commit"), "COMMIT");
  EXPECT_EQ(transaction_keyword("BEGIN"), "BEGIN");
  EXPECT_EQ(transaction_keyword("prepare transaction 'x'"), "PREPARE TRANSACTION");
  EXPECT_EQ(transaction_keyword("PREPARE q AS SELECT 1"), "");
  EXPECT_EQ(transaction_keyword("CREATE TABLE begin_x (a int)"), "");
}

}  // namespace
}  // namespace llmspell::cli

// The bi-temporal graph in both databases against the model: golden scenarios, random-history
// oracle, the cross-tenant matrix, and host-specific rules (tenant context, atomic writes,
// immutable rows). SQLite always; PostgreSQL when LLMSPELL_GRAPH_PG names a database that has
// the extension and the graph tables (test/pg/t/graph_oracle.sh sets it up).
#include <gtest/gtest.h>

#include <cstdlib>

#include "graph_api.h"
#include "temporal_golden.h"
#include "temporal_oracle.h"

namespace llmspell::temporal::testing {
namespace {

const char* pg_conninfo() { return std::getenv("LLMSPELL_GRAPH_PG"); }

// Every tenant of a run starts from an empty graph: a fresh name per use.
std::string fresh_tenant(const std::string& base) {
  static int n = 0;
  return base + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

// As tenant A, every function on B's ids answers exactly as on an id that exists nowhere.
template <class Api>
void cross_tenant_matrix(Api& g) {
  std::string a = fresh_tenant("a"), b = fresh_tenant("b");
  for (const std::string& t : {a, b}) {
    g.set_tenant(t);
    for (const char* id : {"s1", "s2"})
      ASSERT_TRUE(g.add_entity(id, "node", id, "{}", day(0), kInfinity).tx);
    ASSERT_TRUE(g.add_relationship("s1s2", "s1", "s2", "link", "{}", day(0), kInfinity).tx);
  }
  g.set_tenant(b);
  ASSERT_TRUE(g.add_entity("b_only", "node", "B", R"({"k": 1})", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_relationship("b_rel", "s1", "b_only", "link", "{}", day(0), kInfinity).tx);
  auto b_history = g.entity_history("b_only");
  g.set_tenant(a);
  AsOf now{day(10), kCurrent};
  for (auto [theirs, absent] : {std::pair{"b_only", "nope"}, std::pair{"b_rel", "nope_rel"}}) {
    SCOPED_TRACE(theirs);
    EXPECT_EQ(g.get_entity(theirs, now), g.get_entity(absent, now));
    EXPECT_EQ(g.entity_history(theirs), g.entity_history(absent));
    EXPECT_EQ(g.neighbours(theirs, Direction::kBoth, {}, now),
              g.neighbours(absent, Direction::kBoth, {}, now));
    EXPECT_EQ(g.traverse({theirs}, 3, Direction::kBoth, {}, 100, now),
              g.traverse({absent}, 3, Direction::kBoth, {}, 100, now));
    EXPECT_EQ(g.update_entity(theirs, "x", {}, {}, day(1), kInfinity),
              g.update_entity(absent, "x", {}, {}, day(1), kInfinity));
    EXPECT_EQ(g.end_entity(theirs, day(1)), g.end_entity(absent, day(1)));
    EXPECT_EQ(g.retract_entity(theirs), g.retract_entity(absent));
    EXPECT_EQ(g.update_relationship(theirs, "x", {}, day(1), kInfinity),
              g.update_relationship(absent, "x", {}, day(1), kInfinity));
    EXPECT_EQ(g.end_relationship(theirs, day(1)), g.end_relationship(absent, day(1)));
    EXPECT_EQ(g.retract_relationship(theirs), g.retract_relationship(absent));
    EXPECT_EQ(g.add_relationship("r_new", "s1", theirs, "link", "{}", day(0), kInfinity),
              g.add_relationship("r_new", "s1", absent, "link", "{}", day(0), kInfinity));
  }
  EXPECT_EQ(column(g.neighbours("s1", Direction::kBoth, {}, now), 3), Strings{"s2"})
      << "B's relationship from the shared id s1 is not visible to A";
  EXPECT_EQ(g.query_entities({}, R"({"k": 1})", now), Strings{});
  EXPECT_EQ(column(g.traverse({"s1"}, 3, Direction::kBoth, {}, 100, now), 0),
            (Strings{"s1", "s2"}));
  g.compact_history(kCurrent);
  g.set_tenant(b);
  EXPECT_EQ(g.entity_history("b_only"), b_history) << "A's writes and compaction left B alone";
  EXPECT_EQ(column(g.neighbours("s1", Direction::kOut, {}, now), 3), (Strings{"b_only", "s2"}));
}

// ---- SQLite ----------------------------------------------------------------------------------

struct SqliteGraph : ::testing::Test {
  SqliteApi g{fresh_tenant("t")};
};

TEST_F(SqliteGraph, GoldenPerson) { golden_person(g); }
TEST_F(SqliteGraph, GoldenContradiction) { golden_contradiction(g); }
TEST_F(SqliteGraph, GoldenTraversal) { golden_traversal(g); }
TEST_F(SqliteGraph, GoldenWideTraversal) { golden_wide(g); }
TEST_F(SqliteGraph, GoldenErrorsRetractCompact) { golden_errors(g); }
TEST_F(SqliteGraph, CrossTenantMatrix) { cross_tenant_matrix(g); }

TEST_F(SqliteGraph, OracleRandomHistories) {
  for (unsigned seed = 1; seed <= 12 && !HasFailure(); ++seed) {
    SqliteApi fresh(fresh_tenant("o"));
    OracleOptions o;
    o.seed = seed;
    o.steps = 60;
    Oracle(fresh, o).run();
  }
}

TEST_F(SqliteGraph, NoTenantReadsNothingWritesNothing) {
  ASSERT_TRUE(g.add_entity("a", "node", "A", "{}", day(0), kInfinity).tx);
  g.set_tenant(std::nullopt);
  EXPECT_EQ(g.get_entity("a", {day(1), kCurrent}), Strings{});
  EXPECT_EQ(g.traverse({"a"}, 3, Direction::kOut, {}, 10, {day(1), kCurrent}), Strings{});
  EXPECT_EQ(g.add_entity("b", "node", "B", "{}", day(0), kInfinity).error, ErrorKind::kNoTenant);
}

TEST_F(SqliteGraph, AFailedWriteLeavesNothingBehind) {
  ASSERT_TRUE(g.add_entity("a", "node", "A", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_entity("b", "node", "B", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_relationship("ab", "a", "b", "link", "{}", day(0), kInfinity).tx);
  // A conflicting row the core does not know about makes the cascade fail half-way.
  g.exec("DROP TRIGGER graph_relationships_immutable");
  g.exec(
      "CREATE TRIGGER boom BEFORE UPDATE ON graph_relationships BEGIN SELECT RAISE(ABORT, 'boom'); "
      "END");
  std::string error;
  g.query("SELECT graph_end_entity('a', ?)", {p(day(5))}, &error);
  EXPECT_NE(error.find("boom"), std::string::npos) << error;
  EXPECT_EQ(g.entity_history("a").size(), 1u) << "the entity's close was rolled back with it";
}

// The functions' result rows are reused from call to call (and two cursors of one function can
// be open at once): nothing of an earlier result may show in a later one.
TEST_F(SqliteGraph, ResultRowsDoNotCarryOver) {
  ASSERT_TRUE(g.add_entity("a", "node", "Alpha", R"({"k": 1})", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_entity("b", "thing", "", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_relationship("ab", "a", "b", "link", "{}", day(0), kInfinity).tx);
  AsOf at{day(1), kCurrent};
  auto a = g.get_entity("a", at);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_NE(a[0].find("Alpha"), std::string::npos) << a[0];
  EXPECT_EQ(g.get_entity("missing", at), Strings{});
  auto b = g.get_entity("b", at);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].find("Alpha"), std::string::npos) << b[0];
  EXPECT_EQ(b[0].find("\"k\""), std::string::npos) << b[0];
  EXPECT_EQ(g.traverse({"a"}, 1, Direction::kOut, {}, 10, at).size(), 2u);
  EXPECT_EQ(g.traverse({"b"}, 1, Direction::kOut, {}, 10, at), (Strings{"b|0|b||f"}));
  // Two cursors of graph_traverse at once: the inner one is filtered again for each outer row.
  EXPECT_EQ(g.query("SELECT x.entity_id || '>' || y.entity_id FROM graph_traverse('[\"a\"]', 1)"
                    " AS x, graph_traverse(x.entity_id, 0) AS y ORDER BY 1",
                    {}),
            (Strings{"a>a", "b>b"}));
  // graph_neighbours filtered again for each outer row: each call's rows in its own order
  // (type, neighbour, relationship id), none of the first call's in the second's.
  ASSERT_TRUE(g.add_entity("c", "thing", "", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_relationship("ac", "a", "c", "earlier", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_relationship("ba", "b", "a", "link", "{}", day(0), kInfinity).tx);
  EXPECT_EQ(g.query("SELECT s.column1 || ':' || n.relationship_id || ':' || n.neighbour_id"
                    " FROM (VALUES ('a'), ('b')) AS s,"
                    " graph_neighbours(s.column1, 'both', NULL, ?1) AS n",
                    {p(day(1))}),
            (Strings{"a:ac:c", "a:ab:b", "a:ba:b", "b:ab:a", "b:ba:a"}));
}

TEST_F(SqliteGraph, RowsAreImmutable) {
  ASSERT_TRUE(g.add_entity("a", "node", "A", "{}", day(0), kInfinity).tx);
  std::string error;
  g.query("UPDATE graph_entities SET name = 'forged'", {}, &error);
  EXPECT_NE(error.find("immutable"), std::string::npos) << error;
}

TEST_F(SqliteGraph, ErrorsNameTheFunctionAndCarrySqlstate) {
  std::string error;
  g.query("SELECT * FROM graph_traverse('a', 11)", {}, &error);
  EXPECT_EQ(error, "graph_traverse(): [22023] max_depth must be between 0 and 10, not 11");
  g.query("SELECT graph_add_entity('a', 'node', 'A', '[1]')", {}, &error);
  EXPECT_EQ(error, "graph_add_entity(): [22023] properties must be a JSON object");
  g.query("SELECT * FROM graph_neighbours('a', 'sideways')", {}, &error);
  EXPECT_NE(error.find("[22023] direction"), std::string::npos) << error;
}

// ---- PostgreSQL ------------------------------------------------------------------------------

struct PgGraph : ::testing::Test {
  void SetUp() override {
    if (!pg_conninfo()) GTEST_SKIP() << "LLMSPELL_GRAPH_PG is not set";
    g = std::make_unique<PgApi>(pg_conninfo(), fresh_tenant("t"));
  }
  std::unique_ptr<PgApi> g;
};

TEST_F(PgGraph, GoldenPerson) { golden_person(*g); }
TEST_F(PgGraph, GoldenContradiction) { golden_contradiction(*g); }
TEST_F(PgGraph, GoldenTraversal) { golden_traversal(*g); }
TEST_F(PgGraph, GoldenWideTraversal) { golden_wide(*g); }
TEST_F(PgGraph, GoldenErrorsRetractCompact) { golden_errors(*g); }
TEST_F(PgGraph, CrossTenantMatrix) { cross_tenant_matrix(*g); }

TEST_F(PgGraph, OracleRandomHistories) {
  for (unsigned seed = 1; seed <= 6 && !HasFailure(); ++seed) {
    PgApi fresh(pg_conninfo(), fresh_tenant("o"));
    OracleOptions o;
    o.seed = seed;
    o.steps = 50;
    o.points_per_step = 8;
    Oracle(fresh, o).run();
  }
}

}  // namespace
}  // namespace llmspell::temporal::testing

// The bi-temporal graph core on its in-memory store: golden scenarios and the random-history
// oracle against the naive model, plus the canonical JSON the hosts share.
#include <gtest/gtest.h>

#include "temporal/graph.h"
#include "temporal/json.h"
#include "temporal_core_api.h"
#include "temporal_golden.h"
#include "temporal_oracle.h"

namespace llmspell::temporal {
namespace {

using testing::CoreApi;

TEST(TemporalJson, CanonicalFormIsJsonbText) {
  EXPECT_EQ(json::canonical(R"({"b":1,"a":2,"aa":[1,2.50,1e2,{"z":null}]})", "p", true),
            R"({"a": 2, "b": 1, "aa": [1, 2.50, 100, {"z": null}]})");
  EXPECT_EQ(json::canonical(R"({"a":1,"a":2})", "p", true), R"({"a": 2})") << "last key wins";
  EXPECT_EQ(json::canonical("[1.50e1, -0, -0.0, 0.001, 1E-3, 12e-1, 100e-2]", "p", false),
            "[15.0, 0, 0.0, 0.001, 0.001, 1.2, 1.00]");
  EXPECT_EQ(json::canonical(R"("a\u00e9\n\u0001\/")", "p", false), "\"a\xc3\xa9\\n\\u0001/\"");
  EXPECT_EQ(json::canonical(R"("\ud83d\ude00")", "p", false), "\"\xf0\x9f\x98\x80\"");
  EXPECT_EQ(json::canonical(" { } ", "p", true), "{}");
}

TEST(TemporalJson, RejectsWhatJsonbRejects) {
  for (const char* bad : {"", "{", "{\"a\":}", "[1,]", "01", "1.", "\"\\u0000\"", "nul",
                          "{\"a\":1} x", "\"\\ud800\"", "1e99999"}) {
    EXPECT_THROW(json::canonical(bad, "p", false), GraphError) << bad;
  }
  EXPECT_THROW(json::canonical("[1]", "p", true), GraphError);
}

TEST(TemporalJson, ContainmentFollowsJsonb) {
  EXPECT_TRUE(json::contains(R"({"a": 1, "b": [1, 2, {"c": 3}]})", R"({"b": [{"c": 3}, 2]})"));
  EXPECT_TRUE(json::contains(R"({"a": 1.0})", R"({"a": 1})")) << "numeric equality";
  EXPECT_FALSE(json::contains(R"({"a": 1})", R"({"a": "1"})"));
  EXPECT_FALSE(json::contains(R"({"a": [1]})", R"({"a": 1})")) << "only a top-level scalar";
  EXPECT_TRUE(json::contains(R"(["a", "b"])", R"("a")"));
  EXPECT_FALSE(json::contains(R"({"a": 1})", R"([])"));
  EXPECT_TRUE(json::contains(R"({"a": {"b": 1, "c": 2}})", R"({"a": {"b": 1}})"));
  EXPECT_TRUE(json::contains(R"({})", R"({})"));
  EXPECT_FALSE(json::contains(R"({"a": {"b": 1}})", R"({"a": [1]})"));
}

TEST(TemporalCore, TransactionTimeIsOnePerTransactionAndIncreasing) {
  Micros now = 100;
  MemoryStore s([&] { return now; });
  s.begin();
  Micros t1 = s.transaction_time();
  EXPECT_EQ(s.transaction_time(), t1);
  s.commit();
  s.begin();
  Micros t2 = s.transaction_time();  // the clock stood still
  s.commit();
  EXPECT_EQ(t1, 100);
  EXPECT_EQ(t2, 101);
  now = 50;  // and even went back
  EXPECT_EQ(s.transaction_time(), 102);
}

TEST(TemporalCore, WritesInOneTransactionShareItsTime) {
  Micros now = 1000;
  MemoryStore s([&] { return now; });
  s.begin();
  auto t = add_entity(s, "a", {"person", "A", "{}"}, {0, kInfinity});
  // Changing a version written by the same transaction replaces it: it was never visible.
  auto u = update_entity(s, "a", {{}, "A2", {}}, {0, kInfinity});
  s.commit();
  EXPECT_EQ(t, u);
  ASSERT_EQ(s.entities().size(), 1u);
  EXPECT_EQ(s.entities()[0].data.name, "A2");
}

TEST(TemporalCore, TraverseChecksItsLimits) {
  MemoryStore s([] { return Micros{1}; });
  TraverseRequest r;
  r.max_depth = 11;
  EXPECT_THROW(traverse(s, r), GraphError);
  r.max_depth = 3;
  r.max_nodes = 0;
  EXPECT_THROW(traverse(s, r), GraphError);
  EXPECT_THROW(parse_direction("sideways"), GraphError);
  EXPECT_EQ(parse_direction("BOTH"), Direction::kBoth);
}

TEST(TemporalGolden, PersonBornMovedCorrected) {
  CoreApi g;
  testing::golden_person(g);
}
TEST(TemporalGolden, ContradictionLearnedLater) {
  CoreApi g;
  testing::golden_contradiction(g);
}
TEST(TemporalGolden, Traversal) {
  CoreApi g;
  testing::golden_traversal(g);
}
TEST(TemporalGolden, WideTraversal) {
  CoreApi g;
  testing::golden_wide(g);
}
TEST(TemporalGolden, ErrorsRetractCompact) {
  CoreApi g;
  testing::golden_errors(g);
}

TEST(TemporalOracle, RandomHistoriesMatchTheModel) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    CoreApi g;
    testing::OracleOptions o;
    o.seed = seed;
    o.steps = 80;
    o.points_per_step = 20;
    testing::Oracle(g, o).run();
    if (HasFailure()) break;
  }
}

TEST(TemporalOracle, SameTickClockStillIncreases) {
  // A clock that never moves: transaction times still strictly increase.
  CoreApi g(1'800'000'000'000'000LL, 0);
  testing::OracleOptions o;
  o.seed = 99;
  testing::Oracle(g, o).run();
}

}  // namespace
}  // namespace llmspell::temporal

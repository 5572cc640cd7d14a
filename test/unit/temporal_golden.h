// Golden scenarios, written once against GraphApi and run on the core and on both databases.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>

#include "temporal_model.h"

namespace llmspell::temporal::testing {

inline constexpr Micros kGoldenDay = 86'400'000'000LL;
inline constexpr Micros kJan1 = 1'704'067'200'000'000LL;  // 2024-01-01T00:00:00Z
inline Micros day(int n) { return kJan1 + n * kGoldenDay; }

// The field `index` (0-based, '|'-separated) of a result line.
inline std::string field(const std::string& line, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = line.find('|', start) + 1;
  return line.substr(start, line.find('|', start) - start);
}

inline std::vector<std::string> column(const std::vector<std::string>& lines, int index) {
  std::vector<std::string> out;
  for (auto& l : lines) out.push_back(field(l, index));
  return out;
}

using Strings = std::vector<std::string>;

// Born in Lyon on day 0, recorded later; moved to Paris on day 60, reported months later; a wrong
// record (Marseille from day 120) and its correction.
inline void golden_person(GraphApi& g) {
  Outcome born = g.add_entity("alice", "person", "Alice", R"({"city":"Lyon"})", day(0), kInfinity);
  ASSERT_TRUE(born.tx) << outcome_text(born);
  Outcome moved = g.update_entity("alice", {}, {}, R"({"city":"Paris"})", day(60), kInfinity);
  ASSERT_TRUE(moved.tx);
  EXPECT_GT(*moved.tx, *born.tx);
  Outcome wrong = g.update_entity("alice", {}, {}, R"({"city":"Marseille"})", day(120), kInfinity);
  ASSERT_TRUE(wrong.tx);
  Outcome fixed = g.update_entity("alice", {}, {}, R"({"city":"Paris"})", day(120), kInfinity);
  ASSERT_TRUE(fixed.tx);

  auto city = [&](Micros valid, Micros tx) {
    auto rows = g.get_entity("alice", {valid, tx});
    return rows.empty() ? std::string("-") : field(rows[0], 3);
  };
  EXPECT_EQ(city(day(90), *born.tx), R"({"city": "Lyon"})") << "before the move was reported";
  EXPECT_EQ(city(day(90), kCurrent), R"({"city": "Paris"})");
  EXPECT_EQ(city(day(30), kCurrent), R"({"city": "Lyon"})");
  EXPECT_EQ(city(day(150), *wrong.tx), R"({"city": "Marseille"})") << "what we wrongly believed";
  EXPECT_EQ(city(day(150), kCurrent), R"({"city": "Paris"})") << "after the correction";
  EXPECT_EQ(city(day(-1), kCurrent), "-") << "before birth";
  EXPECT_EQ(city(day(90), *born.tx - 1), "-") << "before it was recorded";
  // Nothing was overwritten: born (1) + move (closes it, inserts Lyon before and Paris after) +
  // wrong (closes Paris, inserts Paris before and Marseille after) + correction (closes
  // Marseille, inserts Paris) = 6 versions.
  auto history = g.entity_history("alice");
  EXPECT_EQ(history.size(), 6u);
  // A write that changes nothing creates no version.
  Outcome same = g.update_entity("alice", {}, {}, R"({"city": "Paris"})", day(120), kInfinity);
  EXPECT_EQ(outcome_text(same), "no change");
  EXPECT_EQ(g.entity_history("alice").size(), 6u);
}

// "works at A", then "works at B since March": seen before and after we learned it.
inline void golden_contradiction(GraphApi& g) {
  ASSERT_TRUE(g.add_entity("bob", "person", "Bob", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_entity("acme", "org", "A", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_entity("bolt", "org", "B", "{}", day(0), kInfinity).tx);
  Outcome a = g.add_relationship("bob-acme", "bob", "acme", "works_at", "{}", day(0), kInfinity);
  ASSERT_TRUE(a.tx);
  Outcome end = g.end_relationship("bob-acme", day(60));
  Outcome b = g.add_relationship("bob-bolt", "bob", "bolt", "works_at", "{}", day(60), kInfinity);
  ASSERT_TRUE(end.tx && b.tx);
  auto employer = [&](Micros valid, Micros tx) {
    return column(g.neighbours("bob", Direction::kOut, {"works_at"}, {valid, tx}), 3);
  };
  EXPECT_EQ(employer(day(90), *a.tx), Strings{"acme"}) << "before we learned of B";
  EXPECT_EQ(employer(day(90), kCurrent), Strings{"bolt"}) << "after";
  EXPECT_EQ(employer(day(30), kCurrent), Strings{"acme"}) << "in February it was still A";
  EXPECT_EQ(employer(day(90), *end.tx), Strings{}) << "between the two writes";
}

inline void golden_traversal(GraphApi& g) {
  for (const char* id : {"a", "b", "c", "d", "x", "y"})
    ASSERT_TRUE(g.add_entity(id, "node", id, "{}", day(0), kInfinity).tx);
  auto rel = [&](const char* id, const char* f, const char* t, const char* type, Micros from,
                 Micros to) { ASSERT_TRUE(g.add_relationship(id, f, t, type, "{}", from, to).tx); };
  rel("ab", "a", "b", "link", day(0), kInfinity);
  rel("ac", "a", "c", "link", day(0), kInfinity);
  rel("bd", "b", "d", "link", day(0), kInfinity);
  rel("cd", "c", "d", "link", day(0), kInfinity);  // diamond a -> {b, c} -> d
  rel("da", "d", "a", "link", day(0), kInfinity);  // cycle back to a
  rel("dx", "d", "x", "it's \"quoted\"", day(0), kInfinity);
  rel("ay", "a", "y", "link", day(0), day(30));  // valid only in the past
  AsOf now{day(100), kCurrent};

  auto t = g.traverse({"a"}, 5, Direction::kOut, {}, 1000, now);
  EXPECT_EQ(t, (Strings{"a|0|a||f", "b|1|a>b|ab|f", "c|1|a>c|ac|f", "d|2|a>b>d|ab>bd|f",
                        "x|3|a>b>d>x|ab>bd>dx|f"}))
      << "cycle and diamond: each entity once, at its minimum depth";
  EXPECT_EQ(column(g.traverse({"a"}, 5, Direction::kOut, {}, 1000, {day(10), kCurrent}), 0),
            (Strings{"a", "b", "c", "y", "d", "x"}))
      << "the past edge a->y is followed only at a valid time it covers";
  EXPECT_EQ(column(g.traverse({"d"}, 1, Direction::kIn, {}, 1000, now), 0),
            (Strings{"d", "b", "c"}));
  EXPECT_EQ(column(g.traverse({"d"}, 1, Direction::kBoth, {}, 1000, now), 0),
            (Strings{"d", "a", "b", "c", "x"}));
  EXPECT_EQ(column(g.traverse({"a"}, 5, Direction::kOut, {"it's \"quoted\""}, 1000, now), 0),
            Strings{"a"});
  EXPECT_EQ(column(g.traverse({"d"}, 5, Direction::kOut, {"it's \"quoted\""}, 1000, now), 0),
            (Strings{"d", "x"}))
      << "a type value with quotes is a value, not SQL";
  EXPECT_EQ(column(g.neighbours("d", Direction::kOut, {"it's \"quoted\""}, now), 3), Strings{"x"});

  // Budget: three entities, the fourth is left out and the result says so.
  auto small = g.traverse({"a"}, 5, Direction::kOut, {}, 3, now);
  EXPECT_EQ(column(small, 0), (Strings{"a", "b", "c"}));
  EXPECT_EQ(field(small[0], 4), "t");
  EXPECT_EQ(field(g.traverse({"a"}, 5, Direction::kOut, {}, 5, now)[0], 4), "f")
      << "exactly the budget reachable is not truncated";

  // An endpoint invisible at the as-of point: x ends on day 50.
  ASSERT_TRUE(g.end_entity("x", day(50)).tx);
  EXPECT_EQ(column(g.traverse({"a"}, 5, Direction::kOut, {}, 1000, now), 0),
            (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(column(g.traverse({"a"}, 5, Direction::kOut, {}, 1000, {day(40), kCurrent}), 0),
            (Strings{"a", "b", "c", "d", "x"}));
  EXPECT_EQ(column(g.neighbours("x", Direction::kBoth, {}, now), 3), Strings{})
      << "ending an entity ended its relationships";

  // Three versions of a neighbour: still one row.
  ASSERT_TRUE(g.update_entity("b", {}, "b2", {}, day(10), kInfinity).tx);
  ASSERT_TRUE(g.update_entity("b", {}, "b3", {}, day(20), kInfinity).tx);
  EXPECT_EQ(g.entity_history("b").size(), 5u);
  EXPECT_EQ(column(g.neighbours("a", Direction::kOut, {}, now), 3), (Strings{"b", "c"}));
  EXPECT_EQ(column(g.traverse({"a", "b"}, 1, Direction::kOut, {}, 1000, now), 0),
            (Strings{"a", "b", "c", "d"}))
      << "several starts, one visited set";
  // A start not visible at the as-of point yields nothing.
  EXPECT_EQ(g.traverse({"a"}, 3, Direction::kOut, {}, 1000, {day(-5), kCurrent}), Strings{});
}

// A hub wider than the hosts' batches (PostgreSQL expands 32 sources, then more; SQLite checks
// endpoints in one statement per batch): 70 leaves, every 7th (l03, l10, ...) valid only until
// day 50, each leaf with an edge to one sink; and d -> {a, y, z} where the edge to z outlives z.
inline void golden_wide(GraphApi& g) {
  ASSERT_TRUE(g.add_entity("hub", "node", "hub", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_entity("sink", "node", "sink", "{}", day(0), kInfinity).tx);
  Strings visible_leaves;
  for (int i = 0; i < 70; ++i) {
    char id[8];
    std::snprintf(id, sizeof id, "l%02d", i);
    bool short_lived = i % 7 == 3;
    ASSERT_TRUE(g.add_entity(id, "leaf", id, "{}", day(0), short_lived ? day(50) : kInfinity).tx);
    ASSERT_TRUE(
        g.add_relationship(std::string("h") + id, "hub", id, "spoke", "{}", day(0), kInfinity).tx);
    ASSERT_TRUE(
        g.add_relationship(std::string(id) + "s", id, "sink", "drain", "{}", day(0), kInfinity).tx);
    if (!short_lived) visible_leaves.push_back(id);
  }
  AsOf now{day(100), kCurrent};
  Strings expected{"hub"};
  expected.insert(expected.end(), visible_leaves.begin(), visible_leaves.end());
  expected.push_back("sink");
  auto all = g.traverse({"hub"}, 2, Direction::kOut, {}, 1000, now);
  EXPECT_EQ(column(all, 0), expected) << "the leaves ended on day 50 are left out";
  ASSERT_EQ(all.size(), 62u);
  EXPECT_EQ(all.back(), "sink|2|hub>l00>sink|hl00>l00s|f");
  EXPECT_EQ(
      column(g.traverse({"hub"}, 2, Direction::kOut, {}, 1000, {day(40), kCurrent}), 0).size(), 72u)
      << "on day 40 every leaf is there";
  auto typed = g.traverse({"hub"}, 2, Direction::kOut, {"spoke", "drain"}, 1000, now);
  EXPECT_EQ(column(typed, 0), expected) << "two types";
  EXPECT_EQ(column(g.traverse({"hub"}, 2, Direction::kOut, {"drain"}, 1000, now), 0),
            Strings{"hub"});

  // The budget spent in the middle of the leaves: the first 39 visible leaves, in id order.
  auto cut = g.traverse({"hub"}, 2, Direction::kOut, {}, 40, now);
  Strings first{"hub"};
  first.insert(first.end(), visible_leaves.begin(), visible_leaves.begin() + 39);
  EXPECT_EQ(column(cut, 0), first);
  EXPECT_EQ(field(cut[0], 4), "t");

  // From the sink, inward: every visible leaf at depth 1, then the hub.
  auto in = g.traverse({"sink"}, 2, Direction::kIn, {}, 1000, now);
  ASSERT_EQ(in.size(), 62u);
  EXPECT_EQ(in.back(), "hub|2|sink>l00>hub|l00s>hl00|f");

  // An edge that outlives its endpoint: one batch of endpoint checks with an invisible member.
  for (const char* id : {"d", "a", "y"})
    ASSERT_TRUE(g.add_entity(id, "node", id, "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_entity("z", "node", "z", "{}", day(0), day(50)).tx);
  for (const char* to : {"a", "y", "z"})
    ASSERT_TRUE(
        g.add_relationship(std::string("d") + to, "d", to, "link", "{}", day(0), kInfinity).tx);
  EXPECT_EQ(column(g.traverse({"d"}, 1, Direction::kOut, {}, 1000, now), 0),
            (Strings{"d", "a", "y"}));
  EXPECT_EQ(column(g.traverse({"d"}, 1, Direction::kOut, {}, 1000, {day(40), kCurrent}), 0),
            (Strings{"d", "a", "y", "z"}));
  EXPECT_EQ(column(g.neighbours("d", Direction::kBoth, {"link", "spoke"}, now), 3),
            (Strings{"a", "y"}));
  EXPECT_EQ(g.neighbours("z", Direction::kBoth, {}, now), Strings{})
      << "an invisible entity has no neighbours, even along an edge that outlives it";
  EXPECT_EQ(column(g.neighbours("z", Direction::kIn, {}, {day(40), kCurrent}), 3), Strings{"d"});
}

inline void golden_errors(GraphApi& g) {
  ASSERT_TRUE(g.add_entity("p", "person", "P", "{}", day(0), kInfinity).tx);
  EXPECT_EQ(g.add_entity("p", "person", "P", "{}", day(5), kInfinity).error,
            ErrorKind::kAlreadyExists);
  EXPECT_EQ(g.add_relationship("r", "p", "ghost", "knows", "{}", day(0), kInfinity).error,
            ErrorKind::kMissingEndpoint);
  EXPECT_EQ(g.update_entity("ghost", "x", {}, {}, day(0), kInfinity).error, ErrorKind::kNotFound);
  EXPECT_EQ(g.end_entity("ghost", day(0)).error, ErrorKind::kNotFound);
  EXPECT_EQ(g.retract_entity("ghost").error, ErrorKind::kNotFound);
  EXPECT_EQ(g.update_entity("p", "x", {}, {}, day(-10), day(-5)).error, ErrorKind::kNotFound)
      << "a change where the entity was never valid";
  EXPECT_EQ(g.add_entity("q", "person", "Q", "{}", day(5), day(5)).error,
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(g.add_entity("q", "person", "Q", "[1]", day(0), kInfinity).error,
            ErrorKind::kInvalidArgument);

  // Retract: we were wrong, close without replacement; history keeps what we believed.
  ASSERT_TRUE(g.add_entity("q", "person", "Q", "{}", day(0), kInfinity).tx);
  ASSERT_TRUE(g.add_relationship("pq", "p", "q", "knows", "{}", day(0), kInfinity).tx);
  Outcome before = g.update_entity("p", {}, "P2", {}, day(1), kInfinity);
  Outcome gone = g.retract_entity("q");
  ASSERT_TRUE(gone.tx);
  EXPECT_EQ(g.get_entity("q", {day(3), kCurrent}), Strings{});
  EXPECT_EQ(g.get_entity("q", {day(3), *gone.tx - 1}).size(), 1u);
  EXPECT_EQ(g.neighbours("p", Direction::kBoth, {}, {day(3), *gone.tx - 1}).size(), 1u);
  EXPECT_EQ(g.neighbours("p", Direction::kBoth, {}, {day(3), kCurrent}).size(), 0u);
  // Compaction deletes only closed versions: p's first version and q's, the relationship.
  std::int64_t removed = g.compact_history(*gone.tx + 1);
  EXPECT_EQ(removed, 3);
  EXPECT_EQ(g.get_entity("p", {day(3), kCurrent}).size(), 1u);
  EXPECT_EQ(g.entity_history("q"), Strings{});
  (void)before;
}

}  // namespace llmspell::temporal::testing
